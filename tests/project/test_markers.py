"""The test tiers of tests/markers.py: every entry names a real test, every module that reaches a tier's
tool is marked for it, and the watch that fails an unmarked use sees each tier."""

from __future__ import annotations

import re
import subprocess
import tomllib
from pathlib import Path

import mkdocs.commands.build as mkdocs_build
import pytest
from markers import (
    FIXTURE_MARKS,
    MODULE_MARKS,
    SESSION_WATCH,
    TIERS,
    TierWatch,
    marks_for,
    tier_of_command,
    unmarked_tiers,
)

TESTS = Path(__file__).resolve().parents[1]
ROOT = TESTS.parent

# What in a module's source says it reaches a tier without one of FIXTURE_MARKS' fixtures.
TIER_SIGNS = {
    "node": re.compile(r'which\("node"\)|\[\s*"node"'),
    "engine": re.compile(r'(?:run|cli\.main)\(\s*\[?\s*"(?:build|serve)"|running_serve\(|build_panel_site\(|'
                         r'"protocols"\), "build"|/ "bin/protocols"\), "build"'),
    "browser": re.compile(r"launched_chromium\(|sync_playwright\("),
}


def module_sources() -> dict[str, str]:
    return {path.name: path.read_text(encoding="utf-8") for path in sorted(TESTS.rglob("test_*.py"))}


def module_tiers(name: str, source: str) -> set[str]:
    """Every tier some test of a module is marked with: module and function entries, fixtures it names."""
    tiers = set(MODULE_MARKS.get(name, ()))
    for key, marks in MODULE_MARKS.items():
        if key.startswith(name + "::"):
            tiers |= marks
    for fixture, marks in FIXTURE_MARKS.items():
        if re.search(rf"\b{fixture}\b", source):
            tiers |= marks
    return tiers


def test_every_entry_names_an_existing_module_and_test() -> None:
    modules = module_sources()
    stale = []
    for key in MODULE_MARKS:
        module, _, function = key.partition("::")
        if module not in modules or (function and not re.search(rf"^def {function}\(", modules[module], re.M)):
            stale.append(key)
    assert stale == [], "tests/markers.py names tests that no longer exist"
    assert {mark for marks in [*MODULE_MARKS.values(), *FIXTURE_MARKS.values()] for mark in marks} <= set(TIERS)


def test_every_module_that_reaches_a_tier_has_tests_marked_for_it() -> None:
    # The module-level helpers of tier tests (tests/browser.py, serve_process.py) are used only through
    # the modules checked here; the watch (conftest.py) catches a single test that escapes this scan.
    missing = [f"{name}: {tier}" for name, source in module_sources().items() if name != "test_markers.py"
               for tier, sign in TIER_SIGNS.items() if sign.search(source) and tier not in module_tiers(name, source)]
    assert missing == [], "add these to MODULE_MARKS in tests/markers.py"


def test_the_tiers_are_registered_as_strict_markers() -> None:
    options = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["pytest"]["ini_options"]
    assert "--strict-markers" in options["addopts"].split()
    assert sorted(marker.split(":")[0] for marker in options["markers"]) == sorted(TIERS)


def test_marks_come_from_fixtures_modules_and_single_tests() -> None:
    assert marks_for("test_x.py", "test_y", ["tmp_path"]) == frozenset()
    assert marks_for("test_x.py", "test_y", ["served_sites", "built_sites"]) == {"engine"}
    assert marks_for("test_x.py", "test_y", ["chromium_browser"]) == {"browser"}
    assert marks_for("test_dose_calculator_node.py", "test_anything", []) == {"node"}
    name = "test_dose_panel.py::test_page_dates_ignore_malformed_attributes"
    module, _, function = name.partition("::")
    assert marks_for(module, function, []) == {"node"}
    assert marks_for(module, "test_the_panel_comes_right_after_the_title_and_one_status_line", []) == frozenset()


@pytest.mark.parametrize(("argv", "tier"), [
    (["/usr/bin/node", "batch.js"], "node"),
    (["nodejs", "-e", "1"], "node"),
    ([Path("/opt/node"), "-e", "1"], "node"),
    (["/x/playwright/driver/node", "/x/playwright/driver/package/cli.js", "run-driver"], "browser"),
    (["/venv/bin/protocols", "build", "--as-of", "2026-06-01"], "engine"),
    (["/usr/bin/python3", "-m", "generator.cli", "serve", "protocols"], "engine"),
    (["/venv/bin/protocols", "check", "protocols"], None),
    (["/usr/bin/python3", "scripts/sign_sample_approvals.py", "protocols"], None),
    (["ssh-keygen", "-Y", "sign"], None),
    (["java", "-jar", "vnu.jar"], None),
    ([], None),
])
def test_commands_are_sorted_into_tiers(argv: list[object], tier: str | None) -> None:
    assert tier_of_command(argv) == tier


def test_an_unmarked_use_names_the_entry_to_add() -> None:
    used = {"node": ["ran node -e 1"], "engine": ["MkDocs built a page"]}
    assert unmarked_tiers(used, {"engine"}, "tests/test_x.py::test_y[case-1]") == (
        'this test uses the node tier without its mark (node: ran node -e 1); add "test_x.py::test_y": '
        'frozenset({"node"}) (or the whole module) to MODULE_MARKS in tests/markers.py'
    )
    assert unmarked_tiers(used, {"engine", "node"}, "tests/test_x.py::test_y") == ""
    assert unmarked_tiers({}, set(), "tests/test_x.py::test_y") == ""


def test_the_watch_sees_a_subprocess_of_a_tier_and_mkdocs_pages(tmp_path: Path) -> None:
    fake_node = tmp_path / "node"
    fake_node.write_text("#!/bin/sh\nexit 0\n")
    fake_node.chmod(0o755)
    watch = TierWatch()
    real_popen, real_build_page = subprocess.Popen, mkdocs_build._build_page
    watch.install()
    try:
        with SESSION_WATCH.ignored(), watch.running() as used:
            subprocess.run(["true"], check=True)
            assert used == {}
            subprocess.run([str(fake_node), "-e", "1"], check=True)
            with pytest.raises(TypeError):
                mkdocs_build._build_page()  # type: ignore[call-arg]
            assert used == {"node": [f"ran {fake_node} -e 1"], "engine": ["MkDocs built a page"]}
        assert watch.used == {}
    finally:
        watch.uninstall()
    # the session's own watch (conftest.py) is back in place, and it still watches
    assert not SESSION_WATCH.ignoring
    assert (subprocess.Popen, mkdocs_build._build_page) == (real_popen, real_build_page)
