"""'Referenced by' on protocol pages (generator/render/referenced_by.py) on the handbook tests' library:
alpha-drug 2.0 and 2.1 link to gamma-drug, gamma-drug 1.0 links to alpha-drug, the draft beta-draft
links to gamma-drug; alpha-drug 1.0 links to nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import shown_body
from test_handbooks import AS_OF, broken_links, write_handbook_library

from generator.approvals.publication import publication
from generator.load.library import Library, load_library
from generator.render import referenced_by
from generator.render.families import render_site
from generator.render.referenced_by import referenced_by_index
from generator.text.inline import VersionScan, scan_version


@pytest.fixture
def handbook_library(tmp_path: Path) -> Library:
    loaded = load_library(write_handbook_library(tmp_path), "protocols")
    assert loaded.diagnostics == []
    return loaded


def test_scan_finds_links_to_other_protocols_and_every_citation(handbook_library: Library) -> None:
    alpha = handbook_library.protocols["alpha-drug"].versions["2.0"].doc
    # [[#dose-table]] is a link within the page, not to another protocol
    assert scan_version(alpha) == VersionScan(
        frozenset({"gamma-drug"}), frozenset({"smith-2020", "label-alphacaine"})
    )
    gamma = handbook_library.protocols["gamma-drug"].versions["1.0"].doc
    assert scan_version(gamma) == VersionScan(frozenset({"alpha-drug"}), frozenset({"adams-2019"}))


def test_index_of_the_clinician_site_counts_published_versions_only(handbook_library: Library) -> None:
    index = referenced_by_index(publication(handbook_library, AS_OF, reviewer=False))
    assert {target: [(r.protocol_id, [v.version for v in r.versions]) for r in found] for target, found in
            index.items()} == {
        "alpha-drug": [("gamma-drug", ["1.0"])],
        "gamma-drug": [("alpha-drug", ["2.0"])],
    }


def test_index_of_the_reviewer_site_adds_drafts(handbook_library: Library) -> None:
    index = referenced_by_index(publication(handbook_library, AS_OF, reviewer=True))
    assert [(r.protocol_id, [v.version for v in r.versions]) for r in index["gamma-drug"]] == [
        ("alpha-drug", ["2.0", "2.1"]),
        ("beta-draft", ["1.0"]),
    ]
    assert "beta-draft" not in index


def test_each_version_is_scanned_once_per_index(handbook_library: Library, monkeypatch: pytest.MonkeyPatch) -> None:
    scanned: list[tuple[str, str]] = []
    real_scan = referenced_by.scan_version

    def counting_scan(doc: object) -> VersionScan:
        scanned.append((doc.id, doc.version))  # type: ignore[attr-defined]
        return real_scan(doc)

    monkeypatch.setattr(referenced_by, "scan_version", counting_scan)
    referenced_by_index(publication(handbook_library, AS_OF, reviewer=True))
    assert sorted(scanned) == [
        ("alpha-drug", "1.0"), ("alpha-drug", "2.0"), ("alpha-drug", "2.1"), ("beta-draft", "1.0"),
        ("gamma-drug", "1.0"),
    ]


def test_protocol_pages_list_the_protocols_that_link_to_them(handbook_library: Library) -> None:
    pages = render_site(handbook_library, AS_OF, reviewer=False)
    block = (
        '<h2 id="referenced-by">Referenced by<a class="headerlink" href="#referenced-by" title="Permanent link">'
        "&para;</a></h2>\n<p>Protocols on this site that link to this one:</p>\n<ul>\n"
        '<li><a href="../alpha-drug/">Alpha drug for tests</a>: <a href="../alpha-drug/2.0/">version 2.0</a> '
        "(current)</li>\n</ul>\n"
    )
    gamma = shown_body(pages, "protocols/gamma-drug/index.md")
    assert block in gamma
    assert gamma.index('id="references"') < gamma.index('id="referenced-by"') < gamma.index('id="versions"')
    version_page = shown_body(pages, "protocols/gamma-drug/1.0/index.md")
    assert (
        '<li><a href="../../alpha-drug/">Alpha drug for tests</a>: <a href="../../alpha-drug/2.0/">version 2.0</a> '
        "(current)</li>\n" in version_page
    )
    assert (
        '<li><a href="../gamma-drug/">Gamma drug for tests</a>: <a href="../gamma-drug/1.0/">version 1.0</a> '
        "(current)</li>\n" in shown_body(pages, "protocols/alpha-drug/index.md")
    )
    for path in ("protocols/gamma-drug/index.md", "protocols/gamma-drug/1.0/index.md", "protocols/alpha-drug/index.md"):
        assert broken_links(pages, path) == [], path
        assert "beta" not in pages[path].lower(), path


def test_reviewer_pages_name_drafts_that_link_and_no_block_without_links(handbook_library: Library) -> None:
    pages = render_site(handbook_library, AS_OF, reviewer=True)
    assert (
        '<li><a href="../alpha-drug/">Alpha drug for tests</a>: <a href="../alpha-drug/2.0/">version 2.0</a> '
        '(current), <a href="../alpha-drug/2.1/">version 2.1</a> (draft, not approved for use)</li>\n'
        '<li><a href="../beta-draft/">Beta protocol still in draft</a>: <a href="../beta-draft/1.0/">version 1.0</a> '
        "(draft, not approved for use)</li>\n"
    ) in shown_body(pages, "protocols/gamma-drug/index.md")
    assert "Referenced by" not in pages["protocols/beta-draft/index.md"]
    assert broken_links(pages, "protocols/gamma-drug/index.md") == []
