"""Search on Pagefind (generator/site/search_index.py, overrides/partials/search.html, assets/search.js).

Which pages the index holds on each site (read back from Pagefind's fragments), what the excerpts leave
out, a build that fails with a clear message when the binary fails, and in Chromium: the header's search
box under a sub-path, with the keyboard and at a phone's width, canonical pages first, retired ones
marked, version copies absent, no request outside the site.
"""

from __future__ import annotations

import io
import os
import random
import re
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from browser import REPO_ROOT, recorded_context, typed_search, without_nowrap
from pagefind_index import fragments, indexed_urls

from generator import cli
from generator.site import search_index
from generator.site.atomic_output import SiteBuildError, build_site

SMALL_SITE = {"index.md": "# Home\n\nketamine\n"}
CANONICAL_PAGES = [
    "/",
    "/drugs/",
    "/drugs/esketamine/",
    "/drugs/ketamine/",
    "/handbooks/pain-service/",
    "/handbooks/psychiatry-trd/",
    "/protocols/esketamine-trd/",
    "/protocols/ketamine-crps/",
    "/protocols/ketamine-trd-twice-weekly/",
    "/protocols/ketamine-trd/",
    "/references/",
    "/whats-new/",
]


def test_the_clinician_site_indexes_canonical_pages_only(built_sites: dict[str, Any]) -> None:
    assert indexed_urls(built_sites["clinician"].root) == CANONICAL_PAGES


def test_the_reviewer_site_indexes_every_page_drafts_included(built_sites: dict[str, Any]) -> None:
    site = built_sites["reviewer"]
    index = fragments(site.root)
    expected = sorted("/" + page.removesuffix("index.html") for page in site.html_pages() if page != "404.html")
    assert sorted(index) == expected
    assert index["/protocols/ketamine-trd/1.1/"]["meta"] == {
        "title": "IV ketamine for treatment-resistant depression", "version": "1.1", "status": "draft"}
    assert {"/review/", "/protocols/ketamine-trd/history/", "/protocols/ketamine-trd/1.1/diff/",
            "/handbooks/psychiatry-trd/print/"} <= set(index)


def test_a_retired_protocol_is_indexed_under_a_title_that_says_retired(built_sites: dict[str, Any]) -> None:
    page = fragments(built_sites["clinician"].root)["/protocols/ketamine-trd-twice-weekly/"]
    assert page["meta"] == {"title": "IV ketamine twice weekly for treatment-resistant depression (retired)",
                            "version": "1.2", "status": "retired"}


def test_excerpts_leave_out_permalinks_print_data_dose_rows_and_the_panels_form(built_sites: dict[str, Any]) -> None:
    page = fragments(built_sites["clinician"].root)["/protocols/ketamine-trd/"]
    text = page["content"]
    assert "ketamine 0.5 mg/kg IV over 40 minutes" in text and "Dose for this patient" in text
    assert page["meta"]["title"] == "IV ketamine for treatment-resistant depression"  # no permalink sign
    assert "¶" not in text
    assert "88.2 lb" not in text and "sha256:" not in "".join(text.split("Fingerprint")[:1])
    assert "Patient weight" not in text and "needs JavaScript" not in text


def test_the_site_has_the_index_and_not_materials_search(built_sites: dict[str, Any]) -> None:
    root = built_sites["clinician"].root
    bundle = sorted(path.name for path in (root / "pagefind").iterdir())
    assert [name for name in bundle if not name.startswith("pagefind.en_")] == [
        "fragment", "index", "pagefind-entry.json", "pagefind-worker.js", "pagefind.js", "wasm.en.pagefind",
        "wasm.unknown.pagefind"]
    assert not (root / "search").exists()
    assert not (root / "assets/javascripts/workers").exists() and not (root / "assets/javascripts/lunr").exists()
    home = (root / "index.html").read_text(encoding="utf-8")
    assert 'data-pc-search-bundle="pagefind/"' in home
    protocol = (root / "protocols/ketamine-trd/index.html").read_text(encoding="utf-8")
    assert 'data-pc-search-bundle="../../pagefind/"' in protocol
    assert 'data-md-component="search"' not in protocol  # Material's search component is not mounted


def test_the_header_partial_is_materials_but_for_the_search_box() -> None:
    """overrides/partials/header.html copies Material's so that the search box does not depend on Material's
    search plugin; a Material upgrade that changes the original must be merged into the copy."""
    import material

    original = (Path(material.__file__).parent / "templates/partials/header.html").read_text(encoding="utf-8")
    ours = without_nowrap((REPO_ROOT / "site_templates/overrides/partials/header.html").read_text(encoding="utf-8"))
    materials_box = (
        '    {% if "material/search" in config.plugins %}\n'
        '      {% set search = config.plugins["material/search"] | attr("config") %}\n'
        "      {% if search.enabled %}\n"
        '        <label class="md-header__button md-icon" for="__search">\n'
        '          {% set icon = config.theme.icon.search or "material/magnify" %}\n'
        '          {% include ".icons/" ~ icon ~ ".svg" %}\n'
        "        </label>\n"
        '        {% include "partials/search.html" %}\n'
        "      {% endif %}\n"
        "    {% endif %}\n")
    our_box = (
        '    <label class="md-header__button md-icon" for="__search">\n'
        '      {% set icon = config.theme.icon.search or "material/magnify" %}\n'
        '      {% include ".icons/" ~ icon ~ ".svg" %}\n'
        "    </label>\n"
        '    {% include "partials/search.html" %}\n')
    assert original.count(materials_box) == 1
    # The parts around the title sit in the theme cache's lines (tests/site/test_theme_cache.py renders them).
    cache_lines = re.findall(r"\{% set pc_(?:top|end)_key .*?\{% set pc_(?:top|end) %\}"
                             r"|\{% endset %\}\{\{ pc_theme_cache\.keep_part.*?\{% endif %\}", ours)
    assert len(cache_lines) == 4
    for line in cache_lines:
        ours = ours.replace(line, "")
    assert ours.split("-#}\n", 1)[1] == original.split("-#}\n", 1)[1].replace(materials_box, our_box)


def test_a_config_that_names_materials_search_is_refused(tmp_path: Path) -> None:
    config = tmp_path / "mkdocs.yml"
    config.write_text("plugins:\n  - search\n  - protocols\n", encoding="utf-8")
    with pytest.raises(SiteBuildError) as raised:
        build_site(SMALL_SITE, tmp_path / "site", config)
    assert str(raised.value) == (f"{config}: remove 'search' from plugins: the site's search is Pagefind's, "
                                 "built by protocols build")
    assert not (tmp_path / "site").exists()


# The binary failing: a stand-in named by PAGEFIND_BINARY_PATH (pagefind's own lookup honours it).


def stand_in(folder: Path, script: str) -> Path:
    path = folder / "pagefind-stand-in"
    path.write_text("#!/bin/sh\n" + script, encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


@pytest.fixture
def previous_site(tmp_path: Path) -> Path:
    out = tmp_path / "site"
    build_site(SMALL_SITE, out)
    assert (out / "pagefind" / "pagefind.js").is_file()
    return out


def tree(folder: Path) -> dict[str, bytes]:
    return {path.relative_to(folder).as_posix(): path.read_bytes() for path in folder.rglob("*") if path.is_file()}


@pytest.mark.parametrize(("script", "message"), [
    ('echo "Error: could not read the site" >&2\nexit 3\n',
     "site build failed: the search index was not built: Pagefind exited with status 3: "
     "Error: could not read the site"),
    ("exit 0\n", "site build failed: the search index was not built: Pagefind wrote no index into {site}/pagefind"),
    ("kill -9 $$\n",
     "site build failed: the search index was not built: Pagefind was stopped by signal SIGKILL: no message"),
], ids=["fails", "writes-nothing", "killed"])
def test_a_failing_binary_fails_the_build_and_leaves_the_site(
    previous_site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, script: str, message: str
) -> None:
    before = tree(previous_site)
    seen: list[Path] = []
    monkeypatch.setattr(search_index, "index_site", _recording(search_index.index_site, seen))
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(stand_in(tmp_path, script)))
    with pytest.raises(SiteBuildError) as raised:
        build_site(SMALL_SITE, previous_site)
    assert len(seen) == 1
    assert str(raised.value) == message.format(site=seen[0])
    assert tree(previous_site) == before
    assert [entry.name for entry in tmp_path.iterdir() if ".building-" in entry.name] == []


def _recording(index_site: Any, seen: list[Path]) -> Any:
    def recorded(site_dir: Path, timeout: float = search_index.TIMEOUT_SECONDS,
                 views: search_index.PagefindViews | None = None) -> None:
        seen.append(site_dir)
        index_site(site_dir, timeout, views)

    return recorded


def test_a_missing_binary_fails_the_build_with_what_to_do(previous_site: Path, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    missing = tmp_path / "no-such-pagefind"
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(missing))
    with pytest.raises(SiteBuildError) as raised:
        build_site(SMALL_SITE, previous_site)
    assert str(raised.value) == (
        f"site build failed: the search index was not built: Pagefind ({missing}) could not be started "
        "(No such file or directory); reinstall the generator's dependencies (make deps)")


MARKED_PAGE = '<html lang="en"><body><article data-pagefind-body><h1>Alpha</h1><p>ketamine</p></article></body></html>'


def test_a_binary_that_hangs_is_stopped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(stand_in(tmp_path, "exec sleep 30\n")))
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text(MARKED_PAGE, encoding="utf-8")
    with pytest.raises(search_index.SearchIndexError) as raised:
        search_index.index_site(site, timeout=0.5)
    assert str(raised.value) == "the search index was not built: Pagefind ran for more than 0.5 s and was stopped"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["pagefind-stand-in", "site"]  # no staging left


def test_a_site_with_no_marked_page_is_refused(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text("<html><body><p>ketamine data-pagefind</p></body></html>", encoding="utf-8")
    with pytest.raises(search_index.SearchIndexError) as raised:
        search_index.index_site(tmp_path)
    assert str(raised.value) == (
        f"the search index was not built: no page of {tmp_path} is marked for search (data-pagefind-body, "
        "written by the theme's main.html): a custom_dir main.html must keep Material's content block inside "
        "the generator's")


def test_pagefind_reads_only_the_marked_pages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The stand-in lists the folder Pagefind is given: the marked pages, at their paths, and nothing else."""
    site = tmp_path / "site"
    (site / "protocols/x/1.0").mkdir(parents=True)
    (site / "index.html").write_text(MARKED_PAGE, encoding="utf-8")
    (site / "protocols/x/index.html").write_text(MARKED_PAGE, encoding="utf-8")
    (site / "protocols/x/1.0/index.html").write_text("<html><body><article>old</article></body></html>",
                                                      encoding="utf-8")
    listing = tmp_path / "listing.txt"
    script = (f'cd "$2" && find . -type f | sort > {listing}\n'
              'mkdir -p "$4" && touch "$4/pagefind.js" "$4/pagefind-entry.json"\n')
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(stand_in(tmp_path, script)))
    search_index.index_site(site)
    assert listing.read_text(encoding="utf-8").split() == ["./index.html", "./protocols/x/index.html"]
    assert sorted(path.relative_to(site).as_posix() for path in site.rglob("*") if path.is_file()) == [
        "index.html", "pagefind/pagefind-entry.json", "pagefind/pagefind.js", "protocols/x/1.0/index.html",
        "protocols/x/index.html"]


def test_protocols_build_reports_a_failing_binary_without_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(stand_in(tmp_path, 'echo "Error: out of memory" >&2\nexit 1\n')))
    log = io.StringIO()
    status = cli.main(["build", "--as-of", "2026-06-01", "--out", str(tmp_path / "out"),
                       str(REPO_ROOT / "protocols")], out=log)
    err = capsys.readouterr().err
    assert status != 0
    assert err == ("protocols: error: site build failed: the search index was not built: Pagefind exited with "
                   "status 1: Error: out of memory\n")
    assert log.getvalue().endswith(f"build failed; {tmp_path / 'out'} was not changed\n")
    assert not (tmp_path / "out").exists()


def test_the_real_binary_runs_with_no_network_variables(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The shipped binary indexes with proxies pointing nowhere: it never needs the network."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY"):
        monkeypatch.setenv(name, "http://127.0.0.1:9")
    monkeypatch.delenv("PAGEFIND_BINARY_PATH", raising=False)
    (tmp_path / "index.html").write_text(MARKED_PAGE, encoding="utf-8")
    search_index.index_site(tmp_path)
    assert indexed_urls(tmp_path) == ["/"]
    assert os.access(search_index.pagefind_command(tmp_path, tmp_path / "pagefind")[0], os.X_OK)


# In Chromium, on the sample sites served under /protocols/.


def test_typing_a_drug_name_finds_its_canonical_page_first(served_sites: dict[str, Any], chromium_browser: Any) -> None:
    served = served_sites["clinician"]
    with recorded_context(chromium_browser, served.base) as (context, log):
        page = context.new_page()
        log.watch(page)
        page.goto(served.url("protocols/ketamine-crps/index.html"), wait_until="networkidle")
        assert not page.evaluate("document.getElementById('__search').checked")
        page.keyboard.press("/")
        assert page.evaluate("document.activeElement.matches('input.md-search__input')")
        assert page.evaluate("document.getElementById('__search').checked")
        results = typed_search(page, "esketamine")
        assert results[0]["href"] == served.base + "protocols/esketamine-trd/"
        assert results[0]["title"] == "Intranasal esketamine for treatment-resistant depression"
        assert results[0]["status"] == "Version 1.1 · current"
        assert "<mark>" not in results[0]["text"]
        assert page.locator(".md-search-result__item mark").count() > 0
        page.keyboard.press("Escape")
        assert not page.evaluate("document.getElementById('__search').checked")
        assert log.external == [] and log.failed == [] and log.page_errors == []
        assert any(url.startswith(served.base + "pagefind/") for url in log.requested)


def test_a_retired_protocol_is_marked_and_version_copies_are_absent(served_sites: dict[str, Any],
                                                                     chromium_browser: Any) -> None:
    served = served_sites["clinician"]
    with recorded_context(chromium_browser, served.base) as (context, log):
        page = context.new_page()
        log.watch(page)
        page.goto(served.url("index.html"), wait_until="networkidle")
        page.keyboard.press("s")
        results = typed_search(page, "ketamine")
        hrefs = [result["href"].removeprefix(served.base) for result in results]
        retired = [result for result in results if result["href"].endswith("/ketamine-trd-twice-weekly/")]
        assert [(r["title"], r["status"]) for r in retired] == [
            ("IV ketamine twice weekly for treatment-resistant depression (retired)", "Version 1.2 · retired")]
        assert "protocols/ketamine-trd/" in hrefs and "protocols/ketamine-crps/" in hrefs
        assert [href for href in hrefs if "/1." in href or "history" in href or "diff" in href
                or "print" in href] == []
        page.keyboard.press("Enter")  # the first result
        page.wait_for_url(results[0]["href"])
        assert log.external == [] and log.failed == [] and log.page_errors == []


def test_the_list_is_busy_until_its_held_back_retired_result_is_listed(served_sites: dict[str, Any],
                                                                     chromium_browser: Any) -> None:
    """The retired protocol's fragment is held back by the network: the list stays aria-busy and without
    it, and only once it loads is it listed, last of its batch, and the list marked complete."""
    served = served_sites["clinician"]
    held: list[Any] = []
    with recorded_context(chromium_browser, served.base) as (context, log):
        asking = context.new_page()
        asking.goto(served.url("index.html"), wait_until="networkidle")
        retired_fragment = _fragment_of(asking, "protocols/ketamine-trd-twice-weekly/")
        asking.close()
        page = context.new_page()
        log.watch(page)
        page.goto(served.url("index.html"), wait_until="networkidle")
        page.route("**/pagefind/fragment/*", lambda route: held.append(route) if route.request.url.endswith(
            retired_fragment) else route.continue_())
        page.keyboard.press("s")
        page.locator("input.md-search__input").press_sequentially("ketamine")
        for _ in range(200):
            if held:
                break
            page.wait_for_timeout(50)
        page.wait_for_timeout(300)  # the results before the held one are listed meanwhile
        listed = page.locator(".md-search-result__item a").evaluate_all("links => links.map(a => a.href)")
        assert page.locator(".md-search-result__list").get_attribute("aria-busy") == "true"
        assert held and not any(href.endswith("/ketamine-trd-twice-weekly/") for href in listed)
        for route in held:
            route.continue_()
        page.wait_for_selector(".md-search-result__list:not([aria-busy])", state="attached")
        hrefs = page.locator(".md-search-result__item a").evaluate_all("links => links.map(a => a.href)")
        assert hrefs[-1] == served.base + "protocols/ketamine-trd-twice-weekly/"
        assert hrefs[:len(listed)] == listed and len(hrefs) > len(listed) + 1
        assert log.external == [] and log.page_errors == []


def _fragment_of(page: Any, path: str) -> str:
    """The name of the Pagefind fragment file of the page at `path` (asked of Pagefind's own API)."""
    return page.evaluate("""async (path) => {
        const bundle = document.querySelector('[data-pc-search-bundle]').getAttribute('data-pc-search-bundle');
        const pagefind = await import(new URL(bundle + 'pagefind.js', document.baseURI).href);
        await pagefind.options({baseUrl: new URL(bundle + '../', document.baseURI).pathname});
        const found = await pagefind.search('ketamine');
        for (const result of found.results) {
            const data = await result.data();
            if (data.url.endsWith(path)) { return 'fragment/' + result.id + '.pf_fragment'; }
        }
        return null;
    }""", path)


def test_search_on_a_phone_opens_from_the_header_icon(served_sites: dict[str, Any], chromium_browser: Any) -> None:
    served = served_sites["clinician"]
    with recorded_context(chromium_browser, served.base, viewport={"width": 360, "height": 740}) as (context, log):
        page = context.new_page()
        log.watch(page)
        page.goto(served.url("protocols/ketamine-trd/index.html"), wait_until="networkidle")
        assert not page.evaluate("document.getElementById('__search').checked")
        page.locator('label.md-header__button[for="__search"]').click()
        assert page.evaluate("document.getElementById('__search').checked")
        page.wait_for_function("document.activeElement.matches('input.md-search__input')")
        # Material's opening transition widens the box: wait until it spans the phone's width.
        page.wait_for_function("(box => box.left >= 0 && box.width >= 200 && box.right <= 360)"
                               "(document.querySelector('input.md-search__input').getBoundingClientRect())")
        results = typed_search(page, "regional pain")
        assert results[0]["href"] == served.base + "protocols/ketamine-crps/"
        box = page.locator(".md-search-result__item").first.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 360
        assert log.external == [] and log.failed == [] and log.page_errors == []


@pytest.mark.parametrize("width", [360, 1280])
def test_the_open_search_with_results_has_no_serious_accessibility_violation(
    served_sites: dict[str, Any], chromium_browser: Any, width: int
) -> None:
    from axe import axe_results, blocking

    served = served_sites["clinician"]
    with recorded_context(chromium_browser, served.base, viewport={"width": width, "height": 800}) as (context, _log):
        page = context.new_page()
        page.goto(served.url("index.html"), wait_until="networkidle")
        page.keyboard.press("s")
        typed_search(page, "ketamine")
        page.wait_for_load_state("networkidle")
        assert blocking(axe_results(page)["violations"]) == []


def test_a_shortcut_key_typed_into_a_field_is_text(served_sites: dict[str, Any], chromium_browser: Any) -> None:
    served = served_sites["clinician"]
    with recorded_context(chromium_browser, served.base) as (context, _log):
        page = context.new_page()
        page.goto(served.url("protocols/ketamine-trd/index.html"), wait_until="networkidle")
        field = page.locator("#pc_panel_weight")
        field.fill("")
        field.press_sequentially("7s/")
        assert field.input_value() == "7s/"
        assert not page.evaluate("document.getElementById('__search').checked")


# benchmarks/search.py (run.py --search runs it through benchmarks/hooks.py).

BENCHMARKS = REPO_ROOT / "benchmarks"


@pytest.fixture(scope="module")
def bench(request: pytest.FixtureRequest) -> Any:
    import importlib

    with pytest.MonkeyPatch.context() as patch:
        patch.syspath_prepend(str(BENCHMARKS))
        return importlib.import_module("search"), importlib.import_module("hooks")


def test_the_search_benchmark_measures_a_cold_first_search(bench: Any, built_sites: dict[str, Any],
                                                           chromium_browser: Any) -> None:
    search_bench, _targets = bench
    site = built_sites["clinician"].root
    assert search_bench.default_query(site) == "esketamine"
    assert search_bench.default_page(site) == "protocols/esketamine-trd/"
    median, runs = search_bench.measure_with(chromium_browser, site, repeat=2)
    assert len(runs) == 2 and median in runs
    assert median.first_result == "protocols/esketamine-trd/"
    # The page's own files, then Pagefind's script, WebAssembly, metadata, an index chunk and fragments.
    assert 100_000 < median.page_bytes and 50_000 < median.search_bytes < 1_000_000
    assert 0 < median.ms_to_first_result < 60_000
    text = search_bench.describe(100, site, median, runs, "esketamine")
    assert text.startswith("search at N=100 (query 'esketamine', 2 cold runs, median shown):\n"
                           "  bytes before the first result: ")


def test_markup_in_page_text_stays_text_in_results(tmp_path: Path, chromium_browser: Any) -> None:
    """Pagefind keeps a page's text as written, "<img ...>" included, and its excerpts are HTML: search.js
    keeps only their text and <mark>s, so words that look like markup never become elements."""
    from local_http import served

    pages = {
        "index.md": "# Home\n\nStart here.\n",
        "protocols/hostile/index.md": (
            "# Okapi &lt;b&gt;bold&lt;/b&gt; protocol\n\n"
            "Give okapi &lt;img src=x onerror=\"document.title='pwned'\"&gt; with care &amp; attention.\n"
        ),
    }
    build_site(pages, tmp_path / "site")
    with served(tmp_path / "site") as base, recorded_context(chromium_browser, base) as (context, log):
        page = context.new_page()
        log.watch(page)
        page.goto(base, wait_until="networkidle")
        page.keyboard.press("/")
        results = typed_search(page, "okapi")
        page.wait_for_load_state("networkidle")
        assert results[0]["title"] == "Okapi <b>bold</b> protocol"
        assert page.locator(".md-search-result img, .md-search-result b, .md-search-result script").count() == 0
        assert page.title() != "pwned"
        excerpt = page.locator(".md-search-result__item p").first.inner_text()
        assert excerpt == ("Okapi <b>bold</b> protocol. Give okapi <img src=x onerror=\"document.title='pwned'\"> "
                           "with care & attention.")
        assert log.external == [] and log.failed == [] and log.page_errors == []


def test_a_site_without_its_index_says_search_is_not_available(tmp_path: Path, chromium_browser: Any) -> None:
    """A copy of the site without pagefind/ (or `protocols serve`, which does not index) answers with a
    sentence instead of failing silently or throwing."""
    import shutil

    from local_http import served

    build_site(SMALL_SITE, tmp_path / "site")
    shutil.rmtree(tmp_path / "site" / "pagefind")
    with served(tmp_path / "site") as base, recorded_context(chromium_browser, base) as (context, log):
        page = context.new_page()
        log.watch(page)
        page.goto(base, wait_until="networkidle")
        assert log.failed == []  # nothing of the index is fetched before the reader turns to search
        page.keyboard.press("/")
        page.locator("input.md-search__input").press_sequentially("ketamine")
        meta = page.locator(".md-search-result__meta")
        meta.filter(has_text="not available").wait_for()
        assert meta.inner_text() == ("Search is not available: this copy of the site has no search index "
                                     "(protocols build writes it).")
        assert page.locator(".md-search-result__item").count() == 0
        assert log.page_errors == [] and log.external == []


# Pagefind is shown each marked page, where it can be cut safely, as only its head and marked article, the
# excluded parts emptied (search_index.only_the_article), else whole.

SCHEDULE = (b'<figure class="pc-schedule"><div class="pc-schedule__scroll" tabindex="0"><svg viewBox="0 0 9 9">'
            b'<text>day 1</text></svg></div></figure>')
DOSE_TABLE = (b'<div class="pc-dose-table" data-regimen="r">\n<table>\n<caption>ketamine by weight</caption>\n'
              b'<thead>\n<tr><th>Weight</th></tr>\n</thead>\n<tbody>\n<tr><td>30 kg</td></tr>\n</tbody>\n</table>'
              b'</div>')
SIDEBARS = (b'<div class="md-sidebar md-sidebar--primary" data-md-component="sidebar"><nav>ketamine 5 mg</nav></div>'
            b'<div class="md-sidebar md-sidebar--secondary"><nav>contents</nav></div>')
ARTICLE = b'<article class="md-typeset" data-pagefind-body><h1>K</h1>' + SCHEDULE + DOSE_TABLE + b'</article>'
HEAD = b'<html lang="en"><head><title>K</title></head><body dir="ltr">'


def test_a_page_is_staged_as_its_head_and_its_article_with_the_excluded_parts_emptied() -> None:
    page = (HEAD + b"<header>h</header>" + SIDEBARS + b'<div class="md-content">' + ARTICLE
            + b"</div><footer>f</footer><script>x</script></body></html>")
    assert search_index.only_the_article(page) == (
        HEAD + b'<article class="md-typeset" data-pagefind-body><h1>K</h1><figure class="pc-schedule">'
        b'<div class="pc-schedule__scroll" tabindex="0"><svg viewBox="0 0 9 9"></svg></div></figure>'
        b'<div class="pc-dose-table" data-regimen="r">\n<table>\n<caption>ketamine by weight</caption>\n'
        b"<thead></thead>\n<tbody></tbody>\n</table></div></article></body></html>")


@pytest.mark.parametrize("page", [
    HEAD + b"<header>h</header><div data-pagefind-body>text</div></body></html>",
    HEAD + b'<nav data-pagefind-filter="x">n</nav>' + ARTICLE + b"</body></html>",
    HEAD + ARTICLE + b'<footer data-pagefind-meta="x">f</footer></body></html>',
    HEAD + ARTICLE.replace(b"<h1>", b"<article><h1>") + b"</article></body></html>",
    HEAD + ARTICLE,  # no end of body
], ids=["not an article", "a pagefind attribute before", "a pagefind attribute after", "nested articles",
        "no end of body"])
def test_a_page_whose_article_cannot_be_cut_out_safely_is_not(page: bytes) -> None:
    assert search_index.only_the_article(page) is None


@pytest.mark.parametrize("part", [
    SCHEDULE.replace(b"<text>", b"<svg><text>").replace(b"</svg>", b"</svg></svg>"),
    SCHEDULE.replace(b"<text>", b'<text data-pagefind-meta="x">'),
    DOSE_TABLE.replace(b"<td>30 kg</td>", b"<td><table><tr><td>30 kg</td></tr></table></td>"),
    DOSE_TABLE.replace(b"<td>30 kg", b'<td data-pagefind-filter="x">30 kg'),
], ids=["nested drawing", "pagefind attribute in a drawing", "nested table", "pagefind attribute in a table"])
def test_an_excluded_part_that_cannot_be_emptied_safely_is_kept(part: bytes) -> None:
    page = HEAD + b'<article data-pagefind-body>' + part + b"</article></body></html>"
    shown = search_index.only_the_article(page)
    assert shown is not None and part in shown


def test_the_index_of_the_cut_pages_is_the_index_of_the_whole_pages(
    built_sites: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both sample sites, indexed again from the staged pages (head and article) and
    from the whole pages: byte for byte the same bundle."""
    for name, site in built_sites.items():
        bundles = {}
        for staged in ("cut", "whole"):
            copy = tmp_path / name / staged
            for page in site.root.rglob("*.html"):
                if "pagefind" not in page.relative_to(site.root).parts:
                    (copy / page.relative_to(site.root)).parent.mkdir(parents=True, exist_ok=True)
                    (copy / page.relative_to(site.root)).write_bytes(page.read_bytes())
            if staged == "whole":
                monkeypatch.setattr(search_index, "only_the_article", lambda page: None)
            search_index.index_site(copy)
            monkeypatch.undo()
            bundles[staged] = tree(copy / "pagefind")
        assert bundles["cut"] == bundles["whole"] == tree(site.root / "pagefind"), name


def test_the_engine_hands_over_every_page_as_written_so_only_the_theme_pages_are_read_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    handed: dict[str, str] = {}
    add = search_index.PagefindViews.add

    def recording_add(self: search_index.PagefindViews, path: str, output: str) -> None:
        handed[path] = output
        add(self, path, output)

    monkeypatch.setattr(search_index.PagefindViews, "add", recording_add)
    out = tmp_path / "site"
    build_site({"index.md": "# Home\n\nketamine\n", "drugs/index.md": "# Drugs\n\ntext\n"}, out)
    written = sorted(path.relative_to(out).as_posix() for path in out.rglob("*.html")
                     if "pagefind" not in path.relative_to(out).parts)
    assert sorted(handed) == ["drugs/index.html", "index.html"]
    assert sorted(set(written) - set(handed)) == ["404.html"]
    for path, output in handed.items():  # what Pagefind is shown is what MkDocs wrote, byte for byte
        assert output.encode() == (out / path).read_bytes(), path
    assert indexed_urls(out) == ["/", "/drugs/"]


def test_the_excluded_parts_are_emptied_as_their_patterns_match_them_on_random_markup() -> None:
    """only_the_article finds each part by its opening literal and cuts it at its first closing tag: what these
    patterns (the first way it was written) match and the replacement makes of each match."""
    schedule = re.compile(rb'(<div class="pc-schedule__scroll"[^>]*><svg\b[^>]*>)([^<]*(?:<(?!/svg>)[^<]*)*)(</svg>)')
    table = re.compile(rb'<div class="pc-dose-table"[^>]*>\s*<table>[^<]*(?:<(?!/table>)[^<]*)*</table>')
    part = re.compile(rb"(<(thead|tbody)>)([^<]*(?:<(?!/t(?:head|body)>)[^<]*)*)(</\2>)")

    def emptied(nested: bytes) -> Callable[[re.Match[bytes]], bytes]:
        def replace(match: re.Match[bytes]) -> bytes:
            inside = match[match.re.groups - 1]
            if nested in inside or b"data-pagefind" in inside:
                return match[0]
            return match[1] + match[match.re.groups]
        return replace

    def emptied_table(match: re.Match[bytes]) -> bytes:
        if match[0].count(b"<table") > 1 or b"data-pagefind" in match[0]:
            return match[0]
        return part.sub(emptied(b"<table"), match[0])

    pieces = [b'<div class="pc-schedule__scroll"', b'<div class="pc-schedule__scroll" t="0"><svg v="0">',
              b'<div class="pc-dose-table"', b'<div class="pc-dose-table">',
              b'<div class="pc-dose-table" d="r">\n<table>', b" x", b">", b"\n", b"\x0b", b"\x0c", b"\xc2\xa0",
              b"<svg", b"<svg>", b"<svgx", b"_", b"</svg>",
              b"<text>d</text>", b"<table>", b"</table>", b"<table", b"<thead>", b"</thead>", b"<tbody>", b"</tbody>",
              b"<tr><td>1</td></tr>", b"data-pagefind", b"<", b"/"]
    generator = random.Random(16)
    changed = 0
    for _ in range(30_000):
        article = b"".join(generator.choice(pieces) for _ in range(generator.randint(0, 14)))
        page = HEAD + b"<article data-pagefind-body>" + article + b"</article></body></html>"
        expected = table.sub(emptied_table, schedule.sub(emptied(b"<svg"), article))
        changed += expected != article
        assert search_index.only_the_article(page) == (
            HEAD + b"<article data-pagefind-body>" + expected + b"</article></body></html>"), article
    assert changed > 300  # parts were emptied, not only kept (412 of the 30,000)


@pytest.mark.parametrize(("space", "emptied"), [(b"\t\n\r \x0b\x0c", True), (b"\xc2\xa0", False), (b"\x1c", False)],
                         ids=["ascii white space", "no-break space", "file separator"])
def test_a_dose_table_is_emptied_after_ascii_white_space_only(space: bytes, emptied: bool) -> None:
    part = DOSE_TABLE.replace(b">\n<table>", b">" + space + b"<table>")
    shown = search_index.only_the_article(HEAD + b"<article data-pagefind-body>" + part + b"</article></body></html>")
    assert shown is not None and (b"<thead></thead>" in shown) is emptied and (part in shown) is not emptied
