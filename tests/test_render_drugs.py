"""The drug index and drug pages (generator/render/drugs.py) on the handbook tests' library."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from test_render_handbooks import AS_OF, broken_links, write_handbook_library

from generator.load.library import Library, load_library
from generator.render.families import render_site


@pytest.fixture
def handbook_library(tmp_path: Path) -> Library:
    loaded = load_library(write_handbook_library(tmp_path), "protocols")
    assert loaded.diagnostics == []
    return loaded


NBSP = "\u00a0"
ALPHA_ROW_2_0 = (
    "| [Alpha drug for tests](../../protocols/alpha-drug/index.md#dosing) | 2.0 (current) | IV "
    "| 0.5\u00a0mg/kg \\(per kg of body weight\\) | 0.25 to 0.75\u00a0mg/kg | 40\u00a0mg per dose | 30\u00a0minutes |\n"
)


def test_drug_index_is_a_to_z_with_letter_headings(handbook_library: Library) -> None:
    page = render_site(handbook_library, AS_OF, reviewer=False)["drugs/index.md"]
    assert re.findall(r"^## (.) \{: #letter-([a-z]) \}$", page, re.M) == [
        ("A", "a"),
        ("B", "b"),
        ("G", "g"),
        ("Z", "z"),
    ]
    assert "[A](#letter-a) · [B](#letter-b) · [G](#letter-g) · [Z](#letter-z)\n" in page
    assert re.findall(r"^- (.*)$", page, re.M) == [
        "[alphacaine](alphacaine/index.md): Local anaesthetic (1 protocol in use)",
        "[betamine](betamine/index.md) (no protocol in use)",
        "[gammadol](gammadol/index.md): Analgesic (1 protocol in use)",
        "[zetacaine](zetacaine/index.md) (no protocol in use)",
    ]


def test_drug_page_states_the_formulary_entry_and_every_regimen_in_use(handbook_library: Library) -> None:
    pages = render_site(handbook_library, AS_OF, reviewer=False)
    page = pages["drugs/alphacaine/index.md"]
    assert page.startswith("# alphacaine\n")
    assert ('<tr><th scope="row">Class</th><td>Local anaesthetic</td></tr>\n'
            '<tr><th scope="row">Ceiling per administration</th><td>1\u00a0mg/kg</td></tr>\n') in page
    # the notes are library Markdown: their citation is numbered and anchored on the page
    assert 'Keep cold <sup class="citation"><a href="#ref-label-alphacaine">1</a></sup>.' in page
    assert "1. Alphacaine prescribing information. Example Pharma; 2021.\n{: #ref-label-alphacaine }\n" in page
    table = page[page.index("## Regimens in use") :]
    assert re.findall(r"^\| \[.*$", table, re.M) == [ALPHA_ROW_2_0.rstrip("\n")]
    fixed = pages["drugs/gammadol/index.md"]
    assert (
        "| [Gamma drug for tests](../../protocols/gamma-drug/index.md#dosing) | 1.0 (current) | PO "
        "| 20\u00a0mg \\(fixed dose, the same for every weight\\) | not stated | not stated | not stated |\n"
    ) in fixed
    assert '<tr><th scope="row">Ceiling per administration</th><td>none in the formulary</td></tr>' in fixed


def test_drug_pages_follow_the_version_in_use(handbook_library: Library) -> None:
    page = render_site(handbook_library, dt.date(2026, 2, 15), reviewer=False)["drugs/alphacaine/index.md"]
    assert (
        "| [Alpha drug for tests](../../protocols/alpha-drug/index.md#dosing) | 1.0 (current) | IV "
        "| 0.4\u00a0mg/kg \\(per kg of body weight\\) | not stated "
        "| 1\u00a0mg/kg per dose \\(formulary ceiling\\) | not stated |\n"
    ) in page  # 1.0 states no maximum of its own: the formulary's ceiling for the drug is the limit
    assert "0.5 mg/kg" not in page


def test_drafts_give_no_regimen_on_the_clinician_site(handbook_library: Library) -> None:
    clinician = render_site(handbook_library, AS_OF, reviewer=False)
    assert "No protocol in use gives betamine." in clinician["drugs/betamine/index.md"]
    assert "No protocol in use gives zetacaine." in clinician["drugs/zetacaine/index.md"]
    for path in ("drugs/index.md", "drugs/alphacaine/index.md", "drugs/betamine/index.md"):
        assert "beta-draft" not in clinician[path] and "2.1" not in clinician[path], path
    reviewer = render_site(handbook_library, AS_OF, reviewer=True)
    assert (
        "| [Beta protocol still in draft](../../protocols/beta-draft/index.md#dosing) "
        "| 1.0 (draft, not approved for use) | PO | 10\u00a0mg \\(fixed dose, the same for every weight\\) "
        "| not stated | not stated | not stated |\n"
    ) in reviewer["drugs/betamine/index.md"]
    # the canonical page of alpha-drug still shows 2.0, so its drug row is 2.0's
    assert ALPHA_ROW_2_0 in reviewer["drugs/alphacaine/index.md"]


def test_retired_protocols_give_no_regimen_and_are_listed_as_retired(handbook_library: Library) -> None:
    retired = handbook_library.protocols["gamma-drug"].versions["1.0"]
    retired.doc = retired.doc.model_copy(update={"status": "retired"})
    page = render_site(handbook_library, AS_OF, reviewer=False)["drugs/gammadol/index.md"]
    assert "No protocol in use gives gammadol." in page
    listed = page[page.index("## Retired protocols {: #retired }"):]
    assert listed.startswith(
        "## Retired protocols {: #retired }\n\nThese protocols gave gammadol and are **retired: do not use them**. "
        "Their pages give no dose.\n\n- [Gamma drug for tests](../../protocols/gamma-drug/index.md): retired since "
        f"{retired.doc.effective.isoformat()}\n")
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
    page = render_site(handbook_library, AS_OF, reviewer=False)["drugs/alphacaine/index.md"]
    (row,) = [line for line in page.splitlines() if line.startswith("| [")]
    cells = row.split(" | ")
    assert len(cells) == 7  # the escaped pipes are text, not column breaks
    assert cells[0] == ("| [Alpha \\| \\[x\\]\\(javascript:alert\\(1\\)\\) &lt;i&gt;]"
                        "(../../protocols/alpha-drug/index.md#dosing)")
    assert cells[2] == "IV \\| IM"
