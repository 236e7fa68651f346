"""render_site on a small library written into tmp_path: which pages exist on which date, in which
state, in which order, and that drafts never reach the clinician site.

Golden page: tests/golden/alpha-drug-2.0.md is the canonical page of alpha-drug on 2026-03-10.
Regenerate it after an intended change with `UPDATE_GOLDEN=1 .venv/bin/pytest tests/render/test_families.py`
and review the diff before committing it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from pathlib import Path

import pytest
from helpers import (
    ALPHA_1_0_FIELDS,
    ALPHA_2_0_FIELDS,
    ALPHA_2_1_DRAFT,
    ALPHA_POLICY,
    REVIEWER_KEYS,
    shown_body,
    signed_ledger,
    table_rows,
    version_yaml,
    write_files,
)

from generator.approvals.sshsig import ed25519_public_line, parse_public_key
from generator.approvals.versions import version_fingerprint
from generator.load.library import Library, load_library
from generator.render.families import render_site
from generator.render.page_links import localize
from generator.render.templates import plain

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "alpha-drug-2.0.md"
BEFORE_2_0 = dt.date(2026, 2, 1)
AFTER_2_0 = dt.date(2026, 3, 10)

REFERENCES = """\
smith-2020:
  type: article
  authors: [Smith AB, Jones CD]
  title: Alphacaine for testing
  journal: J Test Med
  year: 2020
  volume: 12
  issue: 3
  pages: 100-110
  doi: 10.1000/test.2020.1
  pmid: 12345678
label-alphacaine:
  type: label
  title: Alphacaine prescribing information
  publisher: Example Pharma
  year: 2021
"""

DRUGS = """\
alphacaine:
  name: alphacaine
  ceiling: 1 mg/kg
"""

POLICY = ALPHA_POLICY

HANDBOOKS = """\
- id: testing
  title: Testing handbook
  description: Protocols used by the render tests.
  protocols: [alpha-drug, beta-draft]
"""

ALPHA_1_0 = version_yaml(**ALPHA_1_0_FIELDS)

ALPHA_2_0 = version_yaml(**ALPHA_2_0_FIELDS)

ALPHA_2_1 = version_yaml(**ALPHA_2_0_FIELDS | ALPHA_2_1_DRAFT)

BETA_1_0 = """\
id: beta-draft
version: "1.0"
title: Beta protocol still in draft
status: draft
summary: Not yet.
regimens:
  - id: beta-po
    drug: alphacaine
    route: PO
    dose: 20 mg
"""


PAT_PRINT, PHIL_PRINT = (parse_public_key(ed25519_public_line(REVIEWER_KEYS[name])).fingerprint
                         for name in ("Pat Pharm", "Dr Phil Doc"))


def approvals(folder: Path, *versions: str) -> str:
    """A ledger approving alpha-drug's `versions` by a pharmacist and a physician, signed."""
    entries = [(version, reviewer, role, f"2025-12-{day}") for version in versions
               for reviewer, role, day in (("Pat Pharm", "pharmacist", "10"), ("Dr Phil Doc", "physician", "12"))]
    return signed_ledger(folder, "alpha-drug", entries)


def fingerprint_of(path: Path) -> str:
    """The fingerprint of protocols/<id>/<version>.yaml in its library."""
    library = load_library(path.parent.parent)
    return version_fingerprint(library.protocols[path.parent.name].versions[path.stem], library)


def write_library(root: Path, extra: dict[str, str] | None = None) -> Path:
    folder = root / "protocols"
    files = {
        "_library/references.yaml": REFERENCES,
        "_library/drugs.yaml": DRUGS,
        "_library/policy.yaml": POLICY,
        "_library/handbooks.yaml": HANDBOOKS,
        "alpha-drug/1.0.yaml": ALPHA_1_0,
        "alpha-drug/2.0.yaml": ALPHA_2_0,
        "alpha-drug/2.1.yaml": ALPHA_2_1,
        "beta-draft/1.0.yaml": BETA_1_0,
        **(extra or {}),
    }
    write_files(folder, files)
    ledger = approvals(folder, "1.0", "2.0")
    (folder / "alpha-drug" / "approvals.yaml").write_text(ledger, encoding="utf-8")
    return folder


@pytest.fixture
def library(tmp_path: Path) -> Library:
    loaded = load_library(write_library(tmp_path), "protocols")
    assert loaded.diagnostics == []
    return loaded


def test_clinician_site_has_exactly_the_published_pages(library: Library) -> None:
    pages = render_site(library, AFTER_2_0, reviewer=False)
    assert sorted(pages) == [
        "drugs/alphacaine/index.md",
        "drugs/index.md",
        "handbooks/testing/index.md",
        "handbooks/testing/print/index.md",
        "index.md",
        "protocols.json",
        "protocols/alpha-drug/1.0/index.md",
        "protocols/alpha-drug/2.0/diff/index.md",
        "protocols/alpha-drug/2.0/index.md",
        "protocols/alpha-drug/history/index.md",
        "protocols/alpha-drug/index.md",
        "references/index.md",
        "whats-new.md",
    ]


def test_drafts_never_reach_the_clinician_site(library: Library) -> None:
    pages = render_site(library, AFTER_2_0, reviewer=False)
    # handbooks.yaml names beta-draft: its handbook pages list the id, unlinked, and nothing of the draft
    unpublished = ("<td>beta-draft</td>\n<td></td>\n<td>not yet published</td>",
                   "<li>beta-draft: not yet published</li>\n")
    for path, text in pages.items():
        for line in unpublished:
            text = text.replace(line, "")
        assert "2.1" not in text, path
        assert "beta" not in text.lower(), path
        assert "draft" not in text.lower(), path


def test_reviewer_site_adds_drafts_with_banners_and_missing_approvals(library: Library) -> None:
    pages = render_site(library, AFTER_2_0, reviewer=True)
    assert "protocols/alpha-drug/2.1/index.md" in pages
    assert "protocols/beta-draft/index.md" in pages
    assert "protocols/beta-draft/1.0/index.md" in pages
    draft = shown_body(pages, "protocols/alpha-drug/2.1/index.md")
    assert "<p><strong>Draft.</strong> Version 2.1 is a draft: not approved for clinical use. The version in use " \
           'is <a href="../">version 2.0</a>.</p>\n' in draft
    assert '<p id="approvals">No approvals yet. Still needed: a pharmacist and a physician</p>\n' in draft
    # the canonical page still shows the version in use, not the draft
    assert pages["protocols/alpha-drug/index.md"].count("<strong>Version 2.0</strong>") == 1
    home = shown_body(pages, "index.md")
    in_review = home[home.index('<h2 id="in-review">Drafts and versions in review<a'):]
    assert table_rows(in_review) == [
        ['<a href="protocols/alpha-drug/2.1/">Alpha drug for tests</a>', "2.1", "draft",
         "a pharmacist and a physician"],
        ['<a href="protocols/beta-draft/1.0/">Beta protocol still in draft</a>', "1.0", "draft",
         "a pharmacist and a physician"],
    ]


def test_canonical_page_follows_the_build_date(library: Library) -> None:
    before = render_site(library, BEFORE_2_0, reviewer=False)["protocols/alpha-drug/index.md"]
    after = render_site(library, AFTER_2_0, reviewer=False)["protocols/alpha-drug/index.md"]
    assert "<strong>Version 1.0</strong> · current · effective 2026-01-01" in before
    assert "<strong>Version 2.0</strong> · current · effective 2026-03-01" in after


def test_superseded_and_upcoming_banners_link_the_version_in_use(library: Library) -> None:
    after = render_site(library, AFTER_2_0, reviewer=False)
    old = shown_body(after, "protocols/alpha-drug/1.0/index.md")
    # inside the dose panel, and beside the dose table for whoever lands on #dose-table
    assert ('<p><strong>Superseded.</strong> Version 1.0 is no longer in use: use <a href="../">version 2.0</a>, '
            "in use since 2026-03-01.</p>\n") in old
    assert ('title="Permanent link">&para;</a></h2>\n<div class="admonition warning">\n'
            '<p class="admonition-title">Superseded: not the dose table of the version in use</p>\n'
            '<p>Version 1.0 is no longer in use: use <a href="../">version 2.0</a>, in use since '
            "2026-03-01.</p>\n</div>\n") in old
    assert old.index('id="dose-table"') < old.index("Superseded: not the dose table") < old.index('id="dosing"')
    before = render_site(library, BEFORE_2_0, reviewer=False)
    upcoming = shown_body(before, "protocols/alpha-drug/2.0/index.md")
    assert ('<p><strong>Upcoming.</strong> Version 2.0 takes effect on 2026-03-01. Until then, '
            '<a href="../">version 1.0</a> is in use.</p>\n') in upcoming
    assert ('<div class="admonition warning">\n<p class="admonition-title">Upcoming: not the dose table of the '
            "version in use</p>") in upcoming


def test_review_overdue_banner_only_after_the_due_date(library: Library) -> None:
    due = dt.date(2028, 3, 1)  # effective 2026-03-01 + 24 months
    on_due = render_site(library, due, reviewer=False)["protocols/alpha-drug/index.md"]
    after_due = render_site(library, due + dt.timedelta(days=1), reviewer=False)["protocols/alpha-drug/index.md"]
    assert "Review overdue" not in on_due
    assert '<div class="admonition warning">\n<p class="admonition-title">Review overdue</p>' in after_due
    assert "This version was due for review on 2028-03-01." in after_due


def test_provenance_block(library: Library) -> None:
    page = render_site(library, AFTER_2_0, reviewer=False)["protocols/alpha-drug/index.md"]
    short = fingerprint_of(library.root / "alpha-drug" / "2.0.yaml")[: len("sha256:") + 8]
    assert re.fullmatch(r"sha256:[0-9a-f]{8}", short)
    # one status line under the title; the approvals and the fingerprint below the dose table
    assert ("<p><strong>Version 2.0</strong> · current · effective 2026-03-01 · review due 2028-03-01 · "
            "Department of Tests</p>\n") in page
    body = shown_body({"protocols/alpha-drug/index.md": page}, "protocols/alpha-drug/index.md")
    assert (
        '<div class="pc-provenance">\n'
        '<p id="approvals">Approved by pharmacist Pat Pharm (2025-12-10); physician Dr Phil Doc (2025-12-12)</p>\n'
        f'<p>Fingerprint <code>{short}</code> · <a href="#versions">All versions</a> · '
        '<a href="history/">History</a></p>\n'
    ) in body
    assert page.index('id="dose-table-alpha-iv"') < page.index("pc-provenance") < page.index('id="dosing"')


def test_sections_come_in_the_page_order(library: Library) -> None:
    page = render_site(library, AFTER_2_0, reviewer=False)["protocols/alpha-drug/index.md"]
    anchors = re.findall(r'^<h[23] id="([a-z0-9-]+)">', page, re.M)
    assert anchors == [
        "summary",
        "dose-table",
        "dose-table-alpha-iv",
        "dosing",
        "regimen-alpha-iv",
        "schedule",
        "phase-course",
        "safety",
        "algorithm",
        "changes",
        "references",
        "versions",
    ]
    assert (page.index("# Alpha drug for tests") < page.index("pc-status-line") < page.index("pc-dose-panel")
            < page.index('<h2 id="summary">') < page.index("pc-provenance"))


def test_dose_block_states_every_field(library: Library) -> None:
    page = render_site(library, AFTER_2_0, reviewer=False)["protocols/alpha-drug/index.md"]
    assert '<p class="pc-dose"><strong>alphacaine 0.5 mg/kg IV (maximum 40 mg) over 30 minutes</strong></p>' in page
    for label, value in [
        ("Drug", "alphacaine"),
        ("Route", "IV"),
        ("Dose", "0.5 mg/kg (per kg of body weight)"),
        ("Range", "0.25 to 0.75 mg/kg"),
        ("Maximum per dose", "40 mg whatever the weight"),
        ("Duration", "30 minutes"),
        ("Concentration", "10 mg/mL"),
        ("Frequency", "twice per week"),
        ("Length", "3 weeks"),
        ("Doses", "6"),
    ]:
        assert f'<tr><th scope="row">{label}</th><td>{value}</td></tr>\n' in page
    regimen_link = '<a href="#regimen-alpha-iv">alphacaine 0.5 mg/kg IV (maximum 40 mg) over 30 minutes</a>'
    assert f'<tr><th scope="row">Regimen</th><td>{regimen_link}</td></tr>\n' in page


def test_dose_table_rows_mark_capped_doses_in_words(library: Library) -> None:
    page = render_site(library, AFTER_2_0, reviewer=False)["protocols/alpha-drug/index.md"]
    table = page[page.index('<h2 id="dose-table">') : page.index('<h2 id="dosing">')]
    rows = re.findall(r"<tr[^>]*><th scope=\"row\">.*</tr>", table)
    assert rows == [
        '<tr><th scope="row">60 kg</th><td>132.3 lb</td><td>30 mg</td><td>15 to 40 mg</td><td>3 mL</td></tr>',
        '<tr><th scope="row">70 kg</th><td>154.3 lb</td><td>35 mg</td><td>17.5 to 40 mg</td><td>3.5 mL</td></tr>',
        '<tr><th scope="row">80 kg</th><td>176.4 lb</td><td>40 mg</td><td>20 to 40 mg</td><td>4 mL</td></tr>',
        '<tr class="pc-capped"><th scope="row">90 kg</th><td>198.4 lb</td>'
        "<td>40 mg (capped at the maximum)</td><td>22.5 to 40 mg</td><td>4 mL</td></tr>",
        '<tr class="pc-capped"><th scope="row">100 kg</th><td>220.5 lb</td>'
        "<td>40 mg (capped at the maximum)</td><td>25 to 40 mg</td><td>4 mL</td></tr>",
    ]
    assert "give the maximum of 40 mg instead of the weight-based figure." in page


def test_version_switcher_lists_every_published_version(library: Library) -> None:
    pages = render_site(library, AFTER_2_0, reviewer=False)
    canonical = shown_body(pages, "protocols/alpha-drug/index.md")
    assert (
        '<li><a href="2.0/">Version 2.0</a> (current, effective 2026-03-01) · '
        '<a href="2.0/diff/">changes from the version before</a></li>\n'
    ) in canonical
    assert '<li><a href="1.0/">Version 1.0</a> (superseded, effective 2026-01-01)</li>\n' in canonical
    version_page = shown_body(pages, "protocols/alpha-drug/1.0/index.md")
    assert "<li><strong>Version 1.0</strong> (superseded, effective 2026-01-01): this page</li>\n" in version_page
    assert (
        '<li><a href="../2.0/">Version 2.0</a> (current, effective 2026-03-01) · '
        '<a href="../2.0/diff/">changes from the version before</a></li>\n'
    ) in version_page
    assert '<a href="../history/">History of this protocol</a>' in version_page
    assert "<script" not in canonical and "onclick" not in canonical


def test_home_page_lists_protocols_and_handbooks(library: Library) -> None:
    home = shown_body(render_site(library, AFTER_2_0, reviewer=False), "index.md")
    in_use = home[home.index('<h2 id="protocols">Protocols in use<a'):home.index('<h2 id="handbooks">')]
    assert "<th>Protocol</th>\n<th>Version</th>\n<th>Status</th>\n<th>Effective</th>" in in_use
    assert table_rows(in_use) == [['<a href="protocols/alpha-drug/">Alpha drug for tests</a>', "2.0", "current",
                                   "2026-03-01"]]
    assert '<h3 id="handbook-testing">Testing handbook<a class="headerlink"' in home
    assert '<ol>\n<li><a href="protocols/alpha-drug/">Alpha drug for tests</a></li>\n' in home
    assert "Drafts" not in home


def test_audit_file_lists_published_versions_sorted(library: Library) -> None:
    payload = json.loads(render_site(library, AFTER_2_0, reviewer=False)["protocols.json"])
    folder = library.root / "alpha-drug"
    assert payload == {
        "as_of": "2026-03-10",
        "reviewer_site": False,
        "protocols": [
            {
                "id": "alpha-drug",
                "version": "1.0",
                "status": "approved",
                "state": "superseded",
                "effective": "2026-01-01",
                "fingerprint": fingerprint_of(folder / "1.0.yaml"),
                "signoffs": [
                    {"reviewer": "Pat Pharm", "role": "pharmacist", "date": "2025-12-10", "key": PAT_PRINT},
                    {"reviewer": "Dr Phil Doc", "role": "physician", "date": "2025-12-12", "key": PHIL_PRINT},
                ],
            },
            {
                "id": "alpha-drug",
                "version": "2.0",
                "status": "approved",
                "state": "current",
                "effective": "2026-03-01",
                "fingerprint": fingerprint_of(folder / "2.0.yaml"),
                "signoffs": [
                    {"reviewer": "Pat Pharm", "role": "pharmacist", "date": "2025-12-10", "key": PAT_PRINT},
                    {"reviewer": "Dr Phil Doc", "role": "physician", "date": "2025-12-12", "key": PHIL_PRINT},
                ],
            },
        ],
    }


def test_retired_protocol_keeps_its_page_with_a_banner(tmp_path: Path) -> None:
    retired = ALPHA_2_0.replace('version: "2.0"', 'version: "3.0"').replace("status: approved", "status: retired")
    root = write_library(tmp_path, {"alpha-drug/3.0.yaml": retired.replace("2026-03-01", "2026-03-05")})
    pages = render_site(load_library(root, "protocols"), AFTER_2_0, reviewer=False)
    canonical = pages["protocols/alpha-drug/index.md"]
    assert canonical.startswith("# Alpha drug for tests (retired)\n")
    assert "<strong>Version 3.0</strong> · retired · effective 2026-03-05 · Department of Tests</p>\n" in canonical
    assert ("<strong>Retired.</strong> This protocol has been retired and must not be used for new "
            "treatment.</p>\n") in canonical
    # 2.0 would be current on this date: a retired protocol has no version in use
    assert "<strong>Version 2.0</strong> · retired · effective 2026-03-01 · Department of Tests</p>\n" in pages[
        "protocols/alpha-drug/2.0/index.md"]
    home = shown_body(pages, "index.md")
    retired_part = home[home.index('<h2 id="retired">Retired protocols<a'):]
    assert ("&para;</a></h2>\n<p>Retired protocols must not be used for new treatment; "
            "their pages are kept for the record and give no dose.</p>\n<table>") in retired_part
    assert table_rows(retired_part)[0] == ['<a href="protocols/alpha-drug/">Alpha drug for tests</a> (retired)',
                                           "3.0", "retired", "2026-03-05"]
    in_use = home[home.index('<h2 id="protocols">'):home.index('<h2 id="retired">')]
    assert table_rows(in_use) == [] and "<p>No protocol is in use yet.</p>" in in_use


def test_text_from_data_is_shown_as_written(tmp_path: Path) -> None:
    title = "Alpha <b>drug</b> *for* [tests]"
    root = write_library(tmp_path, {"alpha-drug/1.0.yaml": ALPHA_1_0.replace("Alpha drug for tests", title)})
    pages = render_site(load_library(root, "protocols"), BEFORE_2_0, reviewer=False)
    assert "# Alpha &lt;b&gt;drug&lt;/b&gt; \\*for\\* \\[tests\\]\n" in pages["protocols/alpha-drug/1.0/index.md"]
    assert plain("a|b_c") == "a\\|b\\_c"


def test_rendering_is_deterministic(library: Library, tmp_path: Path) -> None:
    first = render_site(library, AFTER_2_0, reviewer=True)
    again = render_site(load_library(library.root, "protocols"), AFTER_2_0, reviewer=True)
    assert first == again
    assert list(first) == sorted(first)


def test_golden_protocol_page(library: Library) -> None:
    page = render_site(library, AFTER_2_0, reviewer=False)["protocols/alpha-drug/index.md"]
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(page, encoding="utf-8")
    assert page == GOLDEN.read_text(encoding="utf-8")


def test_citations_are_numbered_by_first_use_and_anchored(library: Library) -> None:
    page = render_site(library, AFTER_2_0, reviewer=False)["protocols/alpha-drug/index.md"]
    assert (
        'over 30 minutes,\ntwice per week for 3 weeks <sup class="citation"><a href="#ref-smith-2020">1</a></sup>.'
        in page
    )
    cite_list = '<sup class="citation"><a href="#ref-smith-2020">1</a>,<a href="#ref-label-alphacaine">2</a></sup>'
    assert f'<tr><th scope="row">References</th><td>{cite_list}</td></tr>\n' in page
    references = page[page.index('<h2 id="references">') : page.index('<h2 id="versions">')]
    # an ordered list: the first item is number 1
    assert re.findall(r'^<ol>\n|^<li id="ref-([a-z0-9-]+)">', references, re.M) == ["", "smith-2020",
                                                                                  "label-alphacaine"]


def test_placeholders_and_links_are_rendered(library: Library) -> None:
    page = render_site(library, AFTER_2_0, reviewer=False)["protocols/alpha-drug/index.md"]
    assert "Give 0.5 mg/kg IV over 30 minutes,\ntwice per week for 3 weeks" in page
    assert 'See <a href="#safety">Safety (read first)</a>.' in page
    assert '<li>Give the dose from the table (<a href="#dose-table">Dose table</a>).</li>\n' in page
    assert "<li>Raised alpha-iv to 0.5 mg/kg and added a cap" in page
    assert "{{" not in page and "[@" not in page and "[[" not in page


def test_every_generated_anchor_exists_even_when_a_version_has_no_such_content(library: Library) -> None:
    """[[#dose-table]] or [[#schedule]] pass the checks on any version, so the anchors must always exist."""
    page = render_site(library, BEFORE_2_0, reviewer=False)["protocols/alpha-drug/1.0/index.md"]
    anchors = re.findall(r' id="([a-z0-9-]+)"', page)
    generated = ["summary", "dose-table", "approvals", "dosing", "schedule", "algorithm", "changes", "references",
                 "versions"]
    assert [anchor for anchor in anchors if anchor in generated] == generated
    assert 'title="Permanent link">&para;</a></h2>\n<p>This version sets no schedule.</p>\n' in page
    assert "<p>This version has no weight-based dose table: see the doses below.</p>\n" in page
    assert 'title="Permanent link">&para;</a></h2>\n<p>This version has no algorithm.</p>\n' in page
    assert page.index('<h2 id="schedule">') < page.index("This version sets no schedule.") < page.index(
        '<h2 id="algorithm">') < page.index("This version has no algorithm.")


def test_reviewer_site_points_published_pages_at_the_version_in_preparation(library: Library) -> None:
    reviewer = render_site(library, AFTER_2_0, reviewer=True)
    banner = (
        '<div class="admonition info">\n<p class="admonition-title">Newer version in preparation</p>\n'
        '<p>Not yet approved: <a href="2.1/">version 2.1</a> (draft, not approved for use), '
        '<a href="2.1/diff/">its changes</a>.</p>\n</div>'
    )
    assert banner in shown_body(reviewer, "protocols/alpha-drug/index.md")
    assert "Newer version in preparation" not in reviewer["protocols/alpha-drug/2.1/index.md"]
    clinician = render_site(library, AFTER_2_0, reviewer=False)
    assert "Newer version in preparation" not in clinician["protocols/alpha-drug/index.md"]


def test_home_links_the_indexes_that_exist_on_each_site() -> None:
    from pathlib import Path

    from generator.load.library import load_library
    from generator.render.families import render_site

    library = load_library(Path(__file__).resolve().parents[2] / "protocols")
    clinician = shown_body(render_site(library, dt.date(2026, 11, 25), reviewer=False), "index.md")
    reviewer = shown_body(render_site(library, dt.date(2026, 11, 25), reviewer=True), "index.md")
    assert ('<p>Also: <a href="whats-new/">What&#39;s new</a> · <a href="drugs/">Drugs A to Z</a> · '
            '<a href="references/">Bibliography</a>.</p>\n') in clinician
    assert (
        '<p>Also: <a href="whats-new/">What&#39;s new</a> · <a href="drugs/">Drugs A to Z</a> · '
        '<a href="references/">Bibliography</a> · <a href="review/">Review dashboard</a>.</p>\n' in reviewer
    )


def test_section_links_in_changes_point_at_their_version_page_from_the_history(tmp_path) -> None:
    import shutil
    from pathlib import Path

    from generator.load.library import load_library
    from generator.render.families import render_site

    root = tmp_path / "protocols"
    shutil.copytree(Path(__file__).resolve().parents[2] / "protocols", root)
    draft = root / "ketamine-trd" / "1.1.yaml"
    draft.write_text(draft.read_text().replace("changes:\n", 'changes:\n  - "See [[#contraindications]]."\n', 1))
    history = render_site(load_library(root), dt.date(2026, 11, 25), reviewer=True)[
        "protocols/ketamine-trd/history/index.md"
    ]
    # root-relative in the page's text; relative once the site adapter places it on the history page
    assert 'See <a href="/protocols/ketamine-trd/1.1/index.md#contraindications">Contraindications</a>.' in history
    assert 'See <a href="../1.1/#contraindications">Contraindications</a>.' in localize(
        history, "protocols/ketamine-trd/history/index.md", True)
