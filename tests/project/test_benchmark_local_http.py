"""benchmarks/local_http.py, the one served-folder server, free port and GET that the benchmarks and the
tests share: what it serves and refuses, what it counts, and that no second copy of it grows back."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from local_http import SentBytes, fetch, free_port, served
from python_source import may_name, nodes

ROOT = Path(__file__).resolve().parents[2]
SHARED = ("served", "free_port", "fetch", "SentBytes")


def test_a_folder_is_served_under_its_mount_and_counted(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text("<p>home</p>", encoding="utf-8")
    (tmp_path / "404.html").write_text("<p>not here</p>", encoding="utf-8")
    sent = SentBytes()
    with served(tmp_path, sent=sent) as base:
        assert base.endswith("/protocols/")
        assert fetch(base + "index.html") == (200, "<p>home</p>")
        assert sent.total == len("<p>home</p>")
        assert fetch(base.removesuffix("protocols/") + "index.html")[0] == 404  # outside the mount
        assert fetch(base + "missing.html")[0] == 404
    with served(tmp_path, "/", not_found_page=True) as base:
        assert fetch(base + "missing/") == (404, "<p>not here</p>")


def test_nothing_listening_is_status_0_and_a_bad_mount_is_refused(tmp_path: Path) -> None:
    assert fetch(f"http://127.0.0.1:{free_port()}/", timeout=5) == (0, "")
    with pytest.raises(ValueError, match="must start and end with /"), served(tmp_path, "protocols"):
        pass


def test_no_benchmark_or_test_module_defines_its_own_copy() -> None:
    found = []
    for folder in ("benchmarks", "tests"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            if path.name == "local_http.py" or "__pycache__" in path.parts:
                continue
            source = path.read_text(encoding="utf-8")
            if not may_name(source, SHARED):
                continue
            found += [f"{path.relative_to(ROOT)}:{node.lineno}: {node.name}" for node in nodes(source)
                      if isinstance(node, ast.FunctionDef | ast.ClassDef) and node.name in SHARED]
    assert found == []
