"""Canonical and permanent version pages and the version switcher: every published version has its page,
the switcher on every protocol page lists exactly the versions of that site with the anchors of each
version's page, and in a browser (assets/version-switcher.js) it keeps the reader's section."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from browser import recorded_context
from helpers import SAMPLE_LIBRARY, shown_body

from generator.load.library import Library, load_library
from generator.render.families import render_site
from generator.render.version_switcher import page_anchors
from generator.text.inline import GENERATED_SECTIONS

AS_OF = dt.date(2026, 6, 1)
SWITCHER = re.compile(r'<nav class="pc-switcher" aria-label="Versions of this protocol">\n<p>(.*?)</p>\n</nav>', re.S)
_LINK = re.compile(r'<a class="pc-switch" data-pc-anchors="([a-z0-9 -]+)" href="([^"]+)">([0-9.]+)</a> \(([^)]*)\)')


class LINK:  # noqa: N801  (the switcher's links as (version, link, anchors, state))
    @staticmethod
    def findall(switcher: str) -> list[tuple[str, str, str, str]]:
        return [(version, link, anchors, state) for anchors, link, version, state in _LINK.findall(switcher)]


@pytest.fixture(scope="module")
def sample() -> Library:
    return load_library(SAMPLE_LIBRARY, "protocols")


def switcher_of(page: str) -> str:
    """The switcher of a page's body as the site shows it (pass shown_body)."""
    found = SWITCHER.findall(page)
    assert len(found) == 1
    return found[0]


def protocol_pages(pages: dict[str, str]) -> list[str]:
    return [path for path in pages if re.fullmatch(r"protocols/[a-z0-9-]+/([0-9]+\.[0-9]+/)?index\.md", path)]


def test_every_published_version_has_a_permanent_page_and_every_protocol_a_canonical_one(sample: Library) -> None:
    clinician = render_site(sample, AS_OF, reviewer=False)
    reviewer = render_site(sample, AS_OF, reviewer=True)
    assert protocol_pages(clinician) == [
        "protocols/esketamine-trd/1.0/index.md",
        "protocols/esketamine-trd/1.1/index.md",
        "protocols/esketamine-trd/index.md",
        "protocols/ketamine-crps/1.0/index.md",
        "protocols/ketamine-crps/1.1/index.md",
        "protocols/ketamine-crps/index.md",
        "protocols/ketamine-trd-twice-weekly/1.0/index.md",
        "protocols/ketamine-trd-twice-weekly/1.1/index.md",
        "protocols/ketamine-trd-twice-weekly/1.2/index.md",
        "protocols/ketamine-trd-twice-weekly/index.md",
        "protocols/ketamine-trd/1.0/index.md",
        "protocols/ketamine-trd/index.md",
    ]
    assert sorted(set(protocol_pages(reviewer)) - set(protocol_pages(clinician))) == [
        "protocols/ketamine-trd/1.1/index.md"
    ]


def test_switcher_on_every_protocol_page_names_this_version_and_links_the_others(sample: Library) -> None:
    pages = render_site(sample, AS_OF, reviewer=True)
    version_page = switcher_of(shown_body(pages, "protocols/ketamine-trd/1.1/index.md"))
    assert version_page.startswith(
        '<strong>Versions:</strong> <strong>1.1</strong> (draft, not approved for use, this page) · '
        '<a class="pc-switch" data-pc-anchors="'
    )
    assert [(v, link, state) for v, link, _anchors, state in LINK.findall(version_page)] == [
        ("1.0", "../1.0/", "current")
    ]
    assert version_page.endswith('(current)<br>\n<a href="diff/">What changed since version 1.0</a>')
    canonical = switcher_of(shown_body(pages, "protocols/ketamine-trd/index.md"))
    assert "What changed" not in canonical  # it shows 1.0, the first version
    assert [(v, link, state) for v, link, _anchors, state in LINK.findall(canonical)] == [
        ("1.1", "1.1/", "draft, not approved for use"),
        ("1.0", "1.0/", "current, shown on this page"),
    ]
    for path in protocol_pages(pages):
        switcher_of(pages[path])  # exactly one on each


def test_clinician_switcher_lists_published_versions_only(sample: Library) -> None:
    pages = render_site(sample, AS_OF, reviewer=False)
    assert switcher_of(pages["protocols/ketamine-trd/1.0/index.md"]) == (
        "<strong>Versions:</strong> <strong>1.0</strong> (current, this page)")
    canonical = switcher_of(pages["protocols/ketamine-trd/index.md"])
    assert [version for version, *_ in LINK.findall(canonical)] == ["1.0"]
    assert "1.1" not in canonical


def test_switcher_anchors_are_the_anchors_of_the_target_page(sample: Library) -> None:
    pages = render_site(sample, AS_OF, reviewer=True)
    for path in protocol_pages(pages):
        for version, link, anchors, _state in LINK.findall(switcher_of(pages[path])):
            protocol_id = path.split("/")[1]
            target = pages[f"protocols/{protocol_id}/{version}/index.md"]
            on_page = set(re.findall(r' id="([a-z0-9-]+)"', target))
            assert set(anchors.split()) <= on_page, (path, link)
            assert {"summary", "dosing", "versions", "approvals"} <= set(anchors.split())
    [(_v, _link, anchors, _state)] = LINK.findall(switcher_of(pages["protocols/ketamine-trd/1.1/index.md"]))
    assert {"monitoring", "regimen-ketamine-iv", "phase-induction", "dose-table-ketamine-iv"} <= set(anchors.split())
    doc = sample.protocols["ketamine-trd"].versions["1.0"].doc
    assert page_anchors(doc)[:len(GENERATED_SECTIONS)] == list(GENERATED_SECTIONS)
    assert page_anchors(doc)[len(GENERATED_SECTIONS):] == [
        "regimen-ketamine-iv", "phase-induction", "phase-maintenance", "dose-table-ketamine-iv",
        *[section.id for section in doc.sections],
    ]


def test_provenance_of_a_version_in_preparation(sample: Library) -> None:
    page = shown_body(render_site(sample, AS_OF, reviewer=True), "protocols/ketamine-trd/1.1/index.md")
    assert "<strong>Version 1.1</strong> · draft, not approved for use · Department of Psychiatry</p>\n" in page
    assert '<p id="approvals">No approvals yet. Still needed: a pharmacist and a psychiatrist</p>\n' in page
    assert re.search(r'Fingerprint <code>sha256:[0-9a-f]{8}</code> · <a href="#versions">All versions</a>', page)
    assert "<strong>Draft.</strong> Version 1.1 is a draft: not approved for clinical use. The version in use is " \
           '<a href="../">version 1.0</a>.</p>\n' in page


@pytest.mark.parametrize("start", ["monitoring", "dose-table-ketamine-iv", "phase-maintenance"])
def test_switcher_keeps_the_readers_section_in_a_browser(
    served_sites: dict[str, Any], chromium_browser: Any, start: str
) -> None:
    served = served_sites["reviewer"]
    draft = served.url("protocols/ketamine-trd/1.1/index.html")
    href = "document.querySelector('nav.pc-switcher a.pc-switch').getAttribute('href')"
    with recorded_context(chromium_browser, served.base) as (context, log):
        page = context.new_page()
        log.watch(page)
        page.goto(draft, wait_until="networkidle")
        assert page.evaluate(href) == "../1.0/"  # no section chosen: the top of the other version
        page.goto(f"{draft}#{start}", wait_until="networkidle")
        page.wait_for_function(f"() => {href} === '../1.0/#{start}'")
        page.locator("nav.pc-switcher a.pc-switch").click()  # scrolls up to the switcher first
        page.wait_for_load_state("networkidle")
        assert page.url == served.url("protocols/ketamine-trd/1.0/index.html") + f"#{start}"
        assert page.locator(f"#{start}").count() == 1
        assert log.page_errors == []
