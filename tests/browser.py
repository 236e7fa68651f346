"""Shared helpers of the browser tests: Debian's Chromium through Playwright, a built site served over HTTP
under a sub-path as an intranet hosts it, a record of every request a page makes, and the npm test tools.

A missing tool fails the test with the command that installs it; nothing is skipped.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = REPO_ROOT / "node_modules"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
NOWRAP_FILTER = " | pc_nowrap"  # generator/site/engine.py's filter on the theme's texts from our data


def without_nowrap(template: str) -> str:
    """A template of site_templates/overrides without the pc_nowrap filter it applies to texts, to compare
    the copy with Material's original."""
    return template.replace(NOWRAP_FILTER, "")


def chromium_executable() -> str:
    if not CHROMIUM.is_file():
        pytest.fail(f"{CHROMIUM} is missing: run `make test`, which installs Debian's chromium "
                    "(scripts/ensure-test-tools.sh)")
    return str(CHROMIUM)


def node_tool(relative: str) -> Path:
    """A file of an npm test tool (package.json), e.g. "axe-core/axe.min.js"."""
    path = NODE_MODULES / relative
    if not path.is_file():
        pytest.fail(f"{path} is missing: run `make test` or scripts/ensure-npm-tools.sh, which runs `npm ci` "
                    "for the pinned test tools of package-lock.json")
    return path


@contextmanager
def launched_chromium() -> Iterator[Any]:
    """One headless Chromium. Playwright's sync API cannot nest, so a test session launches exactly one
    (conftest.py's `chromium_browser` fixture) and every browser test shares it."""
    from playwright.sync_api import sync_playwright

    executable = chromium_executable()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class RequestLog:
    """Every request of a browser context, and what went wrong: external requests are aborted."""

    base_url: str
    requested: list[str] = field(default_factory=list)
    external: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    cancelled: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    def attach(self, context: Any) -> None:
        context.route("**/*", self._route)
        context.on("request", lambda request: self.requested.append(request.url))
        context.on("requestfailed", self._request_failed)
        context.on("response", self._response)

    def watch(self, page: Any) -> None:
        page.on("pageerror", lambda error: self.page_errors.append(f"{page.url}: {error}"))

    def _route(self, route: Any) -> None:
        url = route.request.url
        if url.startswith(self.base_url):
            route.continue_()
        else:
            self.external.append(url)
            route.abort("blockedbyclient")

    def _request_failed(self, request: Any) -> None:
        if not request.url.startswith(self.base_url):
            return  # already recorded as external
        if request.failure == "net::ERR_ABORTED":
            # cancelled by the browser itself (the page navigated on, e.g. before its favicon arrived): a
            # missing file is a 4xx response (recorded below), an unreachable server another error
            self.cancelled.append(request.url)
            return
        self.failed.append(f"{request.url}: {request.failure}")

    def _response(self, response: Any) -> None:
        if response.status >= 400:
            self.failed.append(f"{response.url}: HTTP {response.status}")


@contextmanager
def recorded_context(browser: Any, base_url: str, **options: Any) -> Iterator[tuple[Any, RequestLog]]:
    """A fresh browser context whose every request is recorded (see RequestLog)."""
    context = browser.new_context(**options)
    log = RequestLog(base_url)
    log.attach(context)
    try:
        yield context, log
    finally:
        context.close()


SEARCH_RESULT_LINKS = ".md-search-result__item a"


def typed_search(page: Any, query: str) -> list[dict[str, str]]:
    """Types `query` into the open search box and returns the results once the list is complete: search.js
    lists each result as its fragment loads and a retired protocol last, and marks the list aria-busy until
    then, so reading at the first result would miss some (it did, in CI)."""
    page.locator("input.md-search__input").press_sequentially(query)
    page.wait_for_selector(".md-search-result__list:not([aria-busy])", state="attached")
    return page.locator(SEARCH_RESULT_LINKS).evaluate_all(
        "links => links.map(a => ({href: a.href, title: a.querySelector('h1').textContent, "
        "status: (a.querySelector('.pc-search-status') || {}).textContent || '', text: a.textContent}))")
