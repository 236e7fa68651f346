"""axe at a 390 x 844 phone and a 1366 x 768 desktop on the pages issue 16 part 2 changed (home, handbook and its
print view, protocol pages with the contents in the menu and the scrolling schedule, drug pages, the 404 page):
no serious or critical violation. tests/test_accessibility.py runs axe on one page of every kind."""

from __future__ import annotations

from pprint import pformat
from typing import Any

import pytest
from browser import recorded_context
from test_accessibility import axe_results, blocking

PAGES = [
    "index.html",
    "handbooks/psychiatry-trd/index.html",
    "handbooks/psychiatry-trd/print/index.html",
    "protocols/esketamine-trd/index.html",
    "protocols/ketamine-crps/index.html",
    "protocols/ketamine-trd-twice-weekly/index.html",
    "drugs/ketamine/index.html",
    "drugs/esketamine/index.html",
    "protocols/esketamine-trd/history/index.html",
    "protocols/esketamine-trd/1.1/diff/index.html",
    "404.html",
]


@pytest.mark.parametrize("viewport", [{"width": 390, "height": 844}, {"width": 1366, "height": 768}],
                         ids=["390", "1366"])
def test_no_serious_or_critical_violation_at_phone_and_desktop_width(served_sites: dict[str, Any],
                                                                     chromium_browser: Any,
                                                                     viewport: dict[str, int]) -> None:
    served = served_sites["clinician"]
    found: dict[str, list[str]] = {}
    for page_path in PAGES:
        with recorded_context(chromium_browser, served.base, viewport=viewport) as (context, _log):
            page = context.new_page()
            page.goto(served.url(page_path), wait_until="load")
            results = axe_results(page)
            assert results["passes"] > 10, page_path
            problems = blocking(results["violations"])
            if problems:
                found[page_path] = problems
    assert found == {}, pformat(found, width=160)
