"""The tests mirror the generator: a test module sits in tests/<stage>/ for the stage of generator/ it tests
and its name starts with that module's (test_<module>.py, test_<module>_<aspect>.py); tests of the base
modules (generator/*.py) in tests/base/; whole built sites and browsers in tests/end_to_end/; checks of the
repository itself (import graph, docs, packaging, benchmarks, the test tiers) in tests/project/. Shared
helpers and data stay in tests/ itself. No two test modules share a name (markers.py keys on it), and a
test module imports another only from its own folder: pytest puts that folder on sys.path for it, any other
only by chance of collection order (a helper both need belongs in tests/, like html_scan.py and axe.py)."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
GENERATOR = TESTS.parent / "generator"
BASE = "base"
FREE_FOLDERS = {  # folders whose tests span several modules: any name will do
    "end_to_end": "built sample sites, browsers, several stages at once",
    "project": "the repository itself: import graph, docs, packaging, benchmarks, test tiers",
}


def stage_modules(generator: Path) -> dict[str, set[str]]:
    """The module names of each folder a test may sit in: every package of `generator` (a stage) and
    `base` for the modules at its top level."""
    folders = {BASE: {path.stem for path in generator.glob("*.py") if path.stem != "__init__"}}
    for package in sorted(path.parent for path in generator.glob("*/__init__.py")):
        folders[package.name] = {path.stem for path in package.glob("*.py") if path.stem != "__init__"}
    return folders


def misplaced_tests(tests: Path, generator: Path) -> list[str]:
    """Each test module (test_*.py) that is not where the layout puts it, with what to do."""
    folders = stage_modules(generator)
    found = []
    for path in sorted(tests.rglob("test_*.py")):
        relative = path.relative_to(tests)
        if any(part in ("__pycache__", "js", "golden", "sample_keys") for part in relative.parts[:-1]):
            continue
        if len(relative.parts) == 1:
            found.append(f"tests/{relative}: in tests/ itself; move it to the folder of the stage it tests")
            continue
        folder = relative.parts[0]
        if len(relative.parts) > 2 or (folder not in folders and folder not in FREE_FOLDERS):
            allowed = ", ".join(sorted([*folders, *FREE_FOLDERS]))
            found.append(f"tests/{relative}: tests/{'/'.join(relative.parts[:-1])}/ is no stage; use one of {allowed}")
            continue
        if folder in FREE_FOLDERS:
            continue
        tested = path.stem.removeprefix("test_")
        if not any(tested == module or tested.startswith(module + "_") for module in folders[folder]):
            source = "generator/" if folder == BASE else f"generator/{folder}/"
            found.append(f"tests/{relative}: names no module of {source}; call it test_<module>[_aspect].py")
    found += foreign_test_imports(tests)
    names = Counter(path.name for path in tests.rglob("test_*.py") if "__pycache__" not in path.parts)
    found += [f"{name}: {count} test modules share this name" for name, count in sorted(names.items()) if count > 1]
    return found


TEST_IMPORT = re.compile(r"^\s*(?:from|import)\s+(test_\w+)", re.M)


def foreign_test_imports(tests: Path) -> list[str]:
    """Each import of a test module that is not in the importing module's folder."""
    found = []
    for path in sorted(tests.rglob("*.py")):
        if "__pycache__" in path.parts:
            continue
        for match in TEST_IMPORT.finditer(path.read_text(encoding="utf-8")):
            if not (path.parent / f"{match.group(1)}.py").is_file():
                line = path.read_text(encoding="utf-8").count("\n", 0, match.start(1)) + 1
                found.append(f"tests/{path.relative_to(tests)}:{line}: imports {match.group(1)} from another folder;"
                             " move what both use into a helper module of tests/")
    return found


def test_every_test_module_sits_with_the_stage_it_tests() -> None:
    assert misplaced_tests(TESTS, GENERATOR) == []


def test_a_misplaced_test_module_is_named_with_what_to_do(tmp_path: Path) -> None:
    generator, tests = tmp_path / "generator", tmp_path / "tests"
    for module in ("cli.py", "dosing/__init__.py", "dosing/dose_engine.py", "render/__init__.py", "render/drugs.py",
                   "render/handbooks.py"):
        (generator / module).parent.mkdir(parents=True, exist_ok=True)
        (generator / module).write_text("")
    (tests / "render").mkdir(parents=True)
    (tests / "render" / "test_drugs.py").write_text("from test_handbooks import AS_OF\n")
    (tests / "render" / "test_handbooks.py").write_text("")
    (tests / "project").mkdir()
    (tests / "project" / "test_drugs.py").write_text("import os\n\n    from test_handbooks import AS_OF\n")
    (tests / "helpers.py").write_text("from test_drugs import x\n")
    for test in ("test_flat.py", "dosing/test_dose_engine.py", "dosing/test_dose_engine_props.py",
                 "dosing/test_dosing.py", "dosing/test_dose.py", "base/test_cli.py",
                 "base/test_cli_conventions.py", "misc/test_things.py", "render/deep/test_drugs_nested.py",
                 "end_to_end/test_anything.py", "js/test_calc.py"):
        (tests / test).parent.mkdir(parents=True, exist_ok=True)
        (tests / test).write_text("")
    allowed = "base, dosing, end_to_end, project, render"
    elsewhere = "from another folder; move what both use into a helper module of tests/"
    assert misplaced_tests(tests, generator) == [
        "tests/dosing/test_dose.py: names no module of generator/dosing/; call it test_<module>[_aspect].py",
        "tests/dosing/test_dosing.py: names no module of generator/dosing/; call it test_<module>[_aspect].py",
        f"tests/misc/test_things.py: tests/misc/ is no stage; use one of {allowed}",
        f"tests/render/deep/test_drugs_nested.py: tests/render/deep/ is no stage; use one of {allowed}",
        "tests/test_flat.py: in tests/ itself; move it to the folder of the stage it tests",
        f"tests/helpers.py:1: imports test_drugs {elsewhere}",
        f"tests/project/test_drugs.py:3: imports test_handbooks {elsewhere}",
        "test_drugs.py: 2 test modules share this name",
    ]
