"""Layout at a 390 x 844 phone and a 1366 x 768 desktop, in Chromium (issue 16): no page scrolls sideways, every
table fits or scrolls inside its own box, dates do not wrap in the home and handbook tables and the home
table's "Effective" column is on screen, the drug regimens table fits at 1366 px, the schedule timeline's
text is at least 11 px, and the phone's menu lists the contents of a protocol page (which is not in the
site navigation) with links that work.
"""

from __future__ import annotations

import re
from pprint import pformat
from typing import Any

import pytest

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 768}
PAGES = [
    "index.html",
    "handbooks/psychiatry-trd/index.html",
    "protocols/ketamine-trd/index.html",
    "protocols/ketamine-crps/index.html",
    "protocols/esketamine-trd/index.html",
    "protocols/esketamine-trd/1.0/index.html",
    "protocols/ketamine-trd-twice-weekly/index.html",
    "drugs/ketamine/index.html",
    "drugs/esketamine/index.html",
    "references/index.html",
    "handbooks/psychiatry-trd/print/index.html",
    "protocols/esketamine-trd/history/index.html",
    "protocols/esketamine-trd/1.1/diff/index.html",
    "drugs/index.html",
    "404.html",
]

# Each table: does it fit its box, and if not, is there a box between it and the page that scrolls sideways
# and itself fits the viewport?
LAYOUT = """() => {
  const viewport = document.documentElement.clientWidth;
  const scrolls = el => ["auto", "scroll"].includes(getComputedStyle(el).overflowX);
  const tables = [...document.querySelectorAll("article table")].map(table => {
    let box = table.parentElement;
    while (box && box !== document.body && !scrolls(box)) box = box.parentElement;
    const rect = table.getBoundingClientRect();
    const fits = rect.right <= viewport + 0.5;
    const scrolled = box && box !== document.body && box.getBoundingClientRect().right <= viewport + 0.5;
    return {head: table.querySelector("th") ? table.querySelector("th").textContent.trim() : "", fits, scrolled};
  });
  return {pageWidth: document.documentElement.scrollWidth, viewport, tables};
}"""


def open_page(browser: Any, served: Any, page_path: str, viewport: dict[str, int]) -> Any:
    page = browser.new_page(viewport=viewport)
    page.goto(served.url(page_path), wait_until="load")
    return page


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390", "1366"])
def test_no_page_scrolls_sideways_and_every_table_fits_or_scrolls_in_its_box(
        served_sites: dict[str, Any], chromium_browser: Any, viewport: dict[str, int]) -> None:
    served = served_sites["clinician"]
    problems: dict[str, list[str]] = {}
    checked = 0
    for page_path in PAGES:
        page = open_page(chromium_browser, served, page_path, viewport)
        try:
            layout = page.evaluate(LAYOUT)
        finally:
            page.close()
        found = []
        if layout["pageWidth"] > layout["viewport"]:
            found.append(f"page is {layout['pageWidth']} px wide in a {layout['viewport']} px viewport")
        found += [f"table {t['head']!r} neither fits nor scrolls in its box" for t in layout["tables"]
                  if not (t["fits"] or t["scrolled"])]
        checked += len(layout["tables"])
        if found:
            problems[page_path] = found
    assert problems == {}, pformat(problems, width=160)
    assert checked > 15


DATES = """() => {
  const viewport = document.documentElement.clientWidth;
  const cells = [...document.querySelectorAll("article table td")]
    .filter(td => /^\\d{4}-\\d{2}-\\d{2}$/.test(td.textContent.trim()));
  return cells.map(td => {
    const range = document.createRange();
    range.selectNodeContents(td);
    const lines = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
    return {text: td.textContent.trim(), lines: lines.size, right: td.getBoundingClientRect().right, viewport};
  });
}"""


@pytest.mark.parametrize("page_path", ["index.html", "handbooks/psychiatry-trd/index.html"])
def test_dates_stay_on_one_line_and_on_screen_at_390_px(served_sites: dict[str, Any], chromium_browser: Any,
                                                        page_path: str) -> None:
    page = open_page(chromium_browser, served_sites["clinician"], page_path, PHONE)
    try:
        cells = page.evaluate(DATES)
        effective = page.evaluate("""() => [...document.querySelectorAll("article th")]
            .filter(th => th.textContent.trim() === "Effective").map(th => th.getBoundingClientRect().right)""")
    finally:
        page.close()
    assert len(cells) >= 2
    assert [c for c in cells if c["lines"] != 1 or c["right"] > c["viewport"]] == []
    assert effective and all(right <= PHONE["width"] for right in effective)  # protocols in use and retired ones


def test_the_drug_regimens_table_fits_at_1366_px(served_sites: dict[str, Any], chromium_browser: Any) -> None:
    for drug in ("ketamine", "esketamine"):
        page = open_page(chromium_browser, served_sites["clinician"], f"drugs/{drug}/index.html", DESKTOP)
        try:
            widths = page.evaluate("""() => [...document.querySelectorAll(".pc-drug-regimens table")]
                .map(t => [t.scrollWidth, t.closest(".md-typeset__scrollwrap").clientWidth])""")
        finally:
            page.close()
        assert len(widths) == 1 and widths[0][0] <= widths[0][1], (drug, widths)


def test_the_schedule_text_is_at_least_11_px_on_a_phone(served_sites: dict[str, Any], chromium_browser: Any) -> None:
    for protocol in ("ketamine-trd", "esketamine-trd", "ketamine-crps"):
        page = open_page(chromium_browser, served_sites["clinician"], f"protocols/{protocol}/index.html", PHONE)
        try:
            sizes = page.evaluate("""() => {
              const svg = document.querySelector(".pc-schedule svg");
              const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
              return [...svg.querySelectorAll("text")].map(t => Number(t.getAttribute("font-size")) * scale);
            }""")
            focusable = page.evaluate("document.querySelector('.pc-schedule__scroll').tabIndex")
        finally:
            page.close()
        assert sizes and min(sizes) >= 11, (protocol, sizes)
        assert focusable == 0  # the box that scrolls can be scrolled from the keyboard


@pytest.mark.parametrize("page_path", ["protocols/ketamine-crps/index.html", "protocols/esketamine-trd/1.0/index.html"])
def test_the_phone_menu_lists_the_page_contents(served_sites: dict[str, Any], chromium_browser: Any,
                                                page_path: str) -> None:
    page = open_page(chromium_browser, served_sites["clinician"], page_path, PHONE)
    try:
        page.click("label.md-header__button[for=__drawer]")
        page.click(".md-nav--primary .pc-page-toc > label[for=__toc]")
        toc = page.locator(".md-nav--primary .pc-page-toc .md-nav--secondary")
        toc.get_by_role("link", name="Dose table", exact=True).wait_for(state="visible")
        hrefs = toc.locator("a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
        assert {"#summary", "#dosing", "#schedule", "#dose-table", "#algorithm"} <= set(hrefs)
        toc.get_by_role("link", name="Algorithm", exact=True).click()
        page.wait_for_function("location.hash === '#algorithm'")
    finally:
        page.close()


def test_the_page_contents_are_not_repeated_in_the_desktop_sidebar(served_sites: dict[str, Any],
                                                                   chromium_browser: Any) -> None:
    """On a wide screen the contents are in the right-hand sidebar; the left one shows only the page's title."""
    page = open_page(chromium_browser, served_sites["clinician"], "protocols/ketamine-crps/index.html", DESKTOP)
    try:
        left = page.locator(".md-sidebar--primary .pc-page-toc .md-nav--secondary")
        right = page.locator(".md-sidebar--secondary .md-nav--secondary")
        assert not left.is_visible() and right.is_visible()
    finally:
        page.close()


def test_the_nav_partial_is_materials_but_for_the_page_contents() -> None:
    """site_templates/overrides/partials/nav.html copies Material's and adds the contents of a page outside the
    navigation; a Material upgrade that changes the original must be merged into the copy."""
    from pathlib import Path

    import material
    from browser import REPO_ROOT, without_nowrap

    original = (Path(material.__file__).parent / "templates/partials/nav.html").read_text(encoding="utf-8")
    ours = without_nowrap((REPO_ROOT / "site_templates/overrides/partials/nav.html").read_text(encoding="utf-8"))
    addition = ours[ours.index("    {#- protocols:"):ours.index("  </ul>\n</nav>")]
    assert 'include "partials/pc-page-toc.html"' in addition
    # The loop over the items sits in the theme cache's lines (tests/site/test_theme_cache.py checks them).
    cache_lines = re.findall(
        r"\{% set pc_key .*?\{% set pc_items %\}|\{% endset %\}\{\{ pc_theme_cache.*?\{% endif %\}", ours)
    assert len(cache_lines) == 2
    for line in cache_lines:
        ours = ours.replace(line, "")
    assert ours.split("-#}\n", 1)[1].replace(addition, "") == original.split("-#}\n", 1)[1]
