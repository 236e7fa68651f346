"""Reading the protocols folder without ever following a link or blocking on a special file (§1).

Only regular files inside the folder are read. Everything is looked at with `lstat` first (a symbolic
link is judged as the link, never as what it points to), and a file is then opened with O_NOFOLLOW
and O_NONBLOCK and checked again with `fstat`, so a link or a FIFO put in its place in between is
still refused and never blocks. The size is bounded before and while reading.
"""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from generator.diagnostics import Diagnostic, Location

MAX_FILE_BYTES = 1024 * 1024
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
_FILE_HINT = "replace it with the file itself, inside the protocols folder: links and special files are never read"


def kind_of(mode: int) -> str:
    """What a file system entry is, in words: "a regular file", "a symbolic link", "a folder", ..."""
    if stat.S_ISREG(mode):
        return "a regular file"
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a special file"


def not_a_file(kind: str, display: str, expected: str = "file") -> Diagnostic:
    """P100: a link, special file or folder where a file (or a folder) is expected; nothing is read from it."""
    return Diagnostic(
        "P100",
        f"{kind} stands where a {expected} is expected: nothing was read from it",
        Location(display),
        hint=_FILE_HINT.replace("the file itself", f"the {expected} itself"),
    )


def unreadable(what: str, error: OSError, display: str) -> Diagnostic:
    reason = error.strerror or type(error).__name__
    return Diagnostic(
        "P100",
        f"cannot read the {what}: {reason}",
        Location(display),
        hint="check that the generator may read it (permissions, a file system that is mounted)",
    )


def read_regular_file(path: Path, display: str) -> tuple[bytes | None, list[Diagnostic]]:
    """The bytes of `path` when it is a regular file of at most 1 MiB; else a located P100 or P502."""
    try:
        before = os.lstat(path)
    except OSError as error:
        return None, [unreadable("file", error, display)]
    if not stat.S_ISREG(before.st_mode):
        return None, [not_a_file(kind_of(before.st_mode), display)]
    if before.st_size > MAX_FILE_BYTES:
        return None, [_over_limit(before.st_size, display)]
    try:
        descriptor = os.open(path, _OPEN_FLAGS)
    except OSError as error:
        if error.errno in (errno.ELOOP, errno.EMLINK):  # a link swapped in after the lstat (EMLINK on BSD)
            return None, [not_a_file("a symbolic link", display)]
        return None, [unreadable("file", error, display)]
    try:
        opened = os.fstat(descriptor)
        if not stat.S_ISREG(opened.st_mode):
            return None, [not_a_file(kind_of(opened.st_mode), display)]
        chunks: list[bytes] = []
        total = 0
        while total <= MAX_FILE_BYTES:  # the file may grow after the fstat: never read past the limit
            chunk = os.read(descriptor, MAX_FILE_BYTES + 1 - total)
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    except OSError as error:
        return None, [unreadable("file", error, display)]
    finally:
        os.close(descriptor)
    if total > MAX_FILE_BYTES:
        return None, [_over_limit(total, display)]
    return b"".join(chunks), []


def _over_limit(size: int, display: str) -> Diagnostic:
    return Diagnostic(
        "P502",
        f"file is {size:,} bytes, over the 1 MiB limit ({MAX_FILE_BYTES:,} bytes): it was not read",
        Location(display),
        hint="split the content or remove what does not belong in a protocol file",
    )


@dataclass(frozen=True)
class Entry:
    """One name in a folder, judged without following it."""

    name: str
    path: Path
    kind: str  # kind_of(): "a regular file", "a folder", "a symbolic link", ...

    @property
    def is_file(self) -> bool:
        return self.kind == "a regular file"

    @property
    def is_folder(self) -> bool:
        return self.kind == "a folder"


def list_folder(folder: Path, display: str) -> tuple[list[Entry], list[Diagnostic]]:
    """The entries of `folder`, sorted by name, each judged by lstat; an unreadable folder is a located P100."""
    entries: list[Entry] = []
    try:
        with os.scandir(folder) as scan:
            for item in scan:
                try:
                    mode = item.stat(follow_symlinks=False).st_mode
                except OSError:  # vanished while listed
                    continue
                entries.append(Entry(item.name, Path(item.path), kind_of(mode)))
    except OSError as error:
        return [], [unreadable("folder", error, display)]
    return sorted(entries, key=lambda entry: entry.name), []


def entry_kind(path: Path) -> str | None:
    """kind_of() for one path, without following a link; None when nothing is there."""
    try:
        return kind_of(os.lstat(path).st_mode)
    except FileNotFoundError:
        return None
    except OSError:
        return "an unreadable entry"
