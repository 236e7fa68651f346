"""Atomic site build (§7): a site folder is replaced whole, or not at all, and only when it is ours.

The site is built into a temporary folder beside the output (same file system, so renames are
atomic): the pages are written into it as they are rendered (``staged_site``; so the site's text is never
all in memory, generator/site/staged_pages.py), the engine builds the site there, it is indexed for search
(Pagefind, generator/site/search_index.py), a marker file is added to it, then the previous site is renamed
away, the new one renamed in, and the previous one deleted. On any failure the previous site is left
exactly as it was and no temporary folder remains.

The output folder is replaced only when it is absent, empty, or holds the marker that every build
writes; never when it is, or lies inside, the protocols folder or the current folder. A refusal
changes nothing. Temporary folders left by an interrupted build (`.site.building-*`) are removed by
the next build into the same output; a running build holds a lock in its own, so it is left alone.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from generator.model.build_date import build_date
from generator.site import engine as site
from generator.site import search_index
from generator.site.engine import SiteBuildError
from generator.site.staged_pages import StagedPages

__all__ = ["MARKER_NAME", "OutputRefused", "SiteBuildError", "SiteStaging", "build_site", "check_output",
           "default_as_of", "staged_site"]

# Fixed text: the marker must keep the site byte-deterministic and say nothing about where or when it was built.
MARKER_NAME = ".protocols-build"
MARKER_BYTES = (
    b"This folder is a site written by `protocols build`. The next build replaces the whole folder:\n"
    b"keep nothing else in it.\n"
)
_LOCK_NAME = "lock"


class OutputRefused(SiteBuildError):
    """The output folder may not be replaced or written beside (exit 2); nothing was changed."""


def default_as_of() -> date:
    """The build date when none is given: SOURCE_DATE_EPOCH, else today (UTC); see generator/model/build_date.py."""
    return build_date(None)


def _work_prefix(out: Path) -> str:
    return f".{out.name}.building-"


def _is_marked(folder: Path) -> bool:
    marker = folder / MARKER_NAME
    try:
        if marker.is_symlink() or not marker.is_file() or marker.stat().st_size != len(MARKER_BYTES):
            return False
        return marker.read_bytes() == MARKER_BYTES
    except OSError:
        return False


def _refuse_location(out_dir: Path, resolved: Path, protocols_dir: Path | None) -> None:
    """Folders that are never replaced, whatever they hold."""
    if out_dir.is_symlink():
        raise OutputRefused(f"{out_dir} is a symbolic link; refusing to replace it: give the real folder as --out")
    if protocols_dir is not None:
        protocols = protocols_dir.resolve()
        if resolved == protocols or protocols in resolved.parents:
            raise OutputRefused(f"{out_dir} is inside the protocols folder {protocols_dir}; refusing to build "
                                "there: choose an --out outside it, e.g. site")
        if resolved in protocols.parents:
            raise OutputRefused(f"{out_dir} contains the protocols folder {protocols_dir}; refusing to replace it")
    cwd = Path.cwd().resolve()
    if resolved == cwd or resolved in cwd.parents:
        raise OutputRefused(f"{out_dir} contains the current folder; refusing to replace it")


def _refuse_content(out_dir: Path, resolved: Path) -> None:
    """The parent must be a folder, and the output absent, empty or marked as ours."""
    parent = resolved.parent
    if not parent.is_dir():
        what = "is not a folder" if parent.exists() else "does not exist"
        raise OutputRefused(f"the folder {out_dir.parent} for {out_dir} {what}; create it first or choose another "
                            "--out")
    if not resolved.exists():
        return
    if not resolved.is_dir():
        raise OutputRefused(f"{out_dir} exists and is not a folder; refusing to replace it")
    try:
        empty = not any(os.scandir(resolved))
    except OSError as error:
        raise OutputRefused(f"cannot read {out_dir} ({error.strerror}); refusing to replace it") from None
    if not empty and not _is_marked(resolved):
        raise OutputRefused(
            f"{out_dir} is not empty and was not written by protocols build (it has no {MARKER_NAME} file); "
            "nothing in it was changed: choose a new or empty folder for --out, or empty this one yourself"
        )


@contextmanager
def _unlocked(folder: Path) -> Iterator[bool]:
    """Whether no running build holds ``folder``'s lock (True also when it has none)."""
    try:
        handle = os.open(folder / _LOCK_NAME, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        yield True
        return
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(handle)
        yield False
        return
    try:
        yield True
    finally:
        os.close(handle)


def _remove_interrupted(resolved: Path) -> None:
    """Remove the temporary folders of interrupted builds into ``resolved``; put back a previous site that an
    interruption during the swap left in one."""
    prefix = _work_prefix(resolved)
    try:
        leftovers = sorted(entry for entry in resolved.parent.iterdir() if entry.name.startswith(prefix))
    except OSError:
        return
    for leftover in leftovers:
        if leftover.is_symlink() or not leftover.is_dir():
            continue
        with _unlocked(leftover) as free:
            if not free:
                continue
            previous = leftover / "previous"
            if not resolved.exists() and previous.is_dir() and _is_marked(previous):
                try:
                    os.rename(previous, resolved)
                except OSError:
                    pass
            shutil.rmtree(leftover, ignore_errors=True)


def check_output(out_dir: Path, protocols_dir: Path | None = None) -> Path:
    """Refuse (OutputRefused) an output folder that may not be replaced; remove leftovers of interrupted builds.

    Returns the output folder's real path, where the build writes. Changes nothing when it refuses.
    """
    out_dir = Path(out_dir)
    try:
        resolved = out_dir.resolve()
    except (OSError, RuntimeError) as error:  # a symbolic link loop, an unreadable folder on the way
        raise OutputRefused(f"cannot find where {out_dir} leads ({error}); choose another --out") from None
    _refuse_location(out_dir, resolved, protocols_dir)
    if resolved.parent.is_dir():
        _remove_interrupted(resolved)
    _refuse_content(out_dir, resolved)
    return resolved


@dataclass
class SiteStaging:
    """A build under way in its temporary folder beside the output (``staged_site``)."""

    out_dir: Path  # as the caller named it, for messages
    resolved: Path  # its real path, where the site goes
    work: Path  # the temporary folder, removed when the build ends
    pages: StagedPages

    def add(self, path: str, text: str | bytes) -> None:
        """Write one page of the site (SiteBuildError for a path that could leave the site folder)."""
        site.check_page_path(path)
        self.pages.add(path, text)

    def add_all(self, pages: Iterable[tuple[str, str | bytes]]) -> None:
        for path, text in pages:
            self.add(path, text)

    def build(self, config_file: Path | None = None, reviewer: bool = False, as_of: date | None = None) -> None:
        """Build the site from the pages added, index it for search and swap it in for the output folder."""
        day = as_of if as_of is not None else default_as_of()
        docs_dir = self.work / "docs"
        new_site = self.work / "site"
        docs_dir.mkdir()
        views = search_index.PagefindViews(self.work / "search")  # Pagefind's view of each page as it is written
        views.folder.mkdir()
        site.build_into(self.pages, new_site, docs_dir, config_file, reviewer, day, views)
        _index_for_search(new_site, views)
        (new_site / MARKER_NAME).write_bytes(MARKER_BYTES)
        _swap_in(new_site, self.resolved, self.work / "previous")


@contextmanager
def staged_site(out_dir: Path, protocols_dir: Path | None = None) -> Iterator[SiteStaging]:
    """A build of the site into ``out_dir``: add its pages to the staging (as they are made), then build it.

    Refuses (OutputRefused) an output folder that may not be replaced, as check_output. The temporary
    folder is locked while the block runs and removed when it ends, however it ends; unless ``build``
    returned, ``out_dir`` is untouched. An OSError inside the block becomes OutputRefused.
    """
    out_dir = Path(out_dir)
    resolved = check_output(out_dir, protocols_dir)
    try:
        work = Path(tempfile.mkdtemp(prefix=_work_prefix(resolved), dir=resolved.parent))
    except OSError as error:
        raise OutputRefused(f"cannot write beside {out_dir} in {resolved.parent} ({error.strerror})") from None
    try:
        lock = os.open(work / _LOCK_NAME, os.O_CREAT | os.O_RDWR | os.O_NOFOLLOW, 0o600)
        try:
            fcntl.flock(lock, fcntl.LOCK_EX)
            (work / "pages").mkdir()
            yield SiteStaging(out_dir, resolved, work, StagedPages(work / "pages"))
        finally:
            os.close(lock)
    except OSError as error:
        raise OutputRefused(f"cannot write the site to {out_dir} ({error.strerror or error}); "
                            f"{out_dir} was left as it was") from error
    finally:
        shutil.rmtree(work, ignore_errors=True)


def build_site(
    pages: Mapping[str, str],
    out_dir: Path,
    config_file: Path | None = None,
    reviewer: bool = False,
    as_of: date | None = None,
    release_pages: bool = False,
    protocols_dir: Path | None = None,
) -> None:
    """Build ``pages`` ({relative path: text}) into ``out_dir`` with MkDocs, atomically (see staged_site).

    ``config_file``: the MkDocs configuration; None means ./mkdocs.yml if present, else the
    generator's default. ``as_of`` is the build date (sitemap dates); None means default_as_of().
    ``release_pages``: the build empties ``pages`` (a dict) as it stages each page, so a large
    site's text is freed page by page; the caller must not use ``pages`` afterwards.
    ``protocols_dir``: the protocols folder, which the output may not be or lie in.
    Raises OutputRefused when ``out_dir`` may not be replaced or written beside, SiteBuildError when the
    site cannot be built; ``out_dir`` is then untouched.
    """
    if release_pages and not isinstance(pages, dict):
        raise TypeError("release_pages needs the pages as a dict the engine may empty")
    with staged_site(out_dir, protocols_dir) as staging:
        if release_pages:
            assert isinstance(pages, dict)
            staging.add_all((path, pages.pop(path)) for path in sorted(pages))
        else:
            staging.add_all(pages.items())
        staging.build(config_file, reviewer, as_of)


def _index_for_search(new_site: Path, views: search_index.PagefindViews) -> None:
    """The Pagefind search index of the written site (generator/site/search_index.py); a failure fails the build."""
    try:
        search_index.index_site(new_site, views=views)
    except search_index.SearchIndexError as error:
        raise SiteBuildError(f"site build failed: {error}") from None


def _swap_in(new_site: Path, out_dir: Path, previous: Path) -> None:
    """Replace out_dir by new_site; the previous site ends up in ``previous`` (deleted by the caller)."""
    if not out_dir.exists():
        os.rename(new_site, out_dir)
        return
    os.rename(out_dir, previous)
    try:
        os.rename(new_site, out_dir)
    except BaseException:
        os.rename(previous, out_dir)
        raise
