"""Offline intranet: one page of every kind of both sites, loaded in Chromium from a local server that
hosts the site under /protocols/, makes no request outside the site (external requests are recorded and
blocked), no request that fails, and no script error; search works under the sub-path.

tests/site/test_atomic_output_build.py checks the same of a small fake site (and every URL written into the files); this
checks the pages the render layer really makes.
"""

from __future__ import annotations

from pathlib import Path
from pprint import pformat
from typing import Any

import pytest
from browser import recorded_context, typed_search
from site_pages import SITES


@pytest.mark.parametrize("site", SITES)
def test_every_page_kind_loads_with_no_request_outside_the_site(served_sites: dict[str, Any],
                                                                 chromium_browser: Any, site: str) -> None:
    served = served_sites[site]
    selected = served.site.selected()
    assert {"home", "protocol", "version", "history", "not-found"} <= set(selected)
    problems: dict[str, dict[str, list[str]]] = {}
    requests = 0
    for kind, page_path in selected.items():
        with recorded_context(chromium_browser, served.base_for(page_path)) as (context, log):
            page = context.new_page()
            log.watch(page)
            response = page.goto(served.url(page_path), wait_until="networkidle")
            assert response is not None and response.status == 200, page_path
            found = {"external": log.external, "failed": log.failed, "script errors": log.page_errors}
            found = {name: entries for name, entries in found.items() if entries}
            if found:
                problems[f"{kind} ({page_path})"] = found
            requests += len(log.requested)
    assert problems == {}, pformat(problems, width=160)
    # Each page fetched its stylesheets, scripts and the search index: the recording saw real traffic.
    assert requests >= 8 * len(selected)


@pytest.mark.parametrize("site", SITES)
def test_search_works_under_the_sub_path(served_sites: dict[str, Any], chromium_browser: Any, site: str) -> None:
    served = served_sites[site]
    with recorded_context(chromium_browser, served.base) as (context, log):
        page = context.new_page()
        log.watch(page)
        page.goto(served.url("protocols/ketamine-crps/index.html"), wait_until="networkidle")
        page.keyboard.press("s")  # Material's search shortcut
        results = [found["href"] for found in typed_search(page, "regional pain")]
        targets = sorted({url.split("#")[0].split("?")[0] for url in results})
        assert served.base + "protocols/ketamine-crps/" in targets
        assert [(target, context.request.get(target).status) for target in targets] == [
            (target, 200) for target in targets]
        assert log.external == [] and log.failed == [] and log.page_errors == []
    assert all(url.startswith(served.base) for url in targets), targets


def test_the_request_log_reports_a_missing_file_and_an_outside_request_but_not_a_cancelled_one(
        tmp_path: Path, chromium_browser: Any) -> None:
    """The log every browser test relies on: a missing file (404) and an outside request are problems; a
    request the browser cancels itself (the page navigated on first) is not (it made CI flaky once)."""
    from local_http import served

    (tmp_path / "next").mkdir()
    (tmp_path / "next" / "index.html").write_text("<!doctype html><title>next</title>", encoding="utf-8")
    (tmp_path / "index.html").write_text(
        '<!doctype html><title>start</title><img src="missing.png" alt="">'
        '<img src="https://cdn.example/x.png" alt="">', encoding="utf-8")
    (tmp_path / "slow.html").write_text(
        '<!doctype html><title>slow</title><script>fetch("index.html?slow").catch(() => {});'
        'location.replace("next/");</script>', encoding="utf-8")
    with served(tmp_path) as base, recorded_context(chromium_browser, base) as (context, log):
        page = context.new_page()
        page.goto(base + "index.html", wait_until="networkidle")
        assert (log.failed, log.external) == ([base + "missing.png: HTTP 404"], ["https://cdn.example/x.png"])
        held: list[Any] = []
        page.route("**/index.html?slow", lambda route: held.append(route))  # never answered: the navigation cancels it
        page.goto(base + "slow.html", wait_until="commit")
        page.wait_for_url(base + "next/")
        page.wait_for_load_state("networkidle")
        assert len(held) == 1
        assert (log.failed, log.cancelled) == ([base + "missing.png: HTTP 404"], [base + "index.html?slow"])
