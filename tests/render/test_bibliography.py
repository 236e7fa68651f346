"""The bibliography references/index.md (generator/render/bibliography.py) on the handbook tests' library."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from helpers import shown_body
from test_handbooks import AS_OF, broken_links, write_handbook_library

from generator.load.library import Library, load_library
from generator.render.families import render_site
from generator.text.citations import reference_page_html


@pytest.fixture
def handbook_library(tmp_path: Path) -> Library:
    loaded = load_library(write_handbook_library(tmp_path), "protocols")
    assert loaded.diagnostics == []
    return loaded


def entries(pages: dict[str, str]) -> list[tuple[str, str, str]]:
    """(entry HTML, anchor, cited-by line) of each bibliography entry, in page order, as the site shows them."""
    page = shown_body(pages, "references/index.md")
    return [(text, anchor, cited) for anchor, text, cited in
            re.findall(r'^<li>\n<p id="ref-([a-z0-9-]+)">(.*)</p>\n<p>(.*)</p>\n</li>$', page, re.M)]


def test_every_reference_in_ama_style_sorted_by_first_author_or_title(handbook_library: Library) -> None:
    found = entries(render_site(handbook_library, AS_OF, reviewer=False))
    # Adams C, then the label without authors (sorted by its title "Alphacaine ..."), Brown D, Smith AB
    assert [anchor for _, anchor, _ in found] == ["adams-2019", "label-alphacaine", "brown-2018", "smith-2020"]
    for text, anchor, _ in found:
        assert text == reference_page_html(handbook_library.references[anchor])
    assert found[0][0] == "Adams C. Gammadol in practice. <em>J Test Med</em>. 2019."


def test_clinician_site_names_the_protocols_in_use_that_cite_a_reference(handbook_library: Library) -> None:
    pages = render_site(handbook_library, AS_OF, reviewer=False)
    cited_by = {anchor: line for _, anchor, line in entries(pages)}
    assert cited_by == {
        "adams-2019": 'Cited by: <a href="../protocols/gamma-drug/">Gamma drug for tests</a>.',
        # cited twice by alpha-drug 2.0 (its section and its changes): the protocol is named once
        "label-alphacaine": 'Cited by: <a href="../protocols/alpha-drug/">Alpha drug for tests</a>.',
        # cited only by the draft beta-draft: drafts never count on the clinician site
        "brown-2018": "Cited by no protocol on this site.",
        "smith-2020": 'Cited by: <a href="../protocols/alpha-drug/">Alpha drug for tests</a>.',
    }
    assert broken_links(pages, "references/index.md") == []


def test_clinician_site_counts_only_the_version_in_use(handbook_library: Library) -> None:
    # label-alphacaine is cited only from 2.0: before 2.0 takes effect, nothing in use cites it
    pages = render_site(handbook_library, dt.date(2026, 2, 15), reviewer=False)
    cited_by = {anchor: line for _, anchor, line in entries(pages)}
    assert cited_by["label-alphacaine"] == "Cited by no protocol on this site."


def test_reviewer_site_names_every_citing_version(handbook_library: Library) -> None:
    pages = render_site(handbook_library, AS_OF, reviewer=True)
    cited_by = {anchor: line for _, anchor, line in entries(pages)}
    assert cited_by["brown-2018"] == (
        'Cited by: <a href="../protocols/beta-draft/">Beta protocol still in draft</a>, '
        'version <a href="../protocols/beta-draft/1.0/">1.0</a> (draft, not approved for use).'
    )
    assert cited_by["smith-2020"] == (
        'Cited by: <a href="../protocols/alpha-drug/">Alpha drug for tests</a>, versions '
        '<a href="../protocols/alpha-drug/1.0/">1.0</a> (superseded), '
        '<a href="../protocols/alpha-drug/2.0/">2.0</a> (current), '
        '<a href="../protocols/alpha-drug/2.1/">2.1</a> (draft, not approved for use).'
    )
    assert broken_links(pages, "references/index.md") == []
