"""The bibliography references/index.md (generator/render/bibliography.py) on the handbook tests' library."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from test_render_handbooks import AS_OF, broken_links, write_handbook_library

from generator.load.library import Library, load_library
from generator.render.families import render_site
from generator.text.citations import reference_page_html


@pytest.fixture
def handbook_library(tmp_path: Path) -> Library:
    loaded = load_library(write_handbook_library(tmp_path), "protocols")
    assert loaded.diagnostics == []
    return loaded


def entries(page: str) -> list[tuple[str, str, str]]:
    """(entry Markdown, anchor, cited-by line) of each bibliography entry, in page order."""
    return re.findall(r"^- (.*)\n\{: #ref-([a-z0-9-]+) \}\n\n    (.*)$", page, re.M)


def test_every_reference_in_ama_style_sorted_by_first_author_or_title(handbook_library: Library) -> None:
    page = render_site(handbook_library, AS_OF, reviewer=False)["references/index.md"]
    found = entries(page)
    # Adams C, then the label without authors (sorted by its title "Alphacaine ..."), Brown D, Smith AB
    assert [anchor for _, anchor, _ in found] == ["adams-2019", "label-alphacaine", "brown-2018", "smith-2020"]
    for text, anchor, _ in found:
        assert text == reference_page_html(handbook_library.references[anchor])
    assert found[0][0] == "Adams C. Gammadol in practice. <em>J Test Med</em>. 2019."


def test_clinician_site_names_the_protocols_in_use_that_cite_a_reference(handbook_library: Library) -> None:
    pages = render_site(handbook_library, AS_OF, reviewer=False)
    cited_by = {anchor: line for _, anchor, line in entries(pages["references/index.md"])}
    assert cited_by == {
        "adams-2019": "Cited by: [Gamma drug for tests](../protocols/gamma-drug/index.md).",
        # cited twice by alpha-drug 2.0 (its section and its changes): the protocol is named once
        "label-alphacaine": "Cited by: [Alpha drug for tests](../protocols/alpha-drug/index.md).",
        # cited only by the draft beta-draft: drafts never count on the clinician site
        "brown-2018": "Cited by no protocol on this site.",
        "smith-2020": "Cited by: [Alpha drug for tests](../protocols/alpha-drug/index.md).",
    }
    assert broken_links(pages, "references/index.md") == []


def test_clinician_site_counts_only_the_version_in_use(handbook_library: Library) -> None:
    # label-alphacaine is cited only from 2.0: before 2.0 takes effect, nothing in use cites it
    pages = render_site(handbook_library, dt.date(2026, 2, 15), reviewer=False)
    cited_by = {anchor: line for _, anchor, line in entries(pages["references/index.md"])}
    assert cited_by["label-alphacaine"] == "Cited by no protocol on this site."


def test_reviewer_site_names_every_citing_version(handbook_library: Library) -> None:
    pages = render_site(handbook_library, AS_OF, reviewer=True)
    cited_by = {anchor: line for _, anchor, line in entries(pages["references/index.md"])}
    assert cited_by["brown-2018"] == (
        "Cited by: [Beta protocol still in draft](../protocols/beta-draft/index.md), "
        "version [1.0](../protocols/beta-draft/1.0/index.md) (draft, not approved for use)."
    )
    assert cited_by["smith-2020"] == (
        "Cited by: [Alpha drug for tests](../protocols/alpha-drug/index.md), versions "
        "[1.0](../protocols/alpha-drug/1.0/index.md) (superseded), "
        "[2.0](../protocols/alpha-drug/2.0/index.md) (current), "
        "[2.1](../protocols/alpha-drug/2.1/index.md) (draft, not approved for use)."
    )
    assert broken_links(pages, "references/index.md") == []
