"""A library with every hostile payload in every Markdown field (and markup in every plain-text field a page
shows), rendered through the render functions
directly (as if `protocols check` had let all of it through: no switch in the product turns a check off),
built by MkDocs and opened in Chromium: no script runs, no dialog opens, nothing is requested outside
127.0.0.1 and no link or image of author text leads off the site."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from browser import recorded_context
from hostile_markdown import FIELDS_ALL, PAYLOADS, PLAIN_FIELDS, PLAIN_PAYLOAD, write_hostile_library
from local_http import served

from generator.load.library import load_library
from generator.render.families import render_site
from generator.site.atomic_output import build_site

AS_OF = dt.date(2026, 6, 1)
REFERENCE_LINKS = ("https://doi.org/", "https://pubmed.ncbi.nlm.nih.gov/")
ALL_PAYLOADS = "\n\n".join(PAYLOADS.values())
# The pages of the fixture library that show author Markdown (reviewer site: the version is a draft).
PAGES = ["index.html", "protocols/ketamine-trd/index.html", "protocols/ketamine-trd/1.0/index.html",
         "protocols/ketamine-trd/history/index.html", "drugs/ketamine/index.html", "handbooks/psychiatry/index.html",
         "handbooks/psychiatry/print/index.html"]


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("hostile")
    fields = {field: ALL_PAYLOADS for field in FIELDS_ALL} | {field: PLAIN_PAYLOAD for field in PLAIN_FIELDS}
    library = load_library(write_hostile_library(root, fields), "protocols")
    pages = render_site(library, AS_OF, reviewer=True, directory_urls=True)
    for page in PAGES:
        assert page.replace(".html", ".md") in pages, page
    out = root / "site"
    build_site(pages, out, None, True, AS_OF)
    return out


@pytest.mark.parametrize("page_path", PAGES)
def test_no_script_runs_and_nothing_leaves_the_site(hostile_site: Path, chromium_browser: Any, page_path: str) -> None:
    with served(hostile_site) as base, recorded_context(chromium_browser, base) as (context, log):
        page = context.new_page()
        dialogs: list[str] = []
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        log.watch(page)
        response = page.goto(base + page_path, wait_until="networkidle")
        assert response is not None and response.status == 200
        page.wait_for_timeout(300)  # a meta refresh or a late handler would have acted by now
        assert page.url == base + page_path
        assert page.evaluate("window.__pwned") is None
        assert dialogs == []
        assert log.external == []
        article = page.locator("article")
        assert "window.__pwned" in article.inner_text()  # the payloads are on the page, as text
        urls = page.evaluate(
            "() => [...document.querySelectorAll('article [href], article [src], article [action]')]"
            ".map(e => e.href || e.src || e.getAttribute('action'))"
        )
        # the payloads link nowhere else (the reference list links its DOI and PubMed entries)
        assert [url for url in urls if not url.startswith((base, *REFERENCE_LINKS))] == []
        handlers = page.evaluate(
            """() => [...document.querySelectorAll('article *')].flatMap(e => [...e.attributes]
                 .filter(a => a.name.startsWith('on')).map(a => e.tagName + ' ' + a.name))"""
        )
        assert handlers == []
        images = page.evaluate("() => [...document.querySelectorAll('article img')].map(i => i.src)")
        assert [src for src in images if not src.startswith(base)] == []
