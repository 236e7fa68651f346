"""The 404 page under a sub-path (issue 16): MkDocs writes an error page's links from the server root unless
site_url is set, so under /protocols/ it lost its styles. generator/site/engine.py writes them relative to the site
root instead; here the page is served under /protocols/ in Chromium and must load every stylesheet and
script from the site, look like the site, and link into the site. With site_url, MkDocs' absolute links stay.
"""

from __future__ import annotations

from typing import Any

import pytest
from browser import recorded_context
from local_http import served

from generator.site.error_page import error_page_context

STYLED = """() => ({
  sheets: [...document.styleSheets].map(s => s.href ? new URL(s.href).pathname : null).filter(Boolean),
  rules: [...document.styleSheets].reduce((n, s) => n + s.cssRules.length, 0),
  header: getComputedStyle(document.querySelector(".md-header")).backgroundColor,
  links: [...document.querySelectorAll("a.md-nav__link[href]")].map(a => new URL(a.href).pathname),
  disclaimer: getComputedStyle(document.querySelector(".pc-disclaimer")).borderTopStyle,
})"""


def test_the_404_page_keeps_its_styles_under_a_sub_path(served_sites: dict[str, Any], chromium_browser: Any) -> None:
    served = served_sites["clinician"]
    assert served.base.endswith("/protocols/")
    home = chromium_browser.new_page()
    try:
        home.goto(served.base, wait_until="load")
        home_header = home.evaluate('getComputedStyle(document.querySelector(".md-header")).backgroundColor')
    finally:
        home.close()
    assert home_header not in ("rgba(0, 0, 0, 0)", "")
    with recorded_context(chromium_browser, served.base) as (context, log):
        page = context.new_page()
        log.watch(page)
        response = page.goto(served.base + "404.html", wait_until="networkidle")
        assert response is not None and response.status == 200
        styled = page.evaluate(STYLED)
        assert (log.external, log.failed, log.page_errors) == ([], [], [])
    assert "/protocols/assets/site.css" in styled["sheets"] and "/protocols/assets/print.css" in styled["sheets"]
    assert any(sheet.startswith("/protocols/assets/stylesheets/main.") for sheet in styled["sheets"])
    assert styled["rules"] > 500  # Material's stylesheet really applied
    assert styled["header"] == home_header  # the site's primary colour, as on the home page
    assert styled["disclaimer"] == "solid"  # site.css
    assert "/protocols/drugs/" in styled["links"] and all(link.startswith("/protocols/") for link in styled["links"])


class _Config(dict):  # what error_page_context reads of an MkDocs config
    def __init__(self, site_url: str | None) -> None:
        super().__init__()
        self.site_url = site_url
        self.extra_css = ["assets/site.css"]
        self.extra_javascript = ["assets/print.js"]


def test_site_url_keeps_mkdocs_absolute_links_and_other_pages_are_untouched() -> None:
    absolute = {"base_url": "/protocols/", "extra_css": ["/protocols/assets/site.css"]}
    with_site_url = _Config("https://intranet.example.org/protocols/")
    assert error_page_context(dict(absolute), "404.html", with_site_url) == absolute
    assert error_page_context(dict(absolute), "sitemap.xml", _Config(None)) == absolute
    assert error_page_context(dict(absolute), "404.html", _Config(None)) == {
        "base_url": ".", "pc_find_site_root": True, "extra_css": ["./assets/site.css"],
        "extra_javascript": ["./assets/print.js"]}


@pytest.mark.parametrize("mount", ["/protocols/", "/"])
@pytest.mark.parametrize("missing", ["a/b/c/missing-page/", "protocols/ketamine-trd/9.9/gone.html", "nothing"])
def test_the_404_page_keeps_its_styles_and_links_at_any_depth(built_sites: dict[str, Any], chromium_browser: Any,
                                                              mount: str, missing: str) -> None:
    """A missing URL three folders deep under the sub-path (and at the server root): the page that the
    server shows there loads the site's stylesheets and scripts and links into the site."""
    with served(built_sites["clinician"].root, mount, not_found_page=True) as base:
        with recorded_context(chromium_browser, base) as (context, log):
            page = context.new_page()
            log.watch(page)
            response = page.goto(base + missing, wait_until="networkidle")
            assert response is not None and response.status == 404
            assert page.locator("h1").inner_text() == "404 - Not found"
            styled = page.evaluate(STYLED)
    root = mount
    # Besides the missing page itself, the failed requests are the probes for the site root (a HEAD of
    # assets/site.css in each folder above the missing URL, down to the mount) and what Chromium's
    # preload scanner fetched from the missing URL's folder before the script had set the page's base.
    folders = missing.split("/")[:-1]
    probes = [f"{base}{''.join(f + '/' for f in folders[:depth])}assets/site.css: HTTP 404"
              for depth in range(len(folders), 0, -1)]
    assert log.failed[0] == f"{base}{missing}: HTTP 404"
    assert set(probes) <= set(log.failed)
    below = base + "".join(f + "/" for f in folders)
    assert all(failure.startswith(below) for failure in log.failed[1:] if failure not in probes)
    assert (log.external, log.page_errors) == ([], [])
    assert f"{root}assets/site.css" in styled["sheets"] and f"{root}assets/print.css" in styled["sheets"]
    assert styled["rules"] > 500 and styled["disclaimer"] == "solid"
    assert f"{root}drugs/" in styled["links"] and all(link.startswith(root) for link in styled["links"])
    assert all(link.count("/") <= root.count("/") + 2 for link in styled["links"])  # not under the missing URL
