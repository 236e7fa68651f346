"""axe-core in Chromium and the split-text probe of a page (moved here from
tests/end_to_end/test_accessibility.py so that tests of other stages can use them)."""

from __future__ import annotations

from typing import Any

from browser import node_tool

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 768}
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

# Every visible quantity (a number, a space or no-break space, a unit) and ISO date of the page's text,
# with the number of lines it takes. Written independently of generator/render/nowrap.py.
SPLIT_TEXT = r"""() => {
  const pattern = new RegExp(
    String.raw`(?<![\w.,])\d[\d,]*(?:\.\d+)?[ \u00a0]` +
    String.raw`(?:mcg|mg|g|units|mL|L|kg|lb|h|min|minutes?|hours?|days?|weeks?|months?)` +
    String.raw`(?:\/(?:kg|min|h|mL))*(?![\w\/])` +
    String.raw`|(?<![\w-])\d{4}-\d{2}-\d{2}(?![\w-])`, "g");
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT, {acceptNode: node =>
    node.parentElement.closest("script, style, svg, noscript, template") ? NodeFilter.FILTER_REJECT
                                                                         : NodeFilter.FILTER_ACCEPT});
  const found = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (const match of node.data.matchAll(pattern)) {
      const range = document.createRange();
      range.setStart(node, match.index);
      range.setEnd(node, match.index + match[0].length);
      const lines = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
      found.push({text: match[0], lines: lines.size});
    }
  }
  return found;
}"""


def axe_results(page: Any) -> dict[str, Any]:
    page.add_script_tag(path=str(node_tool("axe-core/axe.min.js")))
    return page.evaluate(RUN_AXE)


def blocking(violations: list[dict[str, Any]]) -> list[str]:
    """Every violation, whatever its impact (minor and moderate included): the issue asks for nothing."""
    return [f"{v['impact']} {v['id']}: {v['help']} at {', '.join(v['targets'])}" for v in violations]


def split_quantities_and_dates(page: Any) -> tuple[list[str], int]:
    """(the quantities and dates of a page shown on more than one line, how many were seen on screen)."""
    texts = page.evaluate(SPLIT_TEXT)
    return [t["text"] for t in texts if t["lines"] > 1], sum(1 for t in texts if t["lines"] == 1)
