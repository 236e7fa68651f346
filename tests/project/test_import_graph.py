"""The layout of generator/ follows the pipeline: a module imports only from its own stage or earlier ones,
no two modules share a name, and there are no re-export shims (module `__getattr__`).

The graph is read with `ast` from the source files (every import, including those inside functions and
`if TYPE_CHECKING:` blocks), so a lazy import cannot hide a layering error.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest
from python_source import nodes, parsed

GENERATOR = Path(__file__).resolve().parents[2] / "generator"

# The data flows one way, from left to right. Base-level modules (diagnostics, rule_docs, resources) are
# stage "base"; cli.py, which dispatches to the commands, comes last.
STAGES = ("base", "model", "load", "dosing", "text", "approvals", "checks", "render", "site", "commands", "cli")


@dataclass(frozen=True)
class Module:
    name: str  # dotted, e.g. "generator.load.library"
    path: Path
    is_package: bool


def modules(root: Path) -> list[Module]:
    """Every module of the package at `root` (a folder named `generator`)."""
    found = []
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root.parent).with_suffix("").parts
        is_package = parts[-1] == "__init__"
        found.append(Module(".".join(parts[:-1] if is_package else parts), path, is_package))
    return found


def stage_of(module: str) -> str:
    parts = module.split(".")
    if len(parts) == 1:
        return "base"  # generator/__init__.py
    if parts[1] == "cli":
        return "cli"
    if parts[1] in STAGES:
        return parts[1]
    if len(parts) == 2:
        return "base"
    raise AssertionError(
        f"{module}: in no stage folder; add its folder to STAGES in tests/project/test_import_graph.py")


def imported(module: Module, known: set[str]) -> list[tuple[int, str]]:
    """(line, module) for every generator module that `module` imports."""
    source = module.path.read_text(encoding="utf-8")
    package = module.name if module.is_package else module.name.rpartition(".")[0]
    found = []
    for node in nodes(source):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names if alias.name.split(".")[0] == "generator"]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            if source.split(".")[0] != "generator":
                continue
            submodules = [f"{source}.{alias.name}" for alias in node.names if f"{source}.{alias.name}" in known]
            found += [(node.lineno, name) for name in submodules] or [(node.lineno, source)]
    return found


def layering_errors(root: Path) -> list[str]:
    everything = modules(root)
    known = {m.name for m in everything}
    errors = []
    for module in everything:
        own = STAGES.index(stage_of(module.name))
        for line, target in imported(module, known):
            if STAGES.index(stage_of(target)) > own:
                where = module.path.relative_to(root.parent)
                errors.append(f"{where}:{line}: {module.name} ({stage_of(module.name)}) imports {target} "
                              f"({stage_of(target)}), a later stage")
    return errors


def name_clashes(root: Path) -> list[str]:
    by_name: dict[str, list[str]] = {}
    for module in modules(root):
        by_name.setdefault(module.name.rpartition(".")[2], []).append(module.name)
    return [f"{name}: {', '.join(sorted(names))}" for name, names in sorted(by_name.items()) if len(names) > 1]


def shims(root: Path) -> list[str]:
    found = []
    for module in modules(root):
        tree = parsed(module.path.read_text(encoding="utf-8"))
        found += [f"{module.path.relative_to(root.parent)}:{node.lineno}: module __getattr__" for node in tree.body
                  if isinstance(node, ast.FunctionDef) and node.name == "__getattr__"]
    return found


def test_no_module_imports_from_a_later_stage() -> None:
    assert layering_errors(GENERATOR) == []


def test_no_two_modules_share_a_name() -> None:
    assert name_clashes(GENERATOR) == []


def test_no_re_export_shims() -> None:
    assert shims(GENERATOR) == []


def test_every_folder_is_a_stage() -> None:
    folders = {p.name for p in GENERATOR.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert folders == set(STAGES) - {"base", "cli"}


def test_commands_do_not_import_from_the_cli() -> None:
    everything = modules(GENERATOR)
    known = {m.name for m in everything}
    offenders = [f"{m.name}:{line}" for m in everything if m.name.startswith("generator.commands")
                 for line, target in imported(m, known) if target == "generator.cli"]
    assert offenders == []


# The checks above must be able to fail: each is run over a small tree that breaks it.


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "generator"
    for relative, text in {"__init__.py": "", **files}.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


@pytest.mark.parametrize("statement", [
    "from generator.render.paths import page_path",
    "from generator.render import paths",
    "import generator.render.paths",
    "import generator.render.paths as paths",
    "def lazy():\n    from generator.render import paths",
    "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from generator.render.paths import page_path",
])
def test_a_later_stage_import_is_found(tmp_path: Path, statement: str) -> None:
    root = _tree(tmp_path, {
        "model/__init__.py": "", "model/quantity.py": statement + "\n",
        "render/__init__.py": "", "render/paths.py": "",
    })
    line = statement.count("\n") + 1
    assert layering_errors(root) == [
        f"generator/model/quantity.py:{line}: generator.model.quantity (model) imports generator.render.paths "
        "(render), a later stage"
    ]


def test_a_relative_later_stage_import_is_found(tmp_path: Path) -> None:
    root = _tree(tmp_path, {
        "model/__init__.py": "", "model/quantity.py": "from ..render import paths\n",
        "render/__init__.py": "", "render/paths.py": "",
    })
    assert layering_errors(root) == [
        "generator/model/quantity.py:1: generator.model.quantity (model) imports generator.render.paths "
        "(render), a later stage"
    ]


def test_earlier_and_same_stage_imports_pass(tmp_path: Path) -> None:
    root = _tree(tmp_path, {
        "diagnostics.py": "",
        "model/__init__.py": "", "model/quantity.py": "",
        "render/__init__.py": "from generator.render import paths\n",
        "render/paths.py": "from generator.model.quantity import Quantity\nfrom generator import diagnostics\n",
        "cli.py": "from generator.render import paths\n",
    })
    assert layering_errors(root) == []


def test_a_name_twice_is_found(tmp_path: Path) -> None:
    root = _tree(tmp_path, {
        "text/__init__.py": "", "checks/__init__.py": "", "checks/text.py": "",
        "model/__init__.py": "", "model/paths.py": "", "render/__init__.py": "", "render/paths.py": "",
    })
    # (module names here are not module paths of this repository, so rewrite_imports.py leaves them alone)
    assert name_clashes(root) == [
        "paths: generator.model.paths, generator.render.paths",
        "text: generator.checks.text, generator.text",
    ]


def test_a_getattr_shim_is_found(tmp_path: Path) -> None:
    shim = "x = 1\n\n\ndef __getattr__(name):\n    pass\n"
    root = _tree(tmp_path, {"model/__init__.py": "", "model/quantity.py": shim})
    assert shims(root) == ["generator/model/quantity.py:4: module __getattr__"]


def test_a_module_outside_the_stages_is_named() -> None:
    with pytest.raises(AssertionError, match=r"^generator\.misc\.thing: in no stage folder"):
        stage_of("generator.misc.thing")
