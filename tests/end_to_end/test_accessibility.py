"""Accessibility and phone layout of every page (issue 16): axe-core (node_modules/axe-core, pinned in
package-lock.json) in Chromium finds nothing, at any impact level, on every HTML page of both sample sites
at 1366 x 768 and at 390 x 844. At 390 px, on the same page loads: every table fits or scrolls inside a
box of its own that a keyboard can reach and that has a name, and no quantity ("25 mg/h") or date
("2026-03-02") is split across two lines.

One browser context per site and width, the pages in a loop. The calculator's keyboard use and its
aria-live result are tested in tests/end_to_end/test_dose_calculator_browser.py and
tests/end_to_end/test_dose_panel_browser.py.
"""

from __future__ import annotations

from pathlib import Path
from pprint import pformat
from typing import Any

import pytest
from axe import DESKTOP, PHONE, axe_results, blocking, split_quantities_and_dates
from browser import REPO_ROOT, recorded_context, without_nowrap
from site_pages import SITES

# Each table of the page's content: it fits the viewport, or a box between it and the page scrolls
# sideways, fits the viewport, is in the keyboard's tab order and has a name (axe's
# scrollable-region-focusable, and a screen reader announces what scrolls).
TABLES = """() => {
  const viewport = document.documentElement.clientWidth;
  const scrolls = el => ["auto", "scroll"].includes(getComputedStyle(el).overflowX);
  return [...document.querySelectorAll("article table")].filter(t => t.getClientRects().length).map(table => {
    let box = table.parentElement;
    while (box && box !== document.body && !scrolls(box)) box = box.parentElement;
    const inBox = box && box !== document.body;
    const named = inBox && (box.hasAttribute("aria-label") || box.hasAttribute("aria-labelledby"));
    return {
      head: (table.querySelector("th") || table).textContent.trim().slice(0, 40),
      fits: table.getBoundingClientRect().right <= viewport + 0.5,
      scrolls: Boolean(inBox && box.getBoundingClientRect().right <= viewport + 0.5 && box.tabIndex >= 0 && named),
    };
  });
}"""


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1366", "390"])
@pytest.mark.parametrize("site", SITES)
def test_axe_finds_nothing_on_any_page_and_phone_tables_and_quantities_hold(
        served_sites: dict[str, Any], chromium_browser: Any, site: str, viewport: dict[str, int]) -> None:
    served = served_sites[site]
    pages = served.site.html_pages()
    assert len(pages) >= 25 and "404.html" in pages and "protocols/ketamine-crps/index.html" in pages
    found: dict[str, list[str]] = {}
    tables = quantities = 0
    with recorded_context(chromium_browser, served.base, viewport=viewport) as (context, log):
        page = context.new_page()
        log.watch(page)
        for page_path in pages:
            page.goto(served.url(page_path), wait_until="load")
            results = axe_results(page)
            assert results["rules"] == "4.14.1" and results["passes"] > 10, page_path  # axe really ran
            problems = blocking(results["violations"])
            if viewport == PHONE:
                layout = page.evaluate(TABLES)
                tables += len(layout)
                problems += [f"table {t['head']!r} neither fits nor scrolls in a focusable, named box"
                             for t in layout if not (t["fits"] or t["scrolls"])]
                split, whole = split_quantities_and_dates(page)
                quantities += whole
                problems += [f"{text!r} is split across lines" for text in split]
            if problems:
                found[page_path] = problems
        # A request cut short by going to the next page (Material's search worker) is not a failure.
        assert log.failed == []
        assert (log.external, log.page_errors) == ([], [])
    assert found == {}, pformat(found, width=160)
    if viewport == PHONE:
        assert tables > 20 and quantities > 300  # the checks saw the sample's tables and figures


def test_axe_reports_a_minor_violation_and_a_serious_one(chromium_browser: Any) -> None:
    """The check above can fail, at every impact level: axe flags an unlabelled field and an image without
    alternative text (critical), and two navigation landmarks of the same name (moderate)."""
    page = chromium_browser.new_page()
    try:
        page.set_content('<!doctype html><html lang="en"><head><title>t</title></head><body><main><h1>t</h1>'
                         '<input type="text"><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">'
                         '<nav aria-label="Dose"><a href="#a">a</a></nav><nav aria-label="Dose"><a href="#b">b</a>'
                         '</nav></main></body></html>')
        violations = axe_results(page)["violations"]
    finally:
        page.close()
    assert [line.split(":")[0] for line in blocking(violations)] == [
        "critical image-alt", "critical label", "moderate landmark-unique"]


def test_a_split_quantity_or_date_is_found(chromium_browser: Any) -> None:
    """The quantity check above can fail: in a 60 px column, "25 mg/h" and "2026-03-02" break unless kept
    on one line; a no-break space counts as kept (it is matched too), a nowrap span keeps them."""
    page = chromium_browser.new_page(viewport=PHONE)
    try:
        page.set_content('<!doctype html><html lang="en"><head><title>t</title></head><body>'
                         '<p style="width: 60px">Rate 25 mg/h from 2026-03-02; 0.5\u00a0mg/kg</p>'
                         '<p style="width: 60px"><span style="white-space: nowrap">25 mg/h</span> '
                         '<span style="white-space: nowrap">2026-03-02</span></p>'
                         '<svg><text>5 mg</text></svg><p hidden>5 mg</p></body></html>')
        split, whole = split_quantities_and_dates(page)
    finally:
        page.close()
    assert (split, whole) == (["25 mg/h", "2026-03-02"], 3)


def test_the_search_dialog_has_a_name() -> None:
    """site_templates/overrides/partials/search.html (the Pagefind search box in Material's markup, see
    tests/site/test_search_index.py) names its dialog (axe rule aria-dialog-name)."""
    ours = (REPO_ROOT / "site_templates/overrides/partials/search.html").read_text(encoding="utf-8")
    assert ours.count('role="dialog" aria-label="{{ lang.t(\'search\') }}"') == 1


def test_the_toc_item_partial_is_materials_but_for_one_landmark() -> None:
    """overrides/partials/toc-item.html: Material's, with sub-lists of the contents as <div>, not <nav>."""
    original = material_partial("toc-item.html")
    ours = without_nowrap((REPO_ROOT / "site_templates/overrides/partials/toc-item.html").read_text(encoding="utf-8"))
    nav = '<nav class="md-nav" aria-label="{{ toc_item.title | striptags | e }}">'
    assert original.count(nav) == 1 and original.count("</nav>") == 1
    assert ours.split("-#}\n", 1)[1] == original.split("-#}\n", 1)[1].replace(nav, '<div class="md-nav">').replace(
        "</nav>", "</div>")


def test_the_nav_item_partial_is_materials_but_for_the_sections_name() -> None:
    """overrides/partials/nav-item.html: Material's, with the id its aria-labelledby needs on a section
    whose index page is its only page."""
    original = material_partial("nav-item.html")
    ours = without_nowrap((REPO_ROOT / "site_templates/overrides/partials/nav-item.html").read_text(encoding="utf-8"))
    title = '<label class="md-nav__title" for="{{ path }}">'
    named = ('<label class="md-nav__title" for="{{ path }}"'
             '{% if index and nav_item.children | length <= 1 %} id="{{ path }}_label"{% endif %}>')
    assert original.count(title) == 1
    assert ours.split("-#}\n", 1)[1] == original.split("-#}\n", 1)[1].replace(title, named)


def material_partial(name: str) -> str:
    import material

    return (Path(material.__file__).parent / "templates/partials" / name).read_text(encoding="utf-8")
