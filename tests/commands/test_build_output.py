"""`protocols build --out` (§7): only an absent, empty or marked folder is replaced; a refusal exits 2 with
one line and changes nothing; leftovers of interrupted builds go; the marker leaks nothing."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

import pytest
from helpers import copy_sample_library, run, snapshot

from generator.site import atomic_output as build
from generator.site.atomic_output import MARKER_BYTES, MARKER_NAME, check_output

AS_OF = "2026-03-10"
GOOD_PAGES = {"index.md": "# Clinical protocols\n\nNothing yet.\n"}


@pytest.fixture
def library(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the sample library in tmp_path, which is the current folder."""
    monkeypatch.chdir(tmp_path)
    return copy_sample_library(tmp_path)


@pytest.fixture
def www(tmp_path: Path) -> Path:
    """An intranet folder that some other tool wrote: a sitemap, pages, a hidden file, a sub-folder."""
    folder = tmp_path / "www"
    (folder / "news").mkdir(parents=True)
    (folder / "sitemap.xml").write_text('<?xml version="1.0"?><urlset/>\n', encoding="utf-8")
    (folder / "index.html").write_bytes(b"<!doctype html><title>Intranet</title>\n")
    (folder / ".htaccess").write_bytes(b"Require all granted\n")
    (folder / "news" / "2026.html").write_bytes(b"\x00\xffbinary news\n")
    return folder


def refused(argv: list[str], message: str) -> None:
    status, out, err = run(*argv)
    assert (status, out, err) == (2, "", f"protocols: error: {message}\n")


# --- refusals: exit 2, one line, nothing changed ------------------------------------------------------


def test_a_folder_of_other_files_with_a_sitemap_is_refused_and_kept_byte_for_byte(
    library: Path, tmp_path: Path, www: Path
) -> None:
    before, around = snapshot(www), sorted(p.name for p in tmp_path.iterdir())
    refused(["build", "--as-of", AS_OF, "--out", "www", str(library)],
            f"www is not empty and was not written by protocols build (it has no {MARKER_NAME} file); nothing in it "
            "was changed: choose a new or empty folder for --out, or empty this one yourself")
    assert snapshot(www) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == around  # no temporary folder beside it either


def test_a_marker_with_other_content_or_a_linked_marker_is_not_ours(library: Path, www: Path) -> None:
    (www / MARKER_NAME).write_bytes(MARKER_BYTES + b"\n")
    before = snapshot(www)
    status, _, err = run("build", "--as-of", AS_OF, "--out", "www", str(library))
    assert status == 2 and "was not written by protocols build" in err
    assert snapshot(www) == before
    (www / MARKER_NAME).unlink()
    elsewhere = www.parent / "marker-elsewhere"
    elsewhere.write_bytes(MARKER_BYTES)
    (www / MARKER_NAME).symlink_to(elsewhere)
    before = snapshot(www)
    status, _, err = run("build", "--as-of", AS_OF, "--out", "www", str(library))
    assert status == 2 and "was not written by protocols build" in err
    assert snapshot(www) == before


@pytest.mark.parametrize("out", ["protocols", "protocols/", "protocols/x", "protocols/ketamine-trd",
                                 "protocols/../protocols/site"])
def test_the_protocols_folder_and_anything_inside_it_is_refused(library: Path, out: str) -> None:
    (library / "sitemap.xml").write_text("<urlset/>\n", encoding="utf-8")  # looks like a site: still refused
    before = snapshot(library)
    status, out_text, err = run("build", "--as-of", AS_OF, "--out", out, str(library))
    assert (status, out_text) == (2, "")
    assert err == (f"protocols: error: {Path(out)} is inside the protocols folder {library}; refusing to build there: "
                   "choose an --out outside it, e.g. site\n")
    assert snapshot(library) == before


def test_a_symbolic_link_into_the_protocols_folder_is_refused(library: Path, tmp_path: Path) -> None:
    (tmp_path / "deploy").symlink_to(library)
    before = snapshot(library)
    status, _, err = run("build", "--as-of", AS_OF, "--out", "deploy/site", str(library))
    assert status == 2
    assert err == (f"protocols: error: deploy/site is inside the protocols folder {library}; refusing to build "
                   "there: choose an --out outside it, e.g. site\n")
    assert snapshot(library) == before


def test_an_output_that_is_a_symbolic_link_is_refused(library: Path, tmp_path: Path) -> None:
    target = tmp_path / "real-site"
    target.mkdir()
    (tmp_path / "site").symlink_to(target)
    refused(["build", "--as-of", AS_OF, str(library)],
            "site is a symbolic link; refusing to replace it: give the real folder as --out")
    assert (tmp_path / "site").is_symlink() and list(target.iterdir()) == []


def test_a_folder_holding_the_protocols_or_the_current_folder_is_refused(library: Path, tmp_path: Path) -> None:
    before = snapshot(tmp_path)
    refused(["build", "--as-of", AS_OF, "--out", str(tmp_path), str(library)],
            f"{tmp_path} contains the protocols folder {library}; refusing to replace it")
    refused(["build", "--as-of", AS_OF, "--out", ".", str(library)],
            f". contains the protocols folder {library}; refusing to replace it")
    refused(["build", "--as-of", AS_OF, "--out", str(tmp_path.parent), str(library)],
            f"{tmp_path.parent} contains the protocols folder {library}; refusing to replace it")
    assert snapshot(tmp_path) == before


def test_a_file_as_output_is_refused(library: Path, tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_bytes(b"keep me\n")
    refused(["build", "--as-of", AS_OF, "--out", "notes.txt", str(library)],
            "notes.txt exists and is not a folder; refusing to replace it")
    assert (tmp_path / "notes.txt").read_bytes() == b"keep me\n"


def test_a_missing_or_non_folder_parent_is_a_usage_error(library: Path, tmp_path: Path) -> None:
    refused(["build", "--as-of", AS_OF, "--out", "missing/deeper/site", str(library)],
            "the folder missing/deeper for missing/deeper/site does not exist; create it first or choose another --out")
    assert not (tmp_path / "missing").exists()
    (tmp_path / "a-file").write_bytes(b"x")
    refused(["build", "--as-of", AS_OF, "--out", "a-file/site", str(library)],
            "the folder a-file for a-file/site is not a folder; create it first or choose another --out")


def test_a_parent_that_cannot_be_written_is_a_usage_error(library: Path, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    # the tests run as root, whom a read-only mode does not stop: the refusal of the file system is simulated
    def read_only(*args: object, **kwargs: object) -> str:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(build.tempfile, "mkdtemp", read_only)
    refused(["build", "--as-of", AS_OF, "--out", "site", str(library)],
            f"cannot write beside site in {tmp_path} (Permission denied)")
    assert not (tmp_path / "site").exists()


def test_a_refusal_comes_before_any_work(library: Path, www: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from generator.commands import build as build_command

    def must_not_run(*args: object, **kwargs: object) -> None:
        raise AssertionError("the library was read before the output folder was checked")

    monkeypatch.setattr(build_command, "open_library", must_not_run)
    assert run("build", "--as-of", AS_OF, "--out", "www", str(library))[0] == 2


# --- what is replaced, and the marker --------------------------------------------------------------------


def test_absent_then_marked_then_empty_folders_are_built_into(tmp_path: Path) -> None:
    out = tmp_path / "out"
    build.build_site(GOOD_PAGES, out, as_of=None)
    assert (out / MARKER_NAME).read_bytes() == MARKER_BYTES
    (out / "stale.html").write_bytes(b"from an earlier build\n")
    build.build_site(GOOD_PAGES, out)  # marked: replaced whole
    assert not (out / "stale.html").exists() and (out / "index.html").is_file()
    empty = tmp_path / "empty"
    empty.mkdir()
    build.build_site(GOOD_PAGES, empty)
    assert (empty / MARKER_NAME).is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty", "out"]


def test_the_marker_leaks_nothing_and_the_site_stays_byte_identical(library: Path, tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    assert run("build", "--as-of", AS_OF, "--out", str(first), str(library))[0] == 0
    assert run("build", "--as-of", AS_OF, "--out", str(second), str(library))[0] == 0
    assert snapshot(first) == snapshot(second)
    marker = (first / MARKER_NAME).read_bytes()
    assert marker == MARKER_BYTES
    for secret in (str(tmp_path), "2026", AS_OF, os.environ.get("USER", "root"), os.uname().nodename):
        assert secret.encode() not in marker


# --- interrupted builds ----------------------------------------------------------------------------------


def test_the_temporary_folders_of_an_interrupted_build_are_removed_by_the_next(library: Path, tmp_path: Path) -> None:
    for name in (".site.building-abc123", ".site.building-x"):
        (tmp_path / name / "site").mkdir(parents=True)
        (tmp_path / name / "site" / "index.html").write_bytes(b"half written\n")
    (tmp_path / ".other.building-keep").mkdir()  # another output's: not ours to remove
    (tmp_path / "notes.site.building-keep").write_bytes(b"x")  # not our prefix
    status, _, _ = run("build", "--as-of", AS_OF, "--out", "site", str(library))
    assert status == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".other.building-keep", "notes.site.building-keep", "protocols", "site"]


def test_leftovers_are_removed_even_when_the_build_is_then_refused_for_errors(library: Path, tmp_path: Path) -> None:
    (tmp_path / ".site.building-old").mkdir()
    version = library / "ketamine-trd" / "1.0.yaml"
    version.write_text(version.read_text(encoding="utf-8").replace("owner:", "ownr:", 1), encoding="utf-8")
    assert run("build", "--as-of", AS_OF, str(library))[0] == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["protocols"]


def test_a_running_builds_folder_is_left_alone(tmp_path: Path) -> None:
    running = tmp_path / ".site.building-running"
    running.mkdir()
    lock = os.open(running / "lock", os.O_CREAT | os.O_RDWR)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
        check_output(tmp_path / "site")
        assert running.is_dir()
    finally:
        os.close(lock)
    check_output(tmp_path / "site")
    assert not running.exists()


def test_a_previous_site_left_in_a_temporary_folder_by_an_interrupted_swap_is_put_back(tmp_path: Path) -> None:
    out = tmp_path / "site"
    build.build_site(GOOD_PAGES, out)
    before = snapshot(out)
    leftover = tmp_path / ".site.building-cut"
    leftover.mkdir()
    os.rename(out, leftover / "previous")  # the swap was cut after moving the previous site away
    check_output(out)
    assert snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_a_failed_build_after_a_refusal_check_leaves_the_previous_site(library: Path, tmp_path: Path) -> None:
    assert run("build", "--as-of", AS_OF, str(library))[0] == 0
    before = snapshot(tmp_path / "site")
    broken = {"index.md": "[gone](gone.md)\n"}
    with pytest.raises(build.SiteBuildError):
        build.build_site(broken, tmp_path / "site", protocols_dir=library)
    assert snapshot(tmp_path / "site") == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["protocols", "site"]


def test_a_symbolic_link_loop_on_the_way_is_refused(library: Path, tmp_path: Path) -> None:
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    status, out, err = run("build", "--as-of", AS_OF, "--out", "loop/site", str(library))
    assert (status, out) == (2, "")
    assert err.startswith("protocols: error: ") and err.count("\n") == 1
    assert "loop/site" in err and "Traceback" not in err


def test_a_path_with_a_line_break_is_refused_on_one_line(library: Path, tmp_path: Path) -> None:
    folder = tmp_path / "www\nsecond line"
    folder.mkdir()
    (folder / "index.html").write_bytes(b"keep\n")
    status, _, err = run("build", "--as-of", AS_OF, "--out", str(folder.name), str(library))
    assert status == 2 and err.count("\n") == 1
    assert err.startswith('protocols: error: www\\u000Asecond line is not empty and was not written by protocols build')
    assert (folder / "index.html").read_bytes() == b"keep\n"
