"""Session-wide fixtures: the sample library's two sites, built once each; one Chromium for every
browser test; the built sites served over HTTP under a sub-path.

- `built_sites`: {"clinician": BuiltSite, "reviewer": BuiltSite} (tests/site_pages.py), built with
  `protocols build` (check first, strict MkDocs) from protocols/ on AS_OF.
- `chromium_browser`: a Playwright Browser. Playwright's sync API cannot run twice at once in one
  process, so every browser test must use this fixture instead of launching its own.
- `served_sites`: {"clinician": ServedSite, "reviewer": ServedSite}; `ServedSite.url(page)` is where a
  page is served under /protocols/, 404.html included (its links are relative: generator/site/engine.py).

The test tiers (markers `browser`, `node`, `engine`) are applied here from tests/markers.py, and watched
while each test runs: a test that uses a tier without its mark fails (markers.TierWatch).
"""

from __future__ import annotations

import datetime as dt
import gc
import io
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

import pytest
from browser import REPO_ROOT, launched_chromium
from hypothesis_profiles import register as register_hypothesis_profiles
from local_http import served
from markers import SESSION_WATCH, marks_for, unmarked_tiers
from site_pages import BuiltSite, discover, page_url

from generator import cli

AS_OF = dt.date(2026, 6, 1)

register_hypothesis_profiles()  # `protocols` (full counts) loaded; `make test-fast` picks `fast`

def pytest_configure(config: pytest.Config) -> None:
    SESSION_WATCH.install()


def pytest_unconfigure(config: pytest.Config) -> None:
    SESSION_WATCH.uninstall()


def pytest_collection_finish(session: pytest.Session) -> None:
    # The collected tests (2,767 items, their parameters and the imported modules) live until the end:
    # moved out of the collector's reach, they are not traversed again by every full collection while the
    # tests run (half the collector's time, about 1 s of make test-fast). What the tests make is collected as
    # before; a cycle made during collection that becomes garbage later stays until the process ends.
    gc.freeze()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        function = getattr(item, "originalname", item.name)
        for mark in sorted(marks_for(item.path.name, function, getattr(item, "fixturenames", ()))):
            item.add_marker(mark)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Any:
    with SESSION_WATCH.running():
        return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    if call.when == "call":
        message = unmarked_tiers(SESSION_WATCH.used, {mark.name for mark in item.iter_markers()}, item.nodeid)
        if message:
            if report.passed:
                report.outcome = "failed"
                report.longrepr = message
            else:
                report.sections.append(("test tiers", message))
    return report


@pytest.fixture(scope="session")
def built_sites(tmp_path_factory: pytest.TempPathFactory) -> dict[str, BuiltSite]:
    folder = tmp_path_factory.mktemp("sites")
    sites = {}
    for name, flags in (("clinician", []), ("reviewer", ["--reviewer"])):
        out = folder / name
        log = io.StringIO()
        status = cli.main(["build", *flags, "--as-of", AS_OF.isoformat(), "--out", str(out),
                           str(REPO_ROOT / "protocols")], out=log)
        assert status == 0, f"protocols build {' '.join(flags)} failed:\n{log.getvalue()}"
        sites[name] = discover(name, out)
    return sites


@pytest.fixture(scope="session")
def chromium_browser() -> Iterator[Any]:
    with launched_chromium() as browser:
        yield browser


@dataclass(frozen=True)
class ServedSite:
    """A built site served under /protocols/ (base), and at a server root (root_base). Every page, 404.html
    included, is tested under the sub-path: MkDocs would write 404.html with root-absolute links, which
    generator/site/engine.py makes relative when site_url is unset."""

    site: BuiltSite
    base: str
    root_base: str

    def url(self, page: str) -> str:
        return self.base + page_url(page)

    def base_for(self, page: str) -> str:
        return self.base


@pytest.fixture(scope="session")
def served_sites(built_sites: dict[str, BuiltSite]) -> Iterator[dict[str, ServedSite]]:
    with ExitStack() as stack:
        yield {
            name: ServedSite(site, stack.enter_context(served(site.root)), stack.enter_context(served(site.root, "/")))
            for name, site in built_sites.items()
        }
