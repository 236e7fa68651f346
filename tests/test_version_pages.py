"""Canonical and permanent version pages and the version switcher: every published version has its page,
the switcher on every protocol page lists exactly the versions of that site with the anchors of each
version's page, and in a browser (assets/version-switcher.js) it keeps the reader's section."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from browser import recorded_context

from generator.load.library import Library, load_library
from generator.render.families import render_site
from generator.render.version_switcher import page_anchors

SAMPLE_LIBRARY = Path(__file__).resolve().parent.parent / "protocols"
AS_OF = dt.date(2026, 6, 1)
SWITCHER = re.compile(r'<nav class="pc-switcher" aria-label="Versions of this protocol" markdown>\n(.*?)\n</nav>', re.S)
LINK = re.compile(r'\[([0-9.]+)\]\(([^)]+)\)\{: \.pc-switch data-pc-anchors="([a-z0-9 -]+)" \} \(([^)]*)\)')


@pytest.fixture(scope="module")
def sample() -> Library:
    return load_library(SAMPLE_LIBRARY, "protocols")


def switcher_of(page: str) -> str:
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
    version_page = switcher_of(pages["protocols/ketamine-trd/1.1/index.md"])
    assert version_page.startswith(
        "**Versions:** **1.1** (draft, not approved for use, this page) · [1.0](../1.0/index.md)"
    )
    assert [(v, link, state) for v, link, _anchors, state in LINK.findall(version_page)] == [
        ("1.0", "../1.0/index.md", "current")
    ]
    assert version_page.endswith("(current)  \n[What changed since version 1.0](diff/index.md)")
    canonical = switcher_of(pages["protocols/ketamine-trd/index.md"])
    assert "What changed" not in canonical  # it shows 1.0, the first version
    assert [(v, link, state) for v, link, _anchors, state in LINK.findall(canonical)] == [
        ("1.1", "1.1/index.md", "draft, not approved for use"),
        ("1.0", "1.0/index.md", "current, shown on this page"),
    ]
    for path in protocol_pages(pages):
        switcher_of(pages[path])  # exactly one on each


def test_clinician_switcher_lists_published_versions_only(sample: Library) -> None:
    pages = render_site(sample, AS_OF, reviewer=False)
    assert switcher_of(pages["protocols/ketamine-trd/1.0/index.md"]) == "**Versions:** **1.0** (current, this page)"
    canonical = switcher_of(pages["protocols/ketamine-trd/index.md"])
    assert [version for version, *_ in LINK.findall(canonical)] == ["1.0"]
    assert "1.1" not in canonical


def test_switcher_anchors_are_the_anchors_of_the_target_page(sample: Library) -> None:
    pages = render_site(sample, AS_OF, reviewer=True)
    for path in protocol_pages(pages):
        for version, link, anchors, _state in LINK.findall(switcher_of(pages[path])):
            protocol_id = path.split("/")[1]
            target = pages[f"protocols/{protocol_id}/{version}/index.md"]
            on_page = set(re.findall(r"\{: #([a-z0-9-]+) \}", target))
            assert set(anchors.split()) <= on_page, (path, link)
            assert {"summary", "dosing", "versions", "approvals"} <= set(anchors.split())
    [(_v, _link, anchors, _state)] = LINK.findall(switcher_of(pages["protocols/ketamine-trd/1.1/index.md"]))
    assert {"monitoring", "regimen-ketamine-iv", "phase-induction", "dose-table-ketamine-iv"} <= set(anchors.split())
    doc = sample.protocols["ketamine-trd"].versions["1.0"].doc
    assert page_anchors(doc)[:9] == [
        "summary", "dose-table", "approvals", "dosing", "schedule", "algorithm", "changes", "references", "versions",
    ]


def test_provenance_of_a_version_in_preparation(sample: Library) -> None:
    page = render_site(sample, AS_OF, reviewer=True)["protocols/ketamine-trd/1.1/index.md"]
    assert "**Version 1.1** · draft, not approved for use · Department of Psychiatry\n" in page
    assert "No approvals yet. Still needed: a pharmacist and a psychiatrist\n{: #approvals }\n" in page
    assert re.search(r"Fingerprint `sha256:[0-9a-f]{8}` · \[All versions\]\(#versions\)", page)
    assert "**Draft.** Version 1.1 is a draft: not approved for clinical use. The version in use is " \
           "[version 1.0](../index.md).\n" in page


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
