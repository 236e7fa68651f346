"""Accessibility: axe-core (node_modules/axe-core, pinned in package-lock.json) on one page of every kind of
both sites, in Chromium: no serious or critical violation of WCAG 2.x A/AA or axe's best practices.

The calculator's keyboard use and its aria-live result are tested in tests/test_dosecalc_browser.py.
"""

from __future__ import annotations

from pprint import pformat
from typing import Any

import pytest
from browser import REPO_ROOT, node_tool, recorded_context
from site_pages import SITES

BLOCKING_IMPACTS = ("serious", "critical")
RUN_AXE = """async () => {
  const results = await axe.run(document, {resultTypes: ["violations"]});
  return {
    rules: results.testEngine.version,
    passes: results.passes.length,
    violations: results.violations.map(v => ({
      id: v.id, impact: v.impact, help: v.help,
      targets: v.nodes.slice(0, 5).map(n => n.target.join(" ")),
    })),
  };
}"""


def axe_results(page: Any) -> dict[str, Any]:
    page.add_script_tag(path=str(node_tool("axe-core/axe.min.js")))
    return page.evaluate(RUN_AXE)


def blocking(violations: list[dict[str, Any]]) -> list[str]:
    return [f"{v['impact']} {v['id']}: {v['help']} at {', '.join(v['targets'])}"
            for v in violations if v["impact"] in BLOCKING_IMPACTS]


@pytest.mark.parametrize("site", SITES)
def test_no_serious_or_critical_violation_on_any_page_kind(served_sites: dict[str, Any], chromium_browser: Any,
                                                           site: str) -> None:
    served = served_sites[site]
    selected = served.site.selected()
    found: dict[str, list[str]] = {}
    for kind, page_path in selected.items():
        with recorded_context(chromium_browser, served.base_for(page_path)) as (context, _log):
            page = context.new_page()
            page.goto(served.url(page_path), wait_until="load")
            results = axe_results(page)
            assert results["rules"] == "4.14.1" and results["passes"] > 10, page_path  # axe really ran
            problems = blocking(results["violations"])
            if problems:
                found[f"{kind} ({page_path})"] = problems
    assert found == {}, pformat(found, width=160)


def test_axe_reports_a_serious_violation(chromium_browser: Any) -> None:
    """The check above can fail: axe flags an unlabelled field and an image without alternative text."""
    page = chromium_browser.new_page()
    try:
        page.set_content('<!doctype html><html lang="en"><head><title>t</title></head><body><main>'
                         '<input type="text"><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">'
                         '</main></body></html>')
        violations = axe_results(page)["violations"]
    finally:
        page.close()
    assert [line.split(":")[0] for line in blocking(violations)] == ["critical image-alt", "critical label"]


def test_the_search_dialog_has_a_name() -> None:
    """site_templates/overrides/partials/search.html (the Pagefind search box in Material's markup, see
    tests/test_search.py) names its dialog (axe rule aria-dialog-name)."""
    ours = (REPO_ROOT / "site_templates/overrides/partials/search.html").read_text(encoding="utf-8")
    assert ours.count('role="dialog" aria-label="{{ lang.t(\'search\') }}"') == 1
