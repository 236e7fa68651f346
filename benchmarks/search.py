"""What a clinician's first search costs: bytes downloaded and time to the first result, in headless Chromium.

    python benchmarks/search.py --n 1000 [--repeat 3] [--keep DIR]     # generate, build, measure
    python benchmarks/search.py --site DIR [--query WORD]              # measure a site built already

The site is served over HTTP on 127.0.0.1 under /protocols/ (as an intranet hosts it). Each run opens a
fresh browser context (an empty cache: a cold page), loads a canonical protocol page, presses "/" and types
a drug's name into the header search, then waits for the first result. It records the bytes of the
responses the server sent (uncompressed, as this server sends them; counted at the server because
Pagefind fetches from a worker, which the page's DevTools session does not see) from the navigation until
that result: the page and its assets, then what the search fetched (Pagefind's script, WebAssembly, index
chunks and fragments); and, in the page, the time from the first keystroke's input event to the first result in the
list. The median run is printed. benchmarks/run.py --search runs this on each size it builds; the
targets are in benchmarks/targets.py (SEARCH_BYTES_LIMIT_MB, SEARCH_MS_LIMIT).

Baseline (shared/engine-facts.md), Material's search at N = 1,000: a cold page fetched 13.2 MB and showed
its first result 3.5 s after typing (0.38 s at N = 100); its index alone is 12.6 MB.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from local_http import SentBytes, served
from synthetic import AS_OF, generate_library

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
MOUNT = "/protocols/"
RESULT = ".md-search-result__item a"
TIMEOUT_MS = 60_000

# Installed before any script of the page: the time of the search box's first input event and of the
# first result appearing in the list.
WATCH_SEARCH = """
(() => {
  window.__search = {typed: null, shown: null};
  document.addEventListener("input", (event) => {
    if (window.__search.typed === null && event.target.matches("input.md-search__input")) {
      window.__search.typed = performance.now();
    }
  }, true);
  new MutationObserver(() => {
    if (window.__search.shown === null && document.querySelector("RESULT")) {
      window.__search.shown = performance.now();
    }
  }).observe(document, {childList: true, subtree: true});
})();
""".replace("RESULT", RESULT)


@dataclass(frozen=True)
class SearchRun:
    page_bytes: int  # received while loading the page (HTML, styles, scripts)
    search_bytes: int  # received from the first keystroke to the first result
    ms_to_first_result: float
    first_result: str  # its URL, from the site root

    @property
    def total_bytes(self) -> int:
        return self.page_bytes + self.search_bytes


def default_query(site: Path) -> str:
    """The name of the first drug of the drug index (a drug page's folder is the drug's id)."""
    drugs = sorted(path.name for path in (site / "drugs").iterdir() if path.is_dir())
    if not drugs:
        raise SystemExit(f"{site} has no drug pages to take a search word from: give --query")
    return drugs[0]


def default_page(site: Path) -> str:
    """The first protocol's canonical page, from the site root."""
    protocols = sorted(path.name for path in (site / "protocols").iterdir() if (path / "index.html").is_file())
    if not protocols:
        raise SystemExit(f"{site} has no protocol pages")
    return f"protocols/{protocols[0]}/"


def measure_once(browser: Any, base: str, sent: SentBytes, page_path: str, query: str) -> SearchRun:
    context = browser.new_context()  # a new context: an empty cache
    try:
        page = context.new_page()
        page.add_init_script(WATCH_SEARCH)
        start = sent.total
        page.goto(base + page_path, wait_until="networkidle", timeout=TIMEOUT_MS)
        page_bytes = sent.total - start
        page.keyboard.press("/")
        page.wait_for_function("document.activeElement.matches('input.md-search__input')", timeout=TIMEOUT_MS)
        page.keyboard.type(query)
        page.wait_for_selector(RESULT, timeout=TIMEOUT_MS)
        page.wait_for_function("window.__search.shown !== null", timeout=TIMEOUT_MS)
        timing = page.evaluate("window.__search")
        first = page.locator(RESULT).first.get_attribute("href") or ""
        # Responses still arriving when the result showed (a fragment of a later result) count too: the
        # reader's browser fetches them for this search.
        page.wait_for_load_state("networkidle", timeout=TIMEOUT_MS)
        search_bytes = sent.total - start - page_bytes
        return SearchRun(page_bytes, search_bytes, timing["shown"] - timing["typed"],
                         first.removeprefix(base).removeprefix(MOUNT))
    finally:
        context.close()


def measure_site(site: Path, query: str | None = None, repeat: int = 3) -> tuple[SearchRun, list[SearchRun]]:
    """The median run (by time to the first result) and every run, on the built site ``site``."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            return measure_with(browser, site, query, repeat)
        finally:
            browser.close()


def measure_with(browser: Any, site: Path, query: str | None = None, repeat: int = 3
                 ) -> tuple[SearchRun, list[SearchRun]]:
    """measure_site in a running Playwright browser (a test's)."""
    if not (site / "pagefind" / "pagefind.js").is_file():
        raise SystemExit(f"{site} has no Pagefind index (pagefind/pagefind.js): build it with protocols build")
    word = query or default_query(site)
    page_path = default_page(site)
    sent = SentBytes()
    with served(site, MOUNT, sent=sent) as base:
        measure_once(browser, base, sent, page_path, word)  # warms the server's file cache, not the browser's
        runs = [measure_once(browser, base, sent, page_path, word) for _ in range(max(1, repeat))]
    ordered = sorted(runs, key=lambda run: run.ms_to_first_result)
    return ordered[len(ordered) // 2], runs


def index_size(site: Path) -> int:
    return sum(path.stat().st_size for path in (site / "pagefind").rglob("*") if path.is_file())


def describe(n: int | None, site: Path, median: SearchRun, runs: list[SearchRun], query: str) -> str:
    label = f"N={n:,}" if n is not None else str(site)
    times = ", ".join(f"{run.ms_to_first_result:.0f}" for run in runs)
    return (
        f"search at {label} (query {query!r}, {len(runs)} cold runs, median shown):\n"
        f"  bytes before the first result: {median.total_bytes / 1e6:.3f} MB "
        f"(page {median.page_bytes / 1e6:.3f} MB + search {median.search_bytes / 1e6:.3f} MB)\n"
        f"  typing to the first result: {median.ms_to_first_result:.0f} ms (runs: {times} ms)\n"
        f"  first result: {median.first_result}; Pagefind bundle on disk {index_size(site) / 1e6:.1f} MB"
    )


def build(n: int, workdir: Path) -> Path:
    library, site = workdir / "protocols", workdir / "site"
    generate_library(library, n)
    command = [sys.executable, "-m", "generator.cli", "build", "--as-of", AS_OF.isoformat(), "--out", str(site),
               str(library)]
    subprocess.run(command, check=True, cwd=workdir, stdout=subprocess.DEVNULL)
    return site


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Bytes and time to a first search result in headless Chromium.")
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--n", type=int, help="generate and build a synthetic library of N protocols")
    where.add_argument("--site", type=Path, help="a site built already")
    parser.add_argument("--query", help="the word typed (default: the first drug of the drug index)")
    parser.add_argument("--repeat", type=int, default=3, help="cold runs; the median is shown")
    parser.add_argument("--keep", type=Path, help="build under this folder and keep it (with --n)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="protocols-search-") as scratch:
        if args.site is not None:
            site = args.site
        else:
            workdir = args.keep or Path(scratch)
            workdir.mkdir(parents=True, exist_ok=True)
            site = build(args.n, workdir)
        query = args.query or default_query(site)
        median, runs = measure_site(site, query, args.repeat)
        print(describe(args.n, site, median, runs, query))
    return 0


if __name__ == "__main__":
    sys.exit(main())
