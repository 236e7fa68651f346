"""Print: the pages clinicians print (protocol, permanent version, handbook print view; PageKind.printable)
of both sites, under print media emulation in Chromium: the site's header, navigation, search and
footer navigation are not printed; the article, the disclaimer and (reviewer site) the banner are; every
table and table row avoids a page break inside it; every web link prints its address after its text, so
a reference can be found from paper, unless its text already is that address (then it prints once).
"""

from __future__ import annotations

from pprint import pformat
from typing import Any

import pytest
from site_pages import SITES

# Site chrome that must not print: header (with search), tabs, both sidebars (site navigation and table
# of contents), breadcrumbs, the back-to-top button, the previous/next footer, the search dialog.
CHROME = [".md-header", ".md-tabs", ".md-sidebar--primary", ".md-sidebar--secondary", ".md-path", ".md-top",
          ".md-footer", ".md-search"]
MUST_PRINT = ["article", ".pc-disclaimer"]

PRINT_STATE = """({chrome, mustPrint}) => {
  const rendered = el => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== "hidden";
  const article = document.querySelector("article");
  return {
    chrome: Object.fromEntries(chrome.map(s => [s, [...document.querySelectorAll(s)].map(rendered)])),
    mustPrint: Object.fromEntries(mustPrint.map(s => [s, [...document.querySelectorAll(s)].map(rendered)])),
    banner: [...document.querySelectorAll(".pc-reviewer-banner")].map(rendered),
    tables: [...article.querySelectorAll("table, tr")].map(el => getComputedStyle(el).breakInside),
    webLinks: [...article.querySelectorAll("a[href^='http:'], a[href^='https:']")]
      .filter(rendered)
      .map(a => [a.getAttribute("href"), getComputedStyle(a, "::after").content, a.textContent.trim()]),
  };
}"""


def print_state(page: Any) -> dict[str, Any]:
    return page.evaluate(PRINT_STATE, {"chrome": CHROME, "mustPrint": MUST_PRINT})


@pytest.mark.parametrize("site", SITES)
def test_printed_pages_show_the_protocol_without_the_sites_chrome(served_sites: dict[str, Any],
                                                                   chromium_browser: Any, site: str) -> None:
    served = served_sites[site]
    selected = served.site.selected(printable_only=True)
    assert {"protocol", "version"} <= set(selected)
    page = chromium_browser.new_page()
    problems: dict[str, list[str]] = {}
    tables = links = 0
    try:
        for kind, page_path in selected.items():
            page.emulate_media(media="screen")
            page.goto(served.url(page_path), wait_until="load")
            on_screen = print_state(page)
            page.emulate_media(media="print")
            printed = print_state(page)
            found = []
            # The chrome is there on screen (so the check below means something) and gone on paper.
            found += [f"{s} not on screen" for s in (".md-header", ".md-sidebar--primary", ".md-search")
                      if not any(on_screen["chrome"][s])]
            found += [f"{s} printed" for s, shown in printed["chrome"].items() if any(shown)]
            found += [f"{s} not printed" for s, shown in printed["mustPrint"].items() if shown != [True]]
            if printed["banner"] != ([True] if site == "reviewer" else []):
                found.append(f"reviewer banner printed: {printed['banner']}")
            found += [f"a table or row breaks inside: break-inside {value}"
                      for value in sorted(set(printed["tables"]) - {"avoid"})]
            # A link prints its address after its text, once: not again when its text is the address.
            found += [f"link {href} prints its address wrongly: ::after {content}"
                      for href, content, text in printed["webLinks"]
                      if content != ("none" if text == href else f'" ({href})"')]
            tables += len(printed["tables"])
            links += len(printed["webLinks"])
            if found:
                problems[f"{kind} ({page_path})"] = found
    finally:
        page.close()
    assert problems == {}, pformat(problems, width=160)
    assert tables > 20 and links > 3  # the printed pages had tables and cited sources to check
