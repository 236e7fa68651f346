"""No hidden state: what one run computes is kept by an object that run owns and passes down (or by
lru_cache on pure functions), so a second run in the same process (`protocols serve`, tests) sees the
files as they are now, and no module changes the interpreter's global state (the garbage collector)."""

from __future__ import annotations

import ast
import io
from pathlib import Path

from helpers import VERSION, check_lines, write_library
from python_source import nodes

GENERATOR = Path(__file__).resolve().parents[2] / "generator"
# the MkDocs plugin is made by MkDocs itself: `site.site_inputs` hands it the pages through a module variable
MKDOCS_HANDOFF = {"site/engine.py"}
# the program's entry point (`cli.run`, not `cli.main`, which tests call) sets the collector's pace for its process
PROCESS_ENTRY = "cli.py"


def _modules() -> list[tuple[str, tuple[ast.AST, ...]]]:
    """Each module of generator/ and every node of its tree."""
    return [(path.relative_to(GENERATOR).as_posix(), nodes(path.read_text(encoding="utf-8")))
            for path in sorted(GENERATOR.rglob("*.py"))]


def test_no_module_rebinds_a_global_or_tunes_the_garbage_collector() -> None:
    found = []
    for name, module_nodes in _modules():
        for node in module_nodes:
            if isinstance(node, ast.Global) and name not in MKDOCS_HANDOFF:
                found.append(f"{name}:{node.lineno}: global {', '.join(node.names)}")
            imported = [alias.name for alias in node.names] if isinstance(node, ast.Import) else []
            if name != PROCESS_ENTRY and ("gc" in imported or isinstance(node, ast.ImportFrom) and node.module == "gc"):
                found.append(f"{name}:{node.lineno}: imports gc")
    assert found == []


def test_only_the_program_entry_point_paces_the_collector() -> None:
    import gc

    from generator import cli

    before = gc.get_threshold()
    assert cli.main(["rules"], out=io.StringIO()) == 0
    assert gc.get_threshold() == before  # main, which tests and other programs call, leaves the process alone
    source = (GENERATOR / PROCESS_ENTRY).read_text(encoding="utf-8")
    # a read-only command, which ends with its process, collects no cycles; any other collects them less often
    assert source.count("gc.") == 2 and ("    if command in READ_ONLY_COMMANDS:\n        gc.disable()\n    else:\n"
                                         "        gc.set_threshold(100_000, 50, 100)\n"
                                         "    try:\n        status = main()\n") in source


def test_no_model_object_carries_a_memo() -> None:
    from generator.load.library import Library, Protocol, VersionFile

    for model in (Library, Protocol, VersionFile):
        assert [name for name in model.__dataclass_fields__ if "memo" in name or "cache" in name] == []


def test_a_second_check_in_the_same_process_sees_the_files_as_they_are_now(tmp_path: Path) -> None:
    body = "body: |\n      Monitor blood pressure.\n\n      ![Flow chart](_assets/flow.png)"
    library = write_library(tmp_path, {"ketamine-trd/1.0.yaml": VERSION.replace("body: Monitor blood pressure.", body)})
    missing = check_lines(library)
    assert [line.split(": ", 1)[1] for line in missing] == [
        'error P503: image "_assets/flow.png": no file flow.png in protocols/_assets/ (sections[0].body)'
    ]
    (library / "_assets").mkdir()
    (library / "_assets" / "flow.png").write_bytes(b"\x89PNG\r\n")
    assert check_lines(library) == []
    policy = library / "_library" / "policy.yaml"
    policy.write_text(policy.read_text(encoding="utf-8").replace("minimum: 2", "minimum: 0"), encoding="utf-8")
    assert [line.split(" ", 3)[2] for line in check_lines(library)] == ["P104:"]  # policy.yaml read again
