"""Format §1: only regular files inside the protocols folder are read (P100, P502), strict version file
names (P105) and other files in a protocol folder (P111)."""

from __future__ import annotations

import os
import stat
import time
from pathlib import Path

import pytest
from helpers import LIBRARY_FILES, VERSION, check_lines, fails_after, run, write_library

from generator.load import files
from generator.load.files import MAX_FILE_BYTES, kind_of, read_regular_file
from generator.load.library import load_library

SECRET = "SECRET-MARKER-7f3a"
LINK = "error P100: a symbolic link stands where a file is expected: nothing was read from it"


def outside_secret(tmp_path: Path) -> Path:
    """A file outside the protocols folder, written as YAML whose every reading would quote the marker."""
    secret = tmp_path / "outside" / "secret.yaml"
    secret.parent.mkdir()
    secret.write_text(f"{SECRET}: {SECRET}\nid: {SECRET}\n", encoding="utf-8")
    return secret


def check_all(library: Path, *extra: str) -> tuple[int, str]:
    status, out, err = run("check", "--as-of", "2026-06-01", *extra, str(library))
    assert "Traceback" not in out + err
    return status, out + err


@pytest.mark.parametrize("relative", LIBRARY_FILES)
def test_p100_a_symlink_to_a_file_outside_is_never_read(tmp_path: Path, relative: str) -> None:
    library = write_library(tmp_path)
    target = library / relative
    target.unlink(missing_ok=True)
    target.symlink_to(outside_secret(tmp_path))
    status, out = check_all(library)
    assert status == 1
    assert f"{library}/{relative}:1:1: {LINK}" in out.splitlines()
    assert SECRET not in out


def test_p100_a_symlinked_protocol_folder_is_not_read_nor_published(tmp_path: Path) -> None:
    library = write_library(tmp_path)
    elsewhere = tmp_path / "elsewhere" / "other-trd"
    elsewhere.mkdir(parents=True)
    (elsewhere / "1.0.yaml").write_text(VERSION.replace("ketamine-trd", "other-trd"), encoding="utf-8")
    (library / "other-trd").symlink_to(elsewhere, target_is_directory=True)
    assert check_lines(library) == [
        f"{library}/other-trd:1:1: error P100: a symbolic link stands where a protocol folder is expected:"
        " nothing was read from it"
    ]
    assert sorted(load_library(library).protocols) == ["ketamine-trd"]


def test_p100_a_symlinked_library_folder_is_not_read(tmp_path: Path) -> None:
    library = write_library(tmp_path)
    moved = tmp_path / "library-elsewhere"
    (library / "_library").rename(moved)
    (library / "_library").symlink_to(moved, target_is_directory=True)
    lines = check_lines(library)
    assert lines[0] == (
        f"{library}/_library:1:1: error P100: a symbolic link stands where a folder is expected:"
        " nothing was read from it"
    )
    assert load_library(library).drugs == {}


def test_p100_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    library = write_library(tmp_path)
    (library / "ketamine-trd" / "1.0.yaml").unlink()
    os.mkfifo(library / "ketamine-trd" / "1.0.yaml")
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    (library / "_library" / "drugs.yaml").unlink()
    (library / "_library" / "drugs.yaml").symlink_to(fifo)
    started = time.monotonic()
    with fails_after(5):
        lines = check_lines(library)
    assert time.monotonic() - started < 5
    assert f"{library}/_library/drugs.yaml:1:1: {LINK}" in lines
    assert (
        f"{library}/ketamine-trd/1.0.yaml:1:1: error P100: a FIFO (named pipe) stands where a file is expected:"
        " nothing was read from it"
    ) in lines


def test_p100_a_symlink_to_dev_zero_and_a_folder_in_place_of_a_file(tmp_path: Path) -> None:
    library = write_library(tmp_path)
    (library / "ketamine-trd" / "approvals.yaml").symlink_to("/dev/zero")
    (library / "_library" / "handbooks.yaml").unlink()
    (library / "_library" / "handbooks.yaml").mkdir()
    lines = check_lines(library)
    assert f"{library}/ketamine-trd/approvals.yaml:1:1: {LINK}" in lines
    assert (
        f"{library}/_library/handbooks.yaml:1:1: error P100: a folder stands where a file is expected:"
        " nothing was read from it"
    ) in lines


def test_a_broken_symlink_in_place_of_policy_is_p100_not_a_missing_file(tmp_path: Path) -> None:
    library = write_library(tmp_path)
    (library / "_library" / "policy.yaml").unlink()
    (library / "_library" / "policy.yaml").symlink_to(tmp_path / "nowhere.yaml")
    assert check_lines(library) == [f"{library}/_library/policy.yaml:1:1: {LINK}"]


def test_a_refused_library_file_does_not_make_every_entry_unknown(tmp_path: Path) -> None:
    library = write_library(tmp_path)
    (library / "_library" / "drugs.yaml").unlink()
    (library / "_library" / "drugs.yaml").symlink_to(outside_secret(tmp_path))
    assert [line.split(": error ")[1][:4] for line in check_lines(library)] == ["P100"]


def test_kinds_of_special_files_in_words() -> None:
    assert kind_of(stat.S_IFCHR | 0o666) == "a device"
    assert kind_of(stat.S_IFBLK | 0o666) == "a device"
    assert kind_of(stat.S_IFSOCK | 0o666) == "a socket"
    assert kind_of(stat.S_IFREG | 0o644) == "a regular file"


def test_a_link_swapped_in_after_the_lstat_is_refused_by_o_nofollow(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = outside_secret(tmp_path)
    link = tmp_path / "1.0.yaml"
    link.symlink_to(target)
    regular = os.stat(target)
    monkeypatch.setattr(files.os, "lstat", lambda path: regular)  # the race: lstat saw a regular file
    raw, diagnostics = read_regular_file(link, "p/1.0.yaml")
    assert raw is None
    assert [d.format_text().splitlines()[0] for d in diagnostics] == [f"p/1.0.yaml:1:1: {LINK}"]


def test_a_fifo_swapped_in_after_the_lstat_is_refused_by_fstat(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fifo = tmp_path / "1.0.yaml"
    os.mkfifo(fifo)
    regular = os.stat(outside_secret(tmp_path))
    monkeypatch.setattr(files.os, "lstat", lambda path: regular)
    started = time.monotonic()
    with fails_after(5):
        raw, diagnostics = read_regular_file(fifo, "p/1.0.yaml")
    assert time.monotonic() - started < 5
    assert raw is None
    assert diagnostics[0].message == "a FIFO (named pipe) stands where a file is expected: nothing was read from it"


def test_p502_a_file_over_1_mib_is_refused_before_reading(tmp_path: Path) -> None:
    library = write_library(tmp_path)
    (library / "ketamine-trd" / "1.0.yaml").write_bytes(b"# " + b"x" * (2 * 1024 * 1024))
    assert check_lines(library) == [
        f"{library}/ketamine-trd/1.0.yaml:1:1: error P502: file is 2,097,154 bytes, over the 1 MiB limit"
        " (1,048,576 bytes): it was not read"
    ]


def test_p502_a_file_growing_after_the_lstat_is_read_no_further_than_the_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "1.0.yaml"
    path.write_bytes(b"x" * (MAX_FILE_BYTES + 5000))
    small = os.stat_result((stat.S_IFREG | 0o644, 0, 0, 1, 0, 0, 10, 0, 0, 0))
    monkeypatch.setattr(files.os, "lstat", lambda p: small)
    raw, diagnostics = read_regular_file(path, "p/1.0.yaml")
    assert raw is None
    assert diagnostics[0].message == "file is 1,048,577 bytes, over the 1 MiB limit (1,048,576 bytes): it was not read"


def test_exactly_1_mib_is_read(tmp_path: Path) -> None:
    path = tmp_path / "1.0.yaml"
    path.write_bytes(b"#" * MAX_FILE_BYTES)
    raw, diagnostics = read_regular_file(path, "p/1.0.yaml")
    assert diagnostics == []
    assert raw is not None and len(raw) == MAX_FILE_BYTES


def test_p100_an_unreadable_file_is_located_not_a_traceback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    library = write_library(tmp_path)
    real_open = os.open

    def refuse(path: object, flags: int, *args: object, **kwargs: object) -> int:
        if str(path).endswith("1.0.yaml"):
            raise PermissionError(13, "Permission denied")
        return real_open(path, flags, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(files.os, "open", refuse)
    assert check_lines(library) == [
        f"{library}/ketamine-trd/1.0.yaml:1:1: error P100: cannot read the file: Permission denied"
    ]


def test_p100_an_unreadable_folder_is_located_not_a_traceback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    library = write_library(tmp_path)
    real_scandir = os.scandir

    def refuse(path: object) -> object:
        if str(path).endswith("ketamine-trd"):
            raise PermissionError(13, "Permission denied")
        return real_scandir(path)  # type: ignore[arg-type]

    monkeypatch.setattr(files.os, "scandir", refuse)
    assert f"{library}/ketamine-trd:1:1: error P100: cannot read the folder: Permission denied" in check_lines(library)


def test_p105_version_file_names_with_leading_zeros_never_publish_a_second_version(tmp_path: Path) -> None:
    library = write_library(tmp_path, {"ketamine-trd/1.00.yaml": VERSION, "ketamine-trd/01.0.yaml": VERSION})
    assert check_lines(library) == [
        f'{library}/ketamine-trd/01.0.yaml:1:1: error P105: "01.0.yaml" is not a version file name:'
        " a version has no leading zeros",
        f'{library}/ketamine-trd/1.00.yaml:1:1: error P105: "1.00.yaml" is not a version file name:'
        " a version has no leading zeros",
    ]
    assert list(load_library(library).protocols["ketamine-trd"].versions) == ["1.0"]


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("1.1.YAML", '"1.1.YAML"'),
        ("1.1.yaml.bak", '"1.1.yaml.bak"'),
        ("1.1.yml", '"1.1.yml"'),
        ("latest.yaml", '"latest.yaml"'),
        ("notes.md", '"notes.md"'),
        (".1.0.yaml.swp", '".1.0.yaml.swp"'),
    ],
)
def test_p111_any_other_file_is_a_warning_and_ignored(tmp_path: Path, name: str, shown: str) -> None:
    library = write_library(tmp_path, {f"ketamine-trd/{name}": VERSION.replace('"1.0"', '"1.1"')})
    status, out = check_all(library)
    assert status == 0
    assert out.splitlines()[0] == (
        f"{library}/ketamine-trd/{name}:1:1: warning P111: {shown} is neither a version file nor approvals.yaml:"
        " it is ignored"
    )
    assert out.splitlines()[-1] == "0 errors, 1 warning in 5 files"
    assert check_all(library, "--strict")[0] == 1
    assert list(load_library(library).protocols["ketamine-trd"].versions) == ["1.0"]


def test_p111_a_folder_or_a_link_in_a_protocol_folder(tmp_path: Path) -> None:
    library = write_library(tmp_path)
    (library / "ketamine-trd" / "old").mkdir()
    (library / "ketamine-trd" / "README").symlink_to(outside_secret(tmp_path))
    lines = check_lines(library)
    assert lines == [
        f'{library}/ketamine-trd/README:1:1: warning P111: "README" (a symbolic link) is neither a version file'
        " nor approvals.yaml: it is ignored",
        f'{library}/ketamine-trd/old:1:1: warning P111: "old" (a folder) is neither a version file'
        " nor approvals.yaml: it is ignored",
    ]


def test_p105_a_folder_name_with_a_line_break_is_shown_escaped_and_not_read(tmp_path: Path) -> None:
    library = write_library(tmp_path)
    (library / "fake\nerror").mkdir()
    (library / "fake\nerror" / "1.0.yaml").write_text("id: [\n", encoding="utf-8")
    assert check_lines(library) == [
        f'{library}/fake\\u000Aerror:1:1: error P105: malformed protocol folder name "fake\\u000Aerror"'
    ]


def test_p105_folder_name_ending_in_a_line_break_is_malformed(tmp_path: Path) -> None:
    library = write_library(tmp_path)
    (library / "other-trd\n").mkdir()
    assert check_lines(library) == [
        f'{library}/other-trd\\u000A:1:1: error P105: malformed protocol folder name "other-trd\\u000A"'
    ]


def test_p100_not_utf8_is_located_at_the_byte(tmp_path: Path) -> None:
    library = write_library(tmp_path)
    (library / "ketamine-trd" / "1.0.yaml").write_bytes(VERSION.encode().replace(b"title: IV", b"title: \xffIV"))
    assert check_lines(library) == [
        f"{library}/ketamine-trd/1.0.yaml:3:8: error P100: not UTF-8 text: invalid start byte (byte 0xFF)"
    ]


def test_the_readme_examples_of_p110_and_p111_are_what_check_prints(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    examples = [line for line in readme.splitlines() if " P110: " in line or " P111: " in line]
    assert len(examples) == 2
    version = VERSION.replace('"1.0"', '"1.1"').replace("  Give {{", "  Give\u200b {{")
    write_library(tmp_path, {"ketamine-trd/1.1.yaml": version, "ketamine-trd/1.1.yaml.bak": version})
    monkeypatch.chdir(tmp_path)
    _status, out, _err = run("check", "--as-of", "2026-06-01", "protocols")
    for example in examples:
        assert example in out.splitlines()


def test_p100_an_unreadable_protocols_folder_is_located(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    library = write_library(tmp_path)
    real_scandir = os.scandir

    def refuse(path: object) -> object:
        if Path(str(path)) == library:
            raise PermissionError(13, "Permission denied")
        return real_scandir(path)  # type: ignore[arg-type]

    monkeypatch.setattr(files.os, "scandir", refuse)
    status, out = check_all(library)
    assert status == 1
    assert f"{library}:1:1: error P100: cannot read the folder: Permission denied" in out.splitlines()
