"""Handbook pages and their print views (generator/render/handbooks.py), on a small library written into
tmp_path. The library is shared with the drug, bibliography and "Referenced by" tests.

Library on AS_OF (2026-06-01): alpha-drug 1.0 (superseded), 2.0 (current), 2.1 (draft); gamma-drug 1.0
(current); beta-draft 1.0 (draft only). alpha 2.0 links to gamma-drug#safety, gamma links back to
alpha-drug#dosing; both have a `safety` section, so the print view must keep their anchors apart.
"""

from __future__ import annotations

import collections
import datetime as dt
import posixpath
import re
from pathlib import Path

import pytest
from helpers import (
    ALPHA_1_0_FIELDS,
    ALPHA_2_0_FIELDS,
    ALPHA_2_1_DRAFT,
    ALPHA_IV,
    ALPHA_POLICY,
    run,
    shown_body,
    signed_ledger,
    table_rows,
    version_yaml,
    with_fields,
    write_files,
)

from generator.load.library import Library, load_library
from generator.render.families import render_site

AS_OF = dt.date(2026, 6, 1)

REFERENCES = """\
smith-2020:
  type: article
  authors: [Smith AB]
  title: Alphacaine for testing
  journal: J Test Med
  year: 2020
adams-2019:
  type: article
  authors: [Adams C]
  title: Gammadol in practice
  journal: J Test Med
  year: 2019
label-alphacaine:
  type: label
  title: Alphacaine prescribing information
  publisher: Example Pharma
  year: 2021
brown-2018:
  type: article
  authors: [Brown D]
  title: Betamine studies
  journal: J Test Med
  year: 2018
"""

DRUGS = """\
alphacaine:
  name: alphacaine
  class: Local anaesthetic
  ceiling: 1 mg/kg
  notes: Keep cold [@label-alphacaine].
gammadol:
  name: gammadol
  class: Analgesic
betamine:
  name: betamine
zetacaine:
  name: zetacaine
"""

POLICY = ALPHA_POLICY

HANDBOOKS = """\
- id: testing
  title: Testing handbook
  description: Protocols used by the handbook tests [@smith-2020].
  protocols: [gamma-drug, alpha-drug, beta-draft]
- id: later
  title: Later handbook
  protocols: [beta-draft]
"""

ALPHA_1_0 = version_yaml(**ALPHA_1_0_FIELDS | {"summary": "Give {{ alpha-iv.dose }} {{ alpha-iv.route }} "
                                                           "[@smith-2020]."})

ALPHA_2_0_HERE = ALPHA_2_0_FIELDS | {
    "summary": "Give {{ alpha-iv.dose }} {{ alpha-iv.route }} over {{ alpha-iv.duration }} [@smith-2020].",
    "regimens": [with_fields(ALPHA_IV, concentration=None, notes=None, cite=["smith-2020"])], "phases": None,
    "sections": [{"id": "safety", "title": "Safety", "body": "Monitor blood pressure [@label-alphacaine]."}],
    "algorithm": ["Give the dose from the table ([[#dose-table]]).", "If that fails, see [[gamma-drug#safety]]."],
}
ALPHA_2_0 = version_yaml(**ALPHA_2_0_HERE)

ALPHA_2_1 = version_yaml(**ALPHA_2_0_HERE | ALPHA_2_1_DRAFT)

GAMMA_1_0 = """\
id: gamma-drug
version: "1.0"
title: Gamma drug for tests
status: approved
effective: 2026-02-01
owner: Department of Tests
summary: Give {{ gamma-po.dose }} by mouth [@adams-2019]. The alternative is [[alpha-drug#dosing]].
changes: []
regimens:
  - id: gamma-po
    drug: gammadol
    route: PO
    dose: 20 mg
sections:
  - id: safety
    title: Safety
    body: Watch for sedation ([[#dosing]]).
"""

BETA_1_0 = """\
id: beta-draft
version: "1.0"
title: Beta protocol still in draft
status: draft
summary: Not yet; see [[gamma-drug]].
changes: []
regimens:
  - id: beta-po
    drug: betamine
    route: PO
    dose: 10 mg
    cite: [brown-2018]
"""


def _ledger(folder: Path, protocol: str, versions: tuple[str, ...]) -> str:
    entries = [(version, reviewer, role, "2025-12-10") for version in versions
               for reviewer, role in (("Pat Pharm", "pharmacist"), ("Dr Phil Doc", "physician"))]
    return signed_ledger(folder, protocol, entries)


def write_handbook_library(root: Path) -> Path:
    folder = root / "protocols"
    files = {
        "_library/references.yaml": REFERENCES,
        "_library/drugs.yaml": DRUGS,
        "_library/policy.yaml": POLICY,
        "_library/handbooks.yaml": HANDBOOKS,
        "alpha-drug/1.0.yaml": ALPHA_1_0,
        "alpha-drug/2.0.yaml": ALPHA_2_0,
        "alpha-drug/2.1.yaml": ALPHA_2_1,
        "gamma-drug/1.0.yaml": GAMMA_1_0,
        "beta-draft/1.0.yaml": BETA_1_0,
    }
    write_files(folder, files)
    for protocol, versions in (("alpha-drug", ("1.0", "2.0")), ("gamma-drug", ("1.0",))):
        (folder / protocol / "approvals.yaml").write_text(_ledger(folder, protocol, versions), encoding="utf-8")
    return folder


@pytest.fixture
def handbook_library(tmp_path: Path) -> Library:
    loaded = load_library(write_handbook_library(tmp_path), "protocols")
    assert loaded.diagnostics == []
    return loaded


_MD_LINK = re.compile(r"\]\(<?([^)\s>]+)>?\)")
_HREF = re.compile(r'href="([^"]+)"')
_ATTR_IDS = re.compile(r"(?<!\\)\{:[^}\n]*\}")
_HTML_IDS = re.compile(r'(?<![\w-])id="([^"]+)"')


def page_anchors(text: str) -> list[str]:
    """Every explicit id of a page's Markdown (attribute lists and HTML), duplicates kept."""
    ids = [anchor for attrs in _ATTR_IDS.findall(text) for anchor in re.findall(r"#([\w-]+)", attrs)]
    return ids + _HTML_IDS.findall(text)


def broken_links(pages: dict[str, str], path: str) -> list[str]:
    """Links of one page to a page or an explicit anchor that the site does not have."""
    text = pages[path]
    broken = []
    for target in _MD_LINK.findall(text) + _HREF.findall(text):
        if target.startswith(("https://", "http://")):
            continue
        file, _, anchor = target.partition("#")
        if file.endswith("/"):  # a directory URL (HTML of author text): the page is its index.md
            file += "index.md"
        if file.startswith("/"):  # root-relative (generator HTML): a site path
            resolved = file[1:]
        else:
            resolved = posixpath.normpath(posixpath.join(posixpath.dirname(path), file)) if file else path
        if resolved not in pages or (anchor and anchor not in page_anchors(pages[resolved])):
            broken.append(target)
    return broken


def test_handbook_page_lists_its_protocols_in_handbook_order(handbook_library: Library) -> None:
    pages = render_site(handbook_library, AS_OF, reviewer=False)
    page = shown_body(pages, "handbooks/testing/index.md")
    assert pages["handbooks/testing/index.md"].startswith("# Testing handbook\n\n")
    assert page.startswith("<p>Protocols used by the handbook tests ")
    assert "<th>#</th>\n<th>Protocol</th>\n<th>Version</th>\n<th>Status</th>\n<th>Effective</th>" in page
    assert table_rows(page) == [
        ["1", '<a href="../../protocols/gamma-drug/">Gamma drug for tests</a>', "1.0", "current", "2026-02-01"],
        ["2", '<a href="../../protocols/alpha-drug/">Alpha drug for tests</a>', "2.0", "current", "2026-03-01"],
        ["3", "beta-draft", "", "not yet published", ""],
    ]
    assert '<a href="print/">Print the whole handbook</a>' in page
    assert "Beta protocol" not in page and "beta-draft/" not in page


def test_handbook_page_follows_the_build_date(handbook_library: Library) -> None:
    page = shown_body(render_site(handbook_library, dt.date(2026, 2, 15), reviewer=False), "handbooks/testing/index.md")
    assert table_rows(page)[1] == ["2", '<a href="../../protocols/alpha-drug/">Alpha drug for tests</a>', "1.0",
                                   "current", "2026-01-01"]


def test_reviewer_handbook_links_the_draft_and_marks_it(handbook_library: Library) -> None:
    pages = render_site(handbook_library, AS_OF, reviewer=True)
    rows = table_rows(shown_body(pages, "handbooks/testing/index.md"))
    assert rows[2] == ["3", '<a href="../../protocols/beta-draft/">Beta protocol still in draft</a>', "1.0",
                       "draft, not approved for use", ""]
    # the version in use stays the canonical one, not the draft 2.1
    assert rows[1][:4] == ["2", '<a href="../../protocols/alpha-drug/">Alpha drug for tests</a>', "2.0", "current"]


def test_description_citations_are_anchored_on_the_handbook_pages(handbook_library: Library) -> None:
    pages = render_site(handbook_library, AS_OF, reviewer=False)
    page = pages["handbooks/testing/index.md"]
    assert '<a href="#ref-smith-2020">1</a>' in page
    assert '<li id="ref-smith-2020">Smith AB. Alphacaine for testing. <em>J Test Med</em>. 2020.</li>\n' in page
    printed = pages["handbooks/testing/print/index.md"]
    assert '<a href="#h_ref-smith-2020">1</a>' in printed
    assert '<li id="h_ref-smith-2020">Smith AB. Alphacaine for testing.' in printed


def test_every_handbook_link_resolves_and_no_draft_reaches_the_clinician_site(handbook_library: Library) -> None:
    pages = render_site(handbook_library, AS_OF, reviewer=False)
    for path in ("handbooks/testing/index.md", "handbooks/testing/print/index.md", "handbooks/later/index.md"):
        assert broken_links(pages, path) == [], path
        assert "Beta protocol" not in pages[path] and "2.1" not in pages[path]
    assert table_rows(pages["handbooks/later/index.md"]) == [["1", "beta-draft", "", "not yet published", ""]]
    assert "<li>beta-draft: not yet published</li>\n" in pages["handbooks/later/print/index.md"]


def test_print_view_holds_every_protocol_once_with_unique_anchors(handbook_library: Library) -> None:
    for reviewer in (False, True):
        pages = render_site(handbook_library, AS_OF, reviewer=reviewer)
        printed = pages["handbooks/testing/print/index.md"]
        counts = collections.Counter(page_anchors(printed))
        assert [anchor for anchor, count in counts.items() if count > 1] == []
        assert broken_links(pages, "handbooks/testing/print/index.md") == []
        assert re.findall(r"^# .*$", printed, re.M) == ["# Testing handbook"]
        assert "<h1" not in printed  # the page's only H1 is its title
        protocols = re.findall(r'^<h2 class="pc-print-protocol" id="([a-z-]+)">(.*?)<a class="headerlink"',
                               printed, re.M)
        protocols = [(title, anchor) for anchor, title in protocols]
        expected = [("Gamma drug for tests", "gamma-drug"), ("Alpha drug for tests", "alpha-drug")]
        if reviewer:
            expected.append(("Beta protocol still in draft", "beta-draft"))
        assert protocols == expected


def test_print_view_prefixes_anchors_and_keeps_links_on_the_page(handbook_library: Library) -> None:
    pages = render_site(handbook_library, AS_OF, reviewer=False)
    printed = shown_body(pages, "handbooks/testing/print/index.md")
    # as the family writes it: no nowrap span (placed_page adds them once, see the test below)
    assert ('<li><a href="#gamma-drug">Gamma drug for tests</a>: version 1.0, current, effective '
            '2026-02-01</li>\n') in printed
    assert "<li>beta-draft: not yet published</li>\n" in printed
    for protocol in ("gamma-drug", "alpha-drug"):
        for section in ("summary", "dosing", "schedule", "dose-table", "safety", "algorithm", "references"):
            assert f'<h3 id="{protocol}_{section}">' in printed
    assert '<h3 id="gamma-drug_safety">Safety<a class="headerlink" href="#gamma-drug_safety"' in printed
    assert '<h3 id="alpha-drug_safety">Safety<a class="headerlink" href="#alpha-drug_safety"' in printed
    heading = ('<h4 id="alpha-drug_dose-table-alpha-iv">alphacaine 0.5 mg/kg IV (maximum 40 mg) over 30 minutes'
               '<a class="headerlink" href="#alpha-drug_dose-table-alpha-iv" title="Permanent link">&para;</a></h4>')
    assert heading in printed
    # [[#dose-table]] and [[gamma-drug#safety]] of alpha; [[alpha-drug#dosing]] and [[#dosing]] of gamma
    assert '<a href="#alpha-drug_dose-table">Dose table</a>' in printed
    assert '<a href="#gamma-drug_safety">Gamma drug for tests: Safety</a>' in printed
    assert '<a href="#alpha-drug_dosing">Alpha drug for tests: Dosing</a>' in printed
    assert '<a href="#gamma-drug_dosing">Dosing</a>' in printed
    # citations are numbered per protocol and point at that protocol's own reference list
    assert '<a href="#alpha-drug_ref-smith-2020">1</a>' in printed
    assert '<li id="alpha-drug_ref-smith-2020">' in printed and '<li id="gamma-drug_ref-adams-2019">' in printed
    # the version list is left out; the provenance link to it goes to the protocol's own page
    assert 'id="alpha-drug_versions"' not in printed
    assert '<a href="../../../protocols/alpha-drug/#versions">All versions</a>' in printed
    assert printed.count("pc-print-protocol") == 2


def test_print_view_keeps_the_effective_dates_of_its_list_together_once(handbook_library: Library) -> None:
    """On the placed page a date never breaks at its hyphens, wrapped once (the template wrapped it too
    before, and placed_page again: a span inside a span)."""
    pages = render_site(handbook_library, AS_OF, reviewer=False, directory_urls=True)
    printed = pages["handbooks/testing/print/index.md"]
    assert ('<li><a href="#gamma-drug">Gamma drug for tests</a>: version 1.0, current, effective '
            '<span class="pc-nowrap">2026-02-01</span></li>\n') in printed
    assert '<span class="pc-nowrap"><span class="pc-nowrap">' not in printed


def test_print_view_leaves_out_the_navigation_of_protocol_pages(handbook_library: Library) -> None:
    pages = render_site(handbook_library, AS_OF, reviewer=False)
    printed = pages["handbooks/testing/print/index.md"]
    canonical = pages["protocols/alpha-drug/index.md"]
    for navigation in ('<nav class="pc-switcher"', '<h2 id="versions">', '<h2 id="referenced-by">'):
        assert navigation in canonical
        assert navigation not in printed


def test_print_view_repeats_the_protocol_page_figures(handbook_library: Library) -> None:
    pages = render_site(handbook_library, AS_OF, reviewer=False)
    printed = pages["handbooks/testing/print/index.md"]
    canonical = pages["protocols/alpha-drug/index.md"]
    table = re.search(r'<div class="pc-dose-table".*?</div>', canonical, re.S)
    assert table is not None and table.group(0) in printed
    assert '<p class="pc-dose"><strong>alphacaine 0.5 mg/kg IV (maximum 40 mg) over 30 minutes</strong></p>' in printed
    assert '<p class="pc-dose"><strong>gammadol 20 mg PO</strong></p>' in printed


def test_handbook_pages_build_strictly(handbook_library: Library, tmp_path: Path) -> None:
    for flags, out in (((), "site"), (("--reviewer",), "site-review")):
        out_dir = tmp_path / out
        status, stdout, stderr = run(
            "build", *flags, "--as-of", AS_OF.isoformat(), "--out", str(out_dir), str(handbook_library.root)
        )
        assert (status, stderr) == (0, ""), stdout
        html = (out_dir / "handbooks" / "testing" / "print" / "index.html").read_text(encoding="utf-8")
        ids = collections.Counter(re.findall(r'\sid="([^"]+)"', html))
        assert [anchor for anchor, count in ids.items() if count > 1] == []
        assert "assets/handbook-print.css" in html


def test_print_view_lists_a_retired_protocol_but_does_not_print_it(handbook_library: Library) -> None:
    retired = handbook_library.protocols["gamma-drug"].versions["1.0"]
    retired.doc = retired.doc.model_copy(update={"status": "retired"})
    pages = render_site(handbook_library, AS_OF, reviewer=False)
    printed = shown_body(pages, "handbooks/testing/print/index.md")
    assert ('<li><a href="../../../protocols/gamma-drug/">Gamma drug for tests</a>: version 1.0, retired, effective '
            f'{retired.doc.effective.isoformat()}: <strong>not printed here, do not '
            "use</strong></li>\n") in printed
    assert 'id="gamma-drug"' not in printed and "gamma-drug_" not in printed
    assert '<h2 class="pc-print-protocol" id="alpha-drug">' in printed  # the protocols in use are still printed
    assert broken_links(pages, "handbooks/testing/print/index.md") == []


def test_print_meta_keeps_a_title_with_attribute_syntax_as_written(handbook_library: Library) -> None:
    """The print view rewrites ids; a title that looks like an id or an attribute list stays as written in the
    data the printed page header is made from."""
    version = handbook_library.protocols["alpha-drug"].versions["2.0"]
    version.doc = version.doc.model_copy(update={"title": 'Alpha {: #safety } "quoted" & <b>'})
    pages = render_site(handbook_library, AS_OF, reviewer=False)
    expected = 'data-title="Alpha {: #safety } &#34;quoted&#34; &amp; &lt;b&gt;"'
    for path in ("protocols/alpha-drug/index.md", "handbooks/testing/print/index.md"):
        assert expected in pages[path], path
