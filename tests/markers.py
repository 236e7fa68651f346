"""The test tiers: which tests are `browser`, `node` or `engine`, decided here so nobody has to remember.

- `browser`: drives Debian's Chromium through Playwright.
- `node`: runs Node (the calculator JS, page scripts).
- `engine`: runs a full MkDocs build (in-process or `protocols build`/`serve` in a subprocess).

`make test` runs every tier, as CI does; `make test-fast` runs `-m "not browser and not node and not engine"`.

Marks come from two places, applied by conftest.py at collection:
- the fixtures a test uses (FIXTURE_MARKS: a test that uses `built_sites` builds the sample sites);
- MODULE_MARKS, for tests that reach the engine, Node or Chromium by their own code: a whole module
  ("test_x.py") or one test function ("test_x.py::test_name", every parametrization of it). A module
  fixture that builds a site runs in whichever of its tests comes first (in any order, under xdist too):
  mark every test that uses it, or the module.

The tier is also watched while tests run (`TierWatch`): a test that runs the MkDocs engine, Node or
Chromium without the mark fails and names the line to add here. So a forgotten mark cannot slip into
`make test-fast`, which would make it slow, or hide a browser test from it.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

TIERS = ("browser", "node", "engine")
FAST = "not browser and not node and not engine"

FIXTURE_MARKS: dict[str, frozenset[str]] = {
    "chromium_browser": frozenset({"browser"}),
    "built_sites": frozenset({"engine"}),
    "served_sites": frozenset({"engine"}),
}

_ENGINE = frozenset({"engine"})
_NODE = frozenset({"node"})
_BROWSER = frozenset({"browser", "engine"})

MODULE_MARKS: dict[str, frozenset[str]] = {
    # whole modules
    "test_approval_end_to_end.py": _ENGINE,
    "test_atomic_output_build.py": _ENGINE,
    "test_build.py": _ENGINE,
    "test_build_output.py": _ENGINE,
    "test_content_safety.py": _ENGINE,
    "test_determinism.py": _ENGINE,
    "test_dose_panel_browser.py": _BROWSER,
    "test_dose_calculator_node.py": _NODE,
    "test_golden_sites.py": _ENGINE,
    "test_html_valid.py": _ENGINE,
    "test_engine_html_pages.py": _ENGINE,
    "test_engine_nowrap.py": _ENGINE,
    "test_engine_page_body.py": _ENGINE,
    "test_leak_scan.py": _ENGINE,
    "test_markdown_browser.py": _BROWSER,
    "test_markdown_engine.py": _ENGINE,
    "test_packaging.py": _ENGINE,
    "test_protocol_images.py": _ENGINE,
    "test_search_index.py": _ENGINE,
    "test_serve.py": _ENGINE,
    "test_atomic_output.py": _ENGINE,
    # single tests of otherwise fast modules
    "test_build_date.py::test_the_first_and_last_build_dates_build_a_site": _ENGINE,
    "test_dose_calculator_browser.py::test_dosecalc_exports_the_computation_and_writes_nothing_itself": _NODE,
    "test_dose_panel.py::test_page_dates_compare_the_readers_date_with_the_build": _NODE,
    "test_dose_panel.py::test_page_dates_ignore_malformed_attributes": _NODE,
    "test_dose_panel.py::test_list_pages_carry_every_version_upcoming_on_the_build_date": _NODE,
    "test_dose_panel.py::test_site_dates_name_only_the_versions_in_force_since_the_build": _NODE,
    "test_links_crawl.py::test_dose_change_rows_of_diff_pages_link_to_the_item_on_its_version_page": _ENGINE,
    "test_handbooks.py::test_handbook_pages_build_strictly": _ENGINE,
    "test_theme_cache.py::test_a_site_built_with_the_caches_is_byte_identical_to_one_built_without": _ENGINE,
    "test_serve_incremental.py::test_a_dose_edit_rewrites_only_its_pages_and_equals_a_fresh_build": _ENGINE,
    "test_serve_incremental.py::test_a_deleted_protocol_leaves_no_page_and_no_search_entry": _ENGINE,
    "test_serve_incremental.py::test_a_new_protocol_gets_its_pages": _ENGINE,
    "test_serve_incremental.py::test_a_handbook_title_edit_equals_a_fresh_build": _ENGINE,
    "test_serve_incremental.py::test_a_new_navigation_entry_rebuilds_every_page": _ENGINE,
    "test_serve_incremental.py::test_a_syntax_error_changes_no_page_then_the_fix_shows": _ENGINE,
    "test_serve_incremental.py::test_an_engine_failure_is_reported_and_the_next_build_is_whole": _ENGINE,
    "test_serve_incremental.py::test_a_broken_mkdocs_yml_is_shown_then_its_fix_rebuilds_every_page": _ENGINE,
    "test_serve_incremental.py::test_saves_re_render_only_what_they_changed_and_equal_a_fresh_build": _ENGINE,
    "test_mkdocs_config.py::test_the_readme_example_of_a_site_file_builds_with_its_name_palette_and_disclaimer":
        _ENGINE,
}


def marks_for(module: str, function: str, fixturenames: Iterable[str]) -> frozenset[str]:
    """The tiers of one test: `module` is the file name ("test_x.py"), `function` the test's name
    without parameters."""
    marks: set[str] = set()
    for name in fixturenames:
        marks |= FIXTURE_MARKS.get(name, frozenset())
    marks |= MODULE_MARKS.get(module, frozenset())
    marks |= MODULE_MARKS.get(f"{module}::{function}", frozenset())
    return frozenset(marks)


def tier_of_command(argv: Sequence[Any]) -> str | None:
    """The tier a subprocess command belongs to: Playwright's driver (which starts Chromium), Node, or
    `protocols build`/`serve` (the engine)."""
    words = [os.fspath(word) if isinstance(word, os.PathLike) else str(word) for word in argv]
    if not words:
        return None
    program = os.path.basename(words[0])
    if "run-driver" in words[1:3]:  # playwright/driver/node .../cli.js run-driver
        return "browser"
    if program in ("node", "nodejs"):
        return "node"
    runs_protocols = program == "protocols" or "generator.cli" in words or "generator" in words[1:3]
    if runs_protocols and ("build" in words or "serve" in words):
        return "engine"
    return None


@dataclass
class TierWatch:
    """What tiers the running test has used, seen from MkDocs' page builder and subprocess.Popen (Node,
    Playwright's driver, `protocols build`/`serve`). `install()` patches both for the whole session;
    `running()` attributes what happens (fixture setup included) to one test."""

    used: dict[str, list[str]] = field(default_factory=dict)  # tier -> what was seen, for the message
    ignoring: bool = False  # while a test of the watch itself runs a tier's stand-in
    _installed: list[tuple[Any, str, Any]] = field(default_factory=list)

    def saw(self, tier: str, what: str) -> None:
        if not self.ignoring:
            self.used.setdefault(tier, []).append(what)

    @contextmanager
    def ignored(self) -> Iterator[None]:
        self.ignoring = True
        try:
            yield
        finally:
            self.ignoring = False

    @contextmanager
    def running(self) -> Iterator[dict[str, list[str]]]:
        self.used = {}
        try:
            yield self.used
        finally:
            self.used = {}

    def install(self) -> None:
        import mkdocs.commands.build as mkdocs_build

        watch = self
        build_page = mkdocs_build._build_page

        def watched_build_page(*args: Any, **kwargs: Any) -> Any:
            watch.saw("engine", "MkDocs built a page")
            return build_page(*args, **kwargs)

        popen = subprocess.Popen

        class WatchedPopen(popen):  # type: ignore[misc,valid-type]
            def __init__(self, args: Any, *rest: Any, **kwargs: Any) -> None:
                command = [args] if isinstance(args, (str, bytes, os.PathLike)) else list(args)
                tier = tier_of_command(command)
                if tier:
                    watch.saw(tier, "ran " + " ".join(map(str, command))[:120])
                super().__init__(args, *rest, **kwargs)

        for owner, name, value in ((mkdocs_build, "_build_page", watched_build_page),
                                   (subprocess, "Popen", WatchedPopen)):
            self._installed.append((owner, name, getattr(owner, name)))
            setattr(owner, name, value)

    def uninstall(self) -> None:
        while self._installed:
            owner, name, value = self._installed.pop()
            setattr(owner, name, value)


SESSION_WATCH = TierWatch()  # installed by conftest.py for the whole test session


def unmarked_tiers(used: dict[str, list[str]], marks: Iterable[str], nodeid: str) -> str:
    """The failure message for tiers a test used without their mark, or "" when its marks cover them."""
    missing = sorted(set(used) - set(marks))
    if not missing:
        return ""
    module, _, rest = nodeid.rpartition("/")[2].partition("::")
    function = rest.split("[")[0]
    seen = "; ".join(f"{tier}: {used[tier][0]}" for tier in missing)
    entry = ", ".join(f'"{module}::{function}": frozenset({{"{tier}"}})' for tier in missing)
    return (f"this test uses the {' and '.join(missing)} tier without its mark ({seen}); "
            f"add {entry} (or the whole module) to MODULE_MARKS in tests/markers.py")
