"""The drug index and drug pages (generator/render/drugs.py) on the handbook tests' library."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from helpers import shown_body
from test_handbooks import AS_OF, broken_links, write_handbook_library

from generator.load.library import Library, load_library
from generator.render.families import render_site


@pytest.fixture
def handbook_library(tmp_path: Path) -> Library:
    loaded = load_library(write_handbook_library(tmp_path), "protocols")
    assert loaded.diagnostics == []
    return loaded


NBSP = "\u00a0"
ALPHA_ROW_2_0 = [
    '<a href="../../protocols/alpha-drug/#dosing">Alpha drug for tests</a>', "2.0 (current)", "IV",
    "0.5\u00a0mg/kg (per kg of body weight)", "0.25 to 0.75\u00a0mg/kg", "40\u00a0mg per dose", "30\u00a0minutes",
]
_ROW = re.compile(r"<tr>\n((?:<td>.*</td>\n)+)</tr>")


def regimen_rows(pages: dict[str, str], path: str) -> list[list[str]]:
    """The cells of each row of a drug page's "Regimens in use" table, as the site shows them."""
    body = shown_body(pages, path)
    return [re.findall(r"<td>(.*)</td>", cells) for cells in _ROW.findall(body)]


def test_drug_index_is_a_to_z_with_letter_headings(handbook_library: Library) -> None:
    page = shown_body(render_site(handbook_library, AS_OF, reviewer=False), "drugs/index.md")
    assert re.findall(r'^<h2 id="letter-([a-z])">(.)<a', page, re.M) == [
        ("a", "A"),
        ("b", "B"),
        ("g", "G"),
        ("z", "Z"),
    ]
    assert ('<p><a href="#letter-a">A</a> · <a href="#letter-b">B</a> · <a href="#letter-g">G</a> · '
            '<a href="#letter-z">Z</a></p>\n') in page
    assert re.findall(r"^<li>(.*)</li>$", page, re.M) == [
        '<a href="alphacaine/">alphacaine</a>: Local anaesthetic (1 protocol in use)',
        '<a href="betamine/">betamine</a> (no protocol in use)',
        '<a href="gammadol/">gammadol</a>: Analgesic (1 protocol in use)',
        '<a href="zetacaine/">zetacaine</a> (no protocol in use)',
    ]


def test_drug_page_states_the_formulary_entry_and_every_regimen_in_use(handbook_library: Library) -> None:
    pages = render_site(handbook_library, AS_OF, reviewer=False)
    page = pages["drugs/alphacaine/index.md"]
    assert page.startswith("# alphacaine\n")
    assert ('<tr><th scope="row">Class</th><td>Local anaesthetic</td></tr>\n'
            '<tr><th scope="row">Ceiling per administration</th><td>1\u00a0mg/kg</td></tr>\n') in page
    # the notes are library Markdown: their citation is numbered and anchored on the page
    assert 'Keep cold <sup class="citation"><a href="#ref-label-alphacaine">1</a></sup>.' in page
    assert ('<ol>\n<li id="ref-label-alphacaine">Alphacaine prescribing information. Example Pharma; 2021.</li>\n'
            "</ol>\n") in page
    assert page.index('<h2 id="regimens">') < page.index('<div class="pc-drug-regimens">')
    assert regimen_rows(pages, "drugs/alphacaine/index.md") == [ALPHA_ROW_2_0]
    fixed = pages["drugs/gammadol/index.md"]
    assert regimen_rows(pages, "drugs/gammadol/index.md") == [[
        '<a href="../../protocols/gamma-drug/#dosing">Gamma drug for tests</a>', "1.0 (current)", "PO",
        "20\u00a0mg (fixed dose, the same for every weight)", "not stated", "not stated", "not stated"]]
    assert '<tr><th scope="row">Ceiling per administration</th><td>none in the formulary</td></tr>' in fixed


def test_drug_pages_follow_the_version_in_use(handbook_library: Library) -> None:
    pages = render_site(handbook_library, dt.date(2026, 2, 15), reviewer=False)
    page = pages["drugs/alphacaine/index.md"]
    assert regimen_rows(pages, "drugs/alphacaine/index.md") == [[
        '<a href="../../protocols/alpha-drug/#dosing">Alpha drug for tests</a>', "1.0 (current)", "IV",
        "0.4\u00a0mg/kg (per kg of body weight)", "not stated", "1\u00a0mg/kg per dose (formulary ceiling)",
        "not stated",
    ]]  # 1.0 states no maximum of its own: the formulary's ceiling for the drug is the limit
    assert "0.5 mg/kg" not in page


def test_drafts_give_no_regimen_on_the_clinician_site(handbook_library: Library) -> None:
    clinician = render_site(handbook_library, AS_OF, reviewer=False)
    assert "No protocol in use gives betamine." in clinician["drugs/betamine/index.md"]
    assert "No protocol in use gives zetacaine." in clinician["drugs/zetacaine/index.md"]
    for path in ("drugs/index.md", "drugs/alphacaine/index.md", "drugs/betamine/index.md"):
        assert "beta-draft" not in clinician[path] and "2.1" not in clinician[path], path
    reviewer = render_site(handbook_library, AS_OF, reviewer=True)
    assert regimen_rows(reviewer, "drugs/betamine/index.md") == [[
        '<a href="../../protocols/beta-draft/#dosing">Beta protocol still in draft</a>',
        "1.0 (draft, not approved for use)", "PO", "10\u00a0mg (fixed dose, the same for every weight)",
        "not stated", "not stated", "not stated",
    ]]
    # the canonical page of alpha-drug still shows 2.0, so its drug row is 2.0's
    assert regimen_rows(reviewer, "drugs/alphacaine/index.md") == [ALPHA_ROW_2_0]


def test_retired_protocols_give_no_regimen_and_are_listed_as_retired(handbook_library: Library) -> None:
    retired = handbook_library.protocols["gamma-drug"].versions["1.0"]
    retired.doc = retired.doc.model_copy(update={"status": "retired"})
    page = shown_body(render_site(handbook_library, AS_OF, reviewer=False), "drugs/gammadol/index.md")
    assert "<p>No protocol in use gives gammadol.</p>" in page
    listed = page[page.index('<h2 id="retired">'):]
    assert listed.split("</h2>\n", 1)[1].startswith(
        "<p>These protocols gave gammadol and are <strong>retired: do not use them</strong>. "
        'Their pages give no dose.</p>\n<ul>\n<li><a href="../../protocols/gamma-drug/">Gamma drug for tests</a>: '
        f"retired since {retired.doc.effective.isoformat()}</li>\n")
    assert "20\u00a0mg" not in page and "20 mg" not in page  # no dose of a retired protocol


def test_no_internal_id_on_a_drug_page(handbook_library: Library) -> None:
    pages = render_site(handbook_library, AS_OF, reviewer=True)
    for path in ("drugs/alphacaine/index.md", "drugs/gammadol/index.md", "drugs/betamine/index.md"):
        for regimen_id in ("alpha-iv", "gamma-po", "beta-po"):
            assert regimen_id not in pages[path], (path, regimen_id)


def test_a_number_is_never_separated_from_its_unit() -> None:
    from generator.render.drugs import _joined

    assert _joined("0.25 to 0.75 mg/kg over 4 hours, 2 units of 28 mg") == (
        "0.25 to 0.75\u00a0mg/kg over 4\u00a0hours, 2\u00a0units of 28\u00a0mg")
    assert _joined("version 1.0 (current)") == "version 1.0 (current)"  # only units, not every word


def test_every_drug_link_resolves(handbook_library: Library) -> None:
    for reviewer in (False, True):
        pages = render_site(handbook_library, AS_OF, reviewer=reviewer)
        drug_pages = [path for path in pages if path.startswith("drugs/")]
        assert sorted(drug_pages) == [
            "drugs/alphacaine/index.md",
            "drugs/betamine/index.md",
            "drugs/gammadol/index.md",
            "drugs/index.md",
            "drugs/zetacaine/index.md",
        ]
        for path in drug_pages:
            assert broken_links(pages, path) == [], path


def test_a_title_and_route_with_table_syntax_stay_in_their_cells(handbook_library: Library) -> None:
    version = handbook_library.protocols["alpha-drug"].versions["2.0"]
    doc = version.doc
    regimen = doc.regimens[0].model_copy(update={"route": "IV | IM"})
    version.doc = doc.model_copy(update={"title": "Alpha | [x](javascript:alert(1)) <i>", "regimens": [regimen]})
    (cells,) = regimen_rows(render_site(handbook_library, AS_OF, reviewer=False), "drugs/alphacaine/index.md")
    assert len(cells) == 7  # the pipes are text, not column breaks
    assert cells[0] == ('<a href="../../protocols/alpha-drug/#dosing">Alpha | [x](javascript:alert(1)) '
                        "&lt;i&gt;</a>")
    assert cells[2] == "IV | IM"
