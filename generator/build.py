"""Atomic site build: a site folder is replaced whole, or not at all.

The site is built into a temporary folder beside ``out_dir`` (same file system, so renames are
atomic), then the previous site is renamed away, the new one renamed in, and the previous one
deleted. On any failure the previous site is left exactly as it was and no temporary folder remains.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Mapping
from datetime import UTC, date, datetime
from pathlib import Path

from generator import site
from generator.site import SiteBuildError

__all__ = ["SiteBuildError", "build_site", "default_as_of"]

# A folder we are willing to replace must be empty or look like a site MkDocs built (it always writes
# a sitemap); anything else (a typo such as --out protocols) is refused rather than deleted.
SITE_MARKER = "sitemap.xml"


def default_as_of() -> date:
    """The build date when none is given: SOURCE_DATE_EPOCH, else today (UTC)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch is not None and epoch.strip():
        return datetime.fromtimestamp(int(epoch), UTC).date()
    return datetime.now(UTC).date()


def _check_replaceable(out_dir: Path) -> None:
    if not out_dir.exists() and not out_dir.is_symlink():
        return
    if not out_dir.is_dir() or out_dir.is_symlink():
        raise SiteBuildError(f"{out_dir} exists and is not a folder; refusing to replace it")
    if any(out_dir.iterdir()) and not (out_dir / SITE_MARKER).is_file():
        raise SiteBuildError(
            f"{out_dir} is not empty and does not look like a built site (no {SITE_MARKER}); "
            "refusing to replace it"
        )
    cwd = Path.cwd().resolve()
    resolved = out_dir.resolve()
    if resolved == cwd or resolved in cwd.parents:
        raise SiteBuildError(f"{out_dir} contains the current folder; refusing to replace it")


def build_site(
    pages: Mapping[str, str],
    out_dir: Path,
    config_file: Path | None = None,
    reviewer: bool = False,
    as_of: date | None = None,
    release_pages: bool = False,
) -> None:
    """Build ``pages`` ({relative path: text}) into ``out_dir`` with MkDocs, atomically.

    ``config_file``: the MkDocs configuration; None means ./mkdocs.yml if present, else the
    generator's default. ``as_of`` is the build date (sitemap dates); None means default_as_of().
    ``release_pages``: the build empties ``pages`` (a dict) as the engine takes each page, so a large
    site's text is freed page by page; the caller must not use ``pages`` afterwards.
    Raises SiteBuildError when the site cannot be built; ``out_dir`` is then untouched.
    """
    out_dir = Path(out_dir)
    _check_replaceable(out_dir)
    build_date = as_of if as_of is not None else default_as_of()
    parent = out_dir.absolute().parent
    parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.building-", dir=parent))
    try:
        docs_dir = work / "docs"
        new_site = work / "site"
        docs_dir.mkdir()
        site.build_into(pages, new_site, docs_dir, config_file, reviewer, build_date, release_pages)
        _swap_in(new_site, out_dir.absolute(), work / "previous")
    finally:
        shutil.rmtree(work, ignore_errors=True)


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
