"""What `protocols serve` keeps from one rebuild to the next, so that a save costs what it changed.

- ``SourceCache``: the parse of every file (``yaml_source.load_yaml``'s result), kept while the file's
  ``lstat`` (inode, size, mtime_ns, ctime_ns, mode) is unchanged. Only the parse is kept: validation,
  checks and rendering run again on every rebuild, so nothing derived from another file can go stale.
- ``PageLedger``: a digest of each page the served site was built from; ``update`` compares a new
  ``{path: text}`` with it and says which pages to write, which are as built, and which to remove.

Both belong to one `protocols serve` process (commands/serve.py); nothing here is module state.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.diagnostics import Diagnostic
from generator.load.validate import validate_partial
from generator.load.yaml_source import SourceFile, load_yaml
from generator.render.incremental_render import RenderedPages

FileStamp = tuple[int, int, int, int, int]  # inode, size, mtime_ns, ctime_ns, mode (of lstat)
Parse = tuple[SourceFile | None, list[Diagnostic]]
Validated = tuple[Any, list[Diagnostic], SourceFile]  # validate_partial's: model, diagnostics, the file's view


def file_stamp(path: Path) -> FileStamp | None:
    """What must stay equal for a file's parse to be reused; None when the path cannot be looked at."""
    try:
        info = os.lstat(path)
    except OSError:
        return None
    return info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_mode


class SourceCache:
    """``load_yaml`` results by (path, display path), reused while the file's stamp is unchanged.

    A file that changes between its stamp and its read is stored under the old stamp with the new text;
    the next look finds a newer stamp and reads it again, so a parse is never older than its stamp. Entries
    of files that were not asked for in the last library read (deleted, renamed) are dropped by ``sweep``.
    """

    def __init__(self, read: Callable[[Path, str], Parse] = load_yaml) -> None:
        self._read = read
        self._parses: dict[tuple[str, str], tuple[FileStamp, Parse]] = {}
        self._asked: set[tuple[str, str]] = set()
        self._validated: dict[tuple[int, int, tuple[tuple[str, str], ...]], tuple[SourceFile, Validated]] = {}
        self.reads = 0  # files read and parsed since the cache was made (the rest came from the cache)

    def load(self, path: Path, display: str) -> Parse:
        key = (str(path), display)
        self._asked.add(key)
        stamp = file_stamp(path)
        kept = self._parses.get(key)
        if stamp is not None and kept is not None and kept[0] == stamp:
            source, diagnostics = kept[1]
            return source, list(diagnostics)
        self.reads += 1
        parse = self._read(path, display)
        if stamp is None:
            self._parses.pop(key, None)
        else:
            self._parses[key] = (stamp, (parse[0], list(parse[1])))
        return parse

    def validate(self, model: Any, source: SourceFile, fill: dict[str, str]) -> Validated:
        """``validate_partial(model, source, fill)``, kept while ``source`` is a parse this cache holds (the
        same object for a file whose stamp is unchanged)."""
        key = (id(source), id(model), tuple(sorted(fill.items())))
        kept = self._validated.get(key)
        if kept is not None and kept[0] is source:
            doc, diagnostics, partial = kept[1]
            return doc, list(diagnostics), partial
        result = validate_partial(model, source, fill)
        self._validated[key] = (source, (result[0], list(result[1]), result[2]))
        return result

    def sweep(self) -> None:
        """Forget the files the last library read did not ask for; call after each whole read."""
        self._parses = {key: kept for key, kept in self._parses.items() if key in self._asked}
        self._asked = set()
        held = {id(parse[1][0]) for parse in self._parses.values()}
        self._validated = {key: kept for key, kept in self._validated.items() if id(kept[0]) in held}


def page_digest(text: str | bytes) -> bytes:
    data = text.encode("utf-8", errors="surrogatepass") if isinstance(text, str) else text
    return hashlib.blake2b(data, digest_size=20).digest()


@dataclass(frozen=True)
class SiteUpdate:
    """What one rebuild hands the engine.

    ``pages``: the pages to write ({path: text}): the new and changed ones. ``unchanged``: the pages
    whose output in the served site is current. ``removed``: pages of the last build that are gone;
    ``added``: those of ``pages`` the last build did not have. ``full``: every page is in ``pages`` and
    the site is built from scratch.
    """

    pages: dict[str, str]
    unchanged: frozenset[str]
    removed: frozenset[str]
    full: bool
    added: frozenset[str] = frozenset()

    @property
    def changed(self) -> list[str]:
        return sorted(self.pages)


class PageLedger:
    """The digest of every page of the served site, as last handed to the engine."""

    def __init__(self) -> None:
        self._digests: dict[str, bytes] | None = None  # None: nothing built yet

    @property
    def built(self) -> bool:
        return self._digests is not None

    def update(self, pages: dict[str, str], *, full: bool) -> SiteUpdate:
        """The update from the last build's pages to ``pages`` (which it takes over), and remember them."""
        digests = {path: page_digest(text) for path, text in pages.items()}
        previous = self._digests
        self._digests = digests
        if full or previous is None:
            removed = frozenset() if previous is None else frozenset(previous.keys() - digests.keys())
            return SiteUpdate(pages, frozenset(), removed, full=True, added=frozenset(pages))
        unchanged = frozenset(path for path, digest in digests.items() if previous.get(path) == digest)
        for path in unchanged:
            del pages[path]
        return SiteUpdate(pages, unchanged, frozenset(previous.keys() - digests.keys()), full=False,
                          added=frozenset(digests.keys() - previous.keys()))

    def update_rendered(self, rendered: RenderedPages, *, full: bool) -> SiteUpdate:
        """The update from the last build's pages to those of an incremental render, whose pages not
        rendered are as the last build has them (``full``: the engine builds every page, so every page
        must have been rendered)."""
        if rendered.full or self._digests is None:
            return self.update(dict(rendered.pages), full=full)
        previous = self._digests
        kept = rendered.paths - rendered.pages.keys()
        missing = sorted(kept - previous.keys())
        if full or missing:
            raise ValueError(f"a partial render cannot make a whole build: {', '.join(missing[:3]) or 'full'}")
        digests = {path: previous[path] for path in kept}
        digests.update((path, page_digest(text)) for path, text in rendered.pages.items())
        self._digests = digests
        pages = {path: text for path, text in rendered.pages.items() if previous.get(path) != digests[path]}
        return SiteUpdate(pages, frozenset(digests.keys() - pages.keys()), frozenset(previous.keys() - digests.keys()),
                          full=False, added=frozenset(digests.keys() - previous.keys()))

    def unchanged(self) -> SiteUpdate:
        """No page changes (the library has errors: the served site stays as built)."""
        kept = frozenset(self._digests or ())
        return SiteUpdate({}, kept, frozenset(), full=False)

    def forget(self) -> None:
        """The next update builds every page (the engine's own state was lost, e.g. a failed build)."""
        self._digests = None
