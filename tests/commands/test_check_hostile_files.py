"""Hostile input (issue 12 §1): every file type replaced in turn by something that is not what it
seems, and every string of every file filled in turn with odd values. Whatever the input, `protocols
check` exits 0, 1 or 2 with located diagnostics, never a traceback, never reads a file outside the
protocols folder (a secret marker in every outside file never shows) and answers within 5 s.

Links, FIFOs and /dev/zero run in a subprocess with a timeout (a read that blocked would hang the test
run); the other cases run in-process, with every file the generator opens recorded.
"""

from __future__ import annotations

import argparse
import builtins
import datetime as dt
import functools
import io
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from helpers import DRUGS, HANDBOOKS, POLICY, REFERENCES, VERSION, run, write_library

from generator.commands import check, shared
from generator.load import files
from generator.load import yaml_source as loader

SECRET = "SECRET-MARKER-5e1d"
APPROVALS = """\
- version: "1.0"
  reviewer: Sam Example
  role: pharmacist
  date: 2026-02-04
  fingerprint: "sha256:0000"
"""
FILES = {
    "ketamine-trd/1.0.yaml": VERSION,
    "ketamine-trd/approvals.yaml": APPROVALS,
    "_library/references.yaml": REFERENCES,
    "_library/drugs.yaml": DRUGS,
    "_library/policy.yaml": POLICY,
    "_library/handbooks.yaml": HANDBOOKS,
}
# fields whose text is Markdown: the `md` engineer's payload suite covers what their parser does
MARKDOWN_FIELDS = {"summary", "changes", "notes", "body", "algorithm", "description"}
LOCATED = re.compile(r"^\S.*:\d+:\d+: (error|warning) P\d{3}: ")
PROTOCOLS = str(Path(sys.executable).parent / "protocols")


def outside(tmp_path: Path) -> dict[str, Path]:
    """Things outside the protocols folder that a link could point at: each holds the secret marker."""
    root = tmp_path / "outside"
    (root / "protocol" / "other-trd").mkdir(parents=True)
    secret = root / "secret.yaml"
    secret.write_text(f"{SECRET}: {SECRET}\n- {SECRET}\nid: [{SECRET}\n", encoding="utf-8")
    (root / "protocol" / "other-trd" / "1.0.yaml").write_text(
        VERSION.replace("ketamine-trd", "other-trd").replace("title: IV", f"title: {SECRET} IV"), encoding="utf-8"
    )
    fifo = root / "fifo"
    os.mkfifo(fifo)
    return {"secret": secret, "folder": root / "protocol" / "other-trd", "fifo": fifo}


def assert_clean_result(status: int, output: str) -> None:
    assert status in (0, 1, 2), output
    assert "Traceback" not in output and "Error:" not in output.split("\n", 1)[0], output
    assert SECRET not in output
    diagnostics = [line for line in output.splitlines()[:-1] if line and not line.startswith("    ")]
    assert all(LOCATED.match(line) for line in diagnostics), output
    if status == 1:
        assert diagnostics, output


# --- each file type replaced in turn ----------------------------------------------------------------------

BLOCKING_KINDS = ["link to a secret file", "link to a FIFO", "FIFO", "link to /dev/zero", "link to a folder outside"]


def replace_with(path: Path, kind: str, things: dict[str, Path]) -> None:
    if path.is_dir() and not path.is_symlink():
        path.rmdir()
    else:
        path.unlink(missing_ok=True)
    if kind == "link to a secret file":
        path.symlink_to(things["secret"])
    elif kind == "link to a FIFO":
        path.symlink_to(things["fifo"])
    elif kind == "FIFO":
        os.mkfifo(path)
    elif kind == "link to /dev/zero":
        path.symlink_to("/dev/zero")
    elif kind == "link to a folder outside":
        path.symlink_to(things["folder"], target_is_directory=True)
    elif kind == "folder":
        path.mkdir()
    elif kind == "empty file":
        path.write_text("", encoding="utf-8")
    elif kind == "10,000-deep nesting":
        path.write_text("a: " + "[" * 10_000 + "]" * 10_000 + "\n", encoding="utf-8")
    elif kind == "2 MB file":
        path.write_text("a: |\n" + ("  " + "x" * 1000 + "\n") * 2000, encoding="utf-8")
    else:
        raise AssertionError(kind)


EXPECTED = {  # where and what, after the file's display path
    "link to a secret file": "1:1: error P100: a symbolic link stands where a file is expected",
    "link to a FIFO": "1:1: error P100: a symbolic link stands where a file is expected",
    "FIFO": "1:1: error P100: a FIFO (named pipe) stands where a file is expected",
    "link to /dev/zero": "1:1: error P100: a symbolic link stands where a file is expected",
    "link to a folder outside": "1:1: error P100: a symbolic link stands where a file is expected",
    "folder": "1:1: error P100: a folder stands where a file is expected",
    "10,000-deep nesting": "1:67: error P502: nesting deeper than 64 levels",
    "2 MB file": "1:1: error P502: file is 2,006,005 bytes, over the 1 MiB limit",
}


# One Python process checks every link and FIFO case in turn, each in-process and timed, and prints its
# result as soon as it has one: a read that blocked would stop that process (killed by the timeout)
# without hanging the test run, and the cases without a result would fail. One process instead of one
# per case: starting Python is most of the time of a case.
_DRIVER = """
import io, json, sys, time
from generator import cli
for library in json.load(sys.stdin):
    out = io.StringIO()
    started = time.monotonic()
    status = cli.main(["check", "--as-of", "2026-06-01", library], out=out, err=out)
    print(json.dumps({"library": library, "status": status, "out": out.getvalue(),
                      "seconds": time.monotonic() - started}), flush=True)
"""


@pytest.fixture(scope="module")
def blocking_results(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], dict[str, Any]]:
    """(file, kind) -> the case's library, exit status, output and seconds; absent when it gave no result."""
    cases: dict[str, tuple[str, str]] = {}
    for relative in sorted(FILES):
        for kind in BLOCKING_KINDS:
            tmp_path = tmp_path_factory.mktemp("blocking")
            library = write_library(tmp_path, FILES)
            replace_with(library / relative, kind, outside(tmp_path))
            cases[str(library)] = (relative, kind)
    libraries = list(cases)
    try:
        result = subprocess.run(
            [sys.executable, "-c", _DRIVER],
            input=json.dumps(libraries),
            capture_output=True,
            text=True,
            timeout=5 * len(libraries),
        )
        stdout = result.stdout
    except subprocess.TimeoutExpired as expired:
        stdout = expired.stdout.decode() if isinstance(expired.stdout, bytes) else expired.stdout or ""
    results = [json.loads(line) for line in stdout.splitlines() if line.startswith("{")]
    return {cases[entry["library"]]: entry for entry in results}


@pytest.mark.parametrize("kind", BLOCKING_KINDS)
@pytest.mark.parametrize("relative", sorted(FILES))
def test_a_file_replaced_by_a_link_or_fifo(
    blocking_results: dict[tuple[str, str], dict[str, Any]], relative: str, kind: str
) -> None:
    entry = blocking_results.get((relative, kind))
    assert entry is not None, "no result: this case or one before it blocked"
    assert f"{entry['library']}/{relative}:{EXPECTED[kind]}" in entry["out"]
    assert entry["seconds"] < 5
    assert entry["status"] == 1
    assert_clean_result(entry["status"], entry["out"])


@pytest.mark.parametrize(
    ("relative", "kind"), [("ketamine-trd/1.0.yaml", "FIFO"), ("_library/drugs.yaml", "link to /dev/zero")]
)
def test_the_installed_command_refuses_a_fifo_and_dev_zero(tmp_path: Path, relative: str, kind: str) -> None:
    library = write_library(tmp_path, FILES)
    replace_with(library / relative, kind, outside(tmp_path))
    # a blocked read would hang until the timeout; starting Python on a busy machine takes seconds, so the
    # 5 s per case is measured inside the process by the cases above
    result = subprocess.run(
        [PROTOCOLS, "check", "--as-of", "2026-06-01", str(library)], capture_output=True, text=True, timeout=30
    )
    assert_clean_result(result.returncode, result.stdout + result.stderr)
    assert result.returncode == 1
    assert f"{library}/{relative}:{EXPECTED[kind]}" in result.stdout


@pytest.fixture
def opened_paths(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every path the generator opens while the test runs (os.open and open)."""
    paths: list[str] = []
    real_os_open, real_open = os.open, builtins.open

    def os_open(path: Any, *args: Any, **kwargs: Any) -> int:
        paths.append(os.fspath(path))
        return real_os_open(path, *args, **kwargs)

    def any_open(path: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(path, str | os.PathLike):
            paths.append(os.fspath(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(files.os, "open", os_open)
    monkeypatch.setattr(builtins, "open", any_open)
    monkeypatch.setattr(io, "open", any_open)  # pathlib's read_text and read_bytes open through io.open
    yield paths


def assert_read_inside(paths: list[str], library: Path) -> None:
    root = os.path.realpath(library)
    outside_reads = [p for p in paths if not os.path.realpath(p).startswith(root + os.sep)]
    assert outside_reads == []


@pytest.mark.parametrize("kind", ["folder", "empty file", "10,000-deep nesting", "2 MB file"])
@pytest.mark.parametrize("relative", sorted(FILES))
def test_a_file_replaced_in_process(
    tmp_path: Path, relative: str, kind: str, opened_paths: list[str]
) -> None:
    library = write_library(tmp_path, FILES)
    replace_with(library / relative, kind, outside(tmp_path))
    opened_paths.clear()  # only what the check opens
    for mode in ([], ["--reviewer"]):  # the reviewer check also judges drafts and what is missing
        started = time.monotonic()
        status, out, err = run("check", "--as-of", "2026-06-01", *mode, str(library))
        assert time.monotonic() - started < 5
        assert_clean_result(status, out + err)
        assert_read_inside(opened_paths, library)
        if kind in EXPECTED:
            assert status == 1
            assert f"{library}/{relative}:{EXPECTED[kind]}" in out


def test_a_linked_protocol_folder_is_not_read(tmp_path: Path, opened_paths: list[str]) -> None:
    library = write_library(tmp_path, FILES)
    (library / "other-trd").symlink_to(outside(tmp_path)["folder"], target_is_directory=True)
    opened_paths.clear()
    status, out, err = run("check", "--as-of", "2026-06-01", str(library))
    assert_clean_result(status, out + err)
    assert any(path.endswith("_library/policy.yaml") for path in opened_paths)  # the recorder sees reads
    assert_read_inside(opened_paths, library)
    assert f"{library}/other-trd:1:1: error P100: a symbolic link stands where a protocol folder is expected" in out


# --- every string of every file filled with odd values ----------------------------------------------------

INVISIBLE = ["50\u200b mg", "IV\u202e", "a\u2066b", "x\x1b[31m", "\ufeffx", "k\U000e0041"]
ODD = [
    10**400,
    "9" * 5000,
    float("inf"),
    float("nan"),
    -1,
    dt.date(9999, 12, 31),
    dt.date(1, 1, 1),
    "9999-12-31",
    "0001-01-01",
    "2026-W50-3",
    "caveats\n",
    "x" * 10_000,
    "",
    None,
    [],
    {},
    True,
    "1e999 mg/kg",
    "0.0000000000000000000000000000001 mg/kg",
    "99999999999999999999999999999999999 mg",
]


def leaves(data: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """The path of every scalar of a parsed file."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield from leaves(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from leaves(value, (*path, index))
    else:
        yield path


def key_paths(data: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """The path of every mapping key of a parsed file."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield (*path, key)
            yield from key_paths(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from key_paths(value, (*path, index))


def renamed(data: Any, path: tuple[Any, ...], new_key: str) -> Any:
    """`data` with the key at `path` renamed, in its place among the others."""
    head, rest = path[0], path[1:]
    if isinstance(data, dict):
        if not rest:
            return {new_key if key == head else key: item for key, item in data.items()}
        return {key: renamed(item, rest, new_key) if key == head else item for key, item in data.items()}
    return [renamed(item, rest, new_key) if index == head else item for index, item in enumerate(data)]


def replaced(data: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(data, dict):
        return {key: replaced(item, rest, value) if key == head else item for key, item in data.items()}
    return [replaced(item, rest, value) if index == head else item for index, item in enumerate(data)]


def dumped(data: Any, odd: Any) -> str:
    """YAML text of `data`; huge and special numbers written as YAML reads them back."""
    text = yaml.dump(data, Dumper=yaml.CSafeDumper, allow_unicode=True, sort_keys=False, width=10**9)
    if isinstance(odd, int) and not isinstance(odd, bool) and abs(odd) > 10**300:
        text = text.replace("'<huge>'", str(odd))
    return text


KEY = "<key>"  # a case's path ending in KEY: the key at the path before it is replaced, not its value


def cases(payloads: list[Any], markdown: bool) -> Iterator[tuple[str, tuple[Any, ...], Any]]:
    for relative in FILES:
        for path in leaves(parsed(relative)):
            if not markdown and MARKDOWN_FIELDS & {part for part in path if isinstance(part, str)}:
                continue
            for payload in payloads:
                yield relative, path, payload
        for path in key_paths(parsed(relative)):
            for payload in payloads:
                if isinstance(payload, str) and payload:
                    yield relative, (*path, KEY), payload


@functools.cache
def parsed(relative: str) -> Any:
    return yaml.load(FILES[relative], Loader=yaml.CSafeLoader)


def check_in_process(library: Path) -> tuple[int, str]:
    """`protocols check` through the command's function (argparse left out: it is most of the time of a
    check this small, and this suite runs about a thousand)."""
    out = io.StringIO()
    args = argparse.Namespace(dir=str(library), as_of="2026-06-01", reviewer=False, format="text", strict=False)
    try:
        return check.cmd_check(args, out), out.getvalue()
    except shared.UsageError as error:
        return 2, str(error)


def filled(relative: str, path: tuple[Any, ...], payload: Any) -> str:
    """The text of file `relative` with the value at `path` replaced by `payload`."""
    data = parsed(relative)
    if path[-1] == KEY:
        return dumped(renamed(data, path[:-1], payload), payload)
    huge = isinstance(payload, int) and not isinstance(payload, bool) and abs(payload) > 10**300
    return dumped(replaced(data, path, "<huge>" if huge else payload), payload)


def check_filled(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    payloads: list[Any],
    markdown: bool,
    assertion: Callable[..., None],
) -> None:
    """Each case in the same library folder, the file of the case served from memory by the file reader
    (writing a thousand files costs more than checking them on a busy machine; reading is tested above)."""
    library = write_library(tmp_path, FILES)
    served: dict[Path, bytes] = {}
    real_read = loader.read_regular_file

    def read(path: Path, display: str) -> tuple[bytes | None, list[Any]]:
        return (served[path], []) if path in served else real_read(path, display)

    monkeypatch.setattr(loader, "read_regular_file", read)
    count, failures = 0, []
    for relative, path, payload in cases(payloads, markdown):
        served.clear()
        served[library / relative] = filled(relative, path, payload).encode("utf-8")
        started = time.monotonic()
        status, out = check_in_process(library)
        try:
            assert time.monotonic() - started < 5, "slower than 5 s"
            assert_clean_result(status, out)
            assertion(status, out, library / relative, payload)
        except AssertionError as error:
            failures.append(f"{relative} {path} = {str(payload)[:40]!r}: {str(error)[:300]}")
        count += 1
    assert failures == [], "\n".join(failures)
    assert count > 100  # every leaf of every file type was tried


def test_invisible_characters_in_every_string_of_every_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def p110_located(status: int, out: str, file: Path, payload: Any) -> None:
        assert status == 1
        assert re.search(rf"^{re.escape(str(file))}:\d+:\d+: error P110: ", out, re.M), out

    check_filled(tmp_path, monkeypatch, INVISIBLE, markdown=True, assertion=p110_located)


def test_odd_values_in_every_non_markdown_string_of_every_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, opened_paths: list[str]
) -> None:
    def bounded(status: int, out: str, file: Path, payload: Any) -> None:
        if isinstance(payload, str) and len(payload) > 60:
            assert payload[:61] not in out  # a message (and its hint) quotes at most 60 characters of a value

    check_filled(tmp_path, monkeypatch, ODD, markdown=False, assertion=bounded)
    assert_read_inside(opened_paths, tmp_path)
