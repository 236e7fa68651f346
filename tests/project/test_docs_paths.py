"""Every file or folder of this repository that ARCHITECTURE.md or README.md names exists.

A path counts when it starts with one of the repository's code folders (`generator/`, `tests/`,
`site_templates/`, `benchmarks/`) and names a file (an extension), a folder (a trailing `/`) or a glob
(`*`), or when it names a module inside a pipeline folder without the `generator/` prefix
(`render/paths.py`, `site/engine.py`). Prose such as "generator/engine ratio" names neither and is left
alone. A glob must match at least one file.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = ("ARCHITECTURE.md", "README.md")
STAGE_FOLDERS = ("model", "load", "dosing", "text", "approvals", "checks", "render", "site", "commands")

_REPOSITORY_PATH = re.compile(r"(?<![\w./-])((?:generator|tests|site_templates|benchmarks)/[\w./*-]*)")
_STAGE_MODULE = re.compile(rf"(?<![\w./-])((?:{'|'.join(STAGE_FOLDERS)})/[\w/]*\w\.py)\b")


def named_paths(text: str) -> list[tuple[int, str]]:
    """(line, path relative to the repository) for every path `text` names, in order."""
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        for match in _REPOSITORY_PATH.finditer(line):
            path = match.group(1).rstrip(".")  # a sentence may end right after a path
            last = path.rstrip("/").rpartition("/")[2]
            if path.endswith("/") or "*" in path or "." in last:
                found.append((number, path))
        found += [(number, f"generator/{m.group(1)}") for m in _STAGE_MODULE.finditer(line)]
    return found


def missing_paths(document: str, root: Path) -> list[str]:
    """`document:line: path` for every named path that is not in the tree at `root`."""
    missing = []
    for number, path in named_paths((root / document).read_text(encoding="utf-8")):
        exists = any(root.glob(path.rstrip("/"))) if "*" in path else (root / path).exists()
        if not exists:
            missing.append(f"{document}:{number}: {path}")
    return missing


@pytest.mark.parametrize("document", DOCUMENTS)
def test_every_named_path_exists(document: str) -> None:
    assert missing_paths(document, ROOT) == []


def test_architecture_names_the_modules_its_invariants_rest_on() -> None:
    named = {path for _, path in named_paths((ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8"))}
    assert {"generator/dosing/dose_engine.py", "generator/text/markdown.py", "tests/project/test_import_graph.py",
            "generator/site/atomic_output.py", "generator/approvals/signoffs.py"} <= named


def test_a_stale_path_is_reported_with_its_line(tmp_path: Path) -> None:
    (tmp_path / "generator" / "render").mkdir(parents=True)
    (tmp_path / "generator" / "render" / "paths.py").write_text("")
    (tmp_path / "site_templates").mkdir()
    (tmp_path / "site_templates" / "home.html.j2").write_text("")
    (tmp_path / "DOC.md").write_text(
        "`generator/render/paths.py` and render/paths.py exist; `site_templates/*.html.j2` matches.\n"
        "The generator/engine ratio, site/index.html and protocols/_assets/ are not repository paths.\n"
        "Gone: `generator/render/page_fragments.py`, (site/nowrap.py), generator/old/ and tests/*.md.\n",
        encoding="utf-8")
    assert missing_paths("DOC.md", tmp_path) == [
        "DOC.md:3: generator/render/page_fragments.py",
        "DOC.md:3: generator/old/",
        "DOC.md:3: tests/*.md",
        "DOC.md:3: generator/site/nowrap.py",
    ]
