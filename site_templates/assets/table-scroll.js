/* Tables that scroll sideways inside their own box (issue 16: phone). Material wraps every table of a page
 * in a box that scrolls (.md-typeset__scrollwrap, overflow-x auto); this makes that box reachable by
 * keyboard (tabindex 0: arrow keys scroll it) and names it for a screen reader (role region, the table's
 * caption or the heading above it), as axe's scrollable-region-focusable asks. Names are made unique on a
 * page ("(table 2)") so that no two regions read alike. Runs on every page Material shows (document$),
 * after Material's own wrapping, and again at load.
 */
(function () {
  "use strict";

  function headingBefore(node) {
    for (var at = node; at && !at.matches("article"); at = at.parentElement) {
      for (var before = at.previousElementSibling; before; before = before.previousElementSibling) {
        if (/^H[1-6]$/.test(before.tagName)) return before;
      }
    }
    return null;
  }

  function spoken(node) {
    return node ? node.textContent.replace(/\u00b6/g, "").replace(/\s+/g, " ").trim() : "";
  }

  function nameOf(box, table) {
    var named = spoken(table.caption) || spoken(headingBefore(box));
    return named ? "Table: " + named : "Table";
  }

  function labelAll() {
    var used = {};
    var boxes = document.querySelectorAll("article .md-typeset__scrollwrap");
    Array.prototype.forEach.call(boxes, function (box) {
      var table = box.querySelector("table");
      if (!table) return;
      var name = nameOf(box, table);
      used[name] = (used[name] || 0) + 1;
      if (used[name] > 1) name += " (table " + used[name] + ")";
      box.setAttribute("role", "region");
      box.setAttribute("aria-label", name);
      box.setAttribute("tabindex", "0");
    });
  }

  if (window.document$ && typeof window.document$.subscribe === "function") window.document$.subscribe(labelAll);
  window.addEventListener("load", labelAll);
})();
