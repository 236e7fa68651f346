"""The site's search index: Pagefind run over the written site, before the atomic swap
(generator/site/atomic_output.py).

Material's own search ships one index of every page (12.6 MB at 1,000 protocols) that each reader's
browser downloads whole on its first search. Pagefind splits the index into small chunks fetched for the
words typed, so a search costs the same few hundred kilobytes whatever the size of the library.

Which pages are indexed is decided by the theme, not here: the ``protocols`` plugin marks the article of
every page that belongs in search with ``data-pagefind-body`` (``generator.site.page_kinds.in_search``), and Pagefind
then skips every page without it. EXCLUDED_SELECTORS keep out of the index, and so out of the result
excerpts, what would read wrongly out of context: permalink signs, the hidden print metadata, the dose
panel's form and live result, citation numbers, the rows of dose tables (a dose figure without its weight
and regimen) and the schedule drawing.

The binary comes with the ``pagefind_bin`` package (``pagefind``'s lookup honours PAGEFIND_BINARY_PATH) and
needs no network. Its output depends only on the pages: the same site gives byte-identical files. The
user interface files Pagefind writes for its own widgets are removed: the header search
(site_templates/assets/search.js) uses only the search API, ``pagefind/pagefind.js``.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import string
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

from pagefind.service import get_executable

MARK_TEXT = "data-pagefind-body"  # overrides/main.html puts it on the article of each page to index
MARK = MARK_TEXT.encode()
ARTICLE_START = b"<article"  # the marked element, overrides/main.html
ARTICLE_END = b"</article>"
BODY_START = b"<body"
BODY_END = b"</body>"
# Parts of an article that EXCLUDED_SELECTORS keep out of the index, emptied before Pagefind parses them (the
# element's tags stay): the drawing of a schedule (generator/render/schedule_svg.py) and the header and rows
# of a dose table (site_templates/dose_table.html.j2), a third of the text of a protocol's page. Each is
# found by its opening literal, then cut at its first closing tag (what `<div class="pc-schedule__scroll"
# [^>]*><svg\b[^>]*>.*?</svg>` and `<div class="pc-dose-table"[^>]*>\s*<table>.*?</table>` match, DOTALL).
SCHEDULE_START = b'<div class="pc-schedule__scroll"'
DOSE_TABLE_START = b'<div class="pc-dose-table"'
DOSE_TABLE_PART = re.compile(rb"(<(thead|tbody)>)([^<]*(?:<(?!/t(?:head|body)>)[^<]*)*)(</\2>)")
ASCII_SPACE = string.whitespace.encode()  # what \s matches in a bytes pattern
PAGEFIND_ATTRIBUTE = b"data-pagefind"  # any of Pagefind's attributes, which it reads wherever they are
BUNDLE_DIR = "pagefind"  # beside index.html; search.js finds it from the site root
TIMEOUT_SECONDS = 600.0  # a 1,000-protocol site indexes in well under a minute
LANGUAGE = "en"  # the theme's language; one index, whatever a page's text looks like
EXCLUDED_SELECTORS = (
    ".headerlink",
    ".pc-print-meta",
    ".pc-dose-panel__weight",
    ".pc-dose-panel__noscript",
    ".pc-dose-panel__result",
    "sup.citation",
    ".pc-dose-table thead",  # header cells run together in extracted text
    ".pc-dose-table tbody",
    ".pc-schedule svg",
)
# Pagefind's ready-made widgets and the highlighting script, which the site does not load.
UNUSED_FILES = (
    "pagefind-ui.js",
    "pagefind-ui.css",
    "pagefind-modular-ui.js",
    "pagefind-modular-ui.css",
    "pagefind-component-ui.js",
    "pagefind-component-ui.css",
    "pagefind-highlight.js",
)


class SearchIndexError(Exception):
    """Pagefind could not index the site; the message says why and what to do."""


def pagefind_command(pages_dir: Path, bundle_dir: Path) -> list[str]:
    """The command line that indexes the pages of ``pages_dir`` into ``bundle_dir`` (raises SearchIndexError
    without a binary)."""
    executable = get_executable()
    if executable is None:
        raise SearchIndexError(
            "the search index needs the Pagefind binary, which was not found: reinstall the generator's "
            "dependencies (make deps) or set PAGEFIND_BINARY_PATH to a Pagefind 1.5 binary"
        )
    return [
        str(executable),
        "--site", str(pages_dir),
        "--output-path", str(bundle_dir),
        "--force-language", LANGUAGE,
        "--exclude-selectors", ", ".join(EXCLUDED_SELECTORS),
        "--silent",
    ]


class PagefindViews:
    """What Pagefind is shown of one site (only_the_article, or the whole page when it cannot be cut), each
    marked page written into ``folder`` at its path as the engine writes the page, so that no written page is
    read back to find the marked ones (at 1,000 protocols 325 MB of pages, each carrying the navigation, for
    about 1,000 marked ones).

    The engine hands over every page it writes (``add``); index_site then stages the site's other HTML
    files (the theme's 404 page, a docs folder's own HTML), which only it reads."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder  # a new, empty folder of the build's own
        self.count = 0  # marked pages staged
        self._written: set[str] = set()  # every page handed over, marked or not
        self._folders: set[Path] = {folder}  # made already: one mkdir per folder, not per page

    def add(self, path: str, output: str) -> None:
        """A page the engine writes at ``path`` (relative to the site, POSIX): ``output`` as MkDocs writes it
        (encoded as MkDocs encodes it), which must not change after this."""
        self._written.add(path)
        if MARK_TEXT in output:
            self._stage(path, output.encode("utf-8", errors="xmlcharrefreplace"))

    def add_the_rest(self, site_dir: Path) -> None:
        """Stage each marked HTML file of ``site_dir`` that was not handed over (every file, when none was).
        A file whose text merely contains the words is staged too, harmlessly: Pagefind indexes only pages
        with a marked element once any page has one."""
        for folder, _, names in os.walk(site_dir):
            for name in names:
                if not name.endswith(".html"):
                    continue
                file = Path(folder, name)
                path = file.relative_to(site_dir).as_posix()
                if path not in self._written:
                    page = file.read_bytes()
                    if MARK in page:
                        self._stage(path, page)

    def _stage(self, path: str, page: bytes) -> None:
        target = self.folder / path
        if target.parent not in self._folders:
            target.parent.mkdir(parents=True, exist_ok=True)
            self._folders.add(target.parent)
        target.write_bytes(only_the_article(page) or page)
        self.count += 1


def index_site(site_dir: Path, timeout: float = TIMEOUT_SECONDS, views: PagefindViews | None = None) -> None:
    """Write the Pagefind index of the marked pages of ``site_dir`` into ``site_dir/pagefind/``.

    Pagefind is shown only the pages that carry the mark (staged in a folder of their own beside the
    site, cut down to their head and article), not the whole site: it holds what it reads in memory, about 1 GB for
    the 5,000 pages of a 1,000-protocol site against under 400 MB for its 1,000 indexed ones. Which text
    it indexes is still its own decision: in each page, only the marked element.
    ``views``: the marked pages the engine staged as it wrote them (PagefindViews); the site's other HTML
    files are read here. None: every HTML file of the site is read. The staging folder is removed either way.
    Raises SearchIndexError when no page is marked, or the binary is missing, cannot run, fails, runs past
    ``timeout`` seconds or writes no index.
    """
    if views is None:
        views = PagefindViews(Path(tempfile.mkdtemp(prefix=".search-pages-", dir=site_dir.parent)))
    try:
        views.add_the_rest(site_dir)
        if not views.count:
            raise SearchIndexError(
                f"the search index was not built: no page of {site_dir} is marked for search "
                "(data-pagefind-body, written by the theme's main.html): a custom_dir main.html must keep "
                "Material's content block inside the generator's"
            )
        _run_pagefind(pagefind_command(views.folder, site_dir / BUNDLE_DIR), timeout)
    finally:
        shutil.rmtree(views.folder, ignore_errors=True)
    bundle = site_dir / BUNDLE_DIR
    if not (bundle / "pagefind.js").is_file() or not (bundle / "pagefind-entry.json").is_file():
        raise SearchIndexError(f"the search index was not built: Pagefind wrote no index into {bundle}")
    for name in UNUSED_FILES:
        (bundle / name).unlink(missing_ok=True)


def only_the_article(page: bytes) -> bytes | None:
    """The page with nothing in its body but the marked article, whose schedule drawings and dose table
    rows (excluded from the index by EXCLUDED_SELECTORS) are emptied; or None when the marked element is
    not one article, or anything cut holds what Pagefind reads (a ``data-pagefind`` attribute).

    Pagefind parses the whole page; the rest of the body (header, sidebars, footer, scripts) and the
    excluded parts give nothing to the index, which is byte for byte the same without them."""
    mark = page.find(MARK)
    start = page.rfind(b"<", 0, mark)
    body = page.find(BODY_START, 0, start)
    body_open = page.find(b">", body) + 1
    end = page.find(ARTICLE_END, start)
    body_end = page.rfind(BODY_END)
    if (mark < 0 or body < 0 or end < 0 or body_end < end or not page.startswith(ARTICLE_START, start)
            or page.find(ARTICLE_START, start + 1, end) >= 0 or page.find(PAGEFIND_ATTRIBUTE, body_open, start) >= 0
            or page.find(PAGEFIND_ATTRIBUTE, end, body_end) >= 0):  # searched in place: no copy of the page
        return None
    end += len(ARTICLE_END)
    return page[:body_open] + _emptied_tables(_emptied_schedules(page[start:end])) + page[body_end:]


def _emptied_schedules(article: bytes) -> bytes:
    """``article`` with each schedule drawing emptied (its ``<svg ...>`` and ``</svg>`` kept), unless what is
    inside holds another ``<svg`` (the first ``</svg>`` would not be its own) or a ``data-pagefind`` attribute."""
    def schedule(at: int) -> tuple[int, bytes] | None:
        svg = article.find(b">", at + len(SCHEDULE_START)) + 1
        after_name = svg + len(b"<svg")
        if not svg or not article.startswith(b"<svg", svg) or _word_byte(article, after_name):
            return None
        inside = article.find(b">", after_name) + 1
        close = article.find(b"</svg>", inside) if inside else -1
        if close < 0:
            return None
        end = close + len(b"</svg>")
        if article.find(b"<svg", inside, close) >= 0 or article.find(PAGEFIND_ATTRIBUTE, inside, close) >= 0:
            return end, article[at:end]
        return end, article[at:inside] + b"</svg>"

    return _each_part(article, SCHEDULE_START, schedule)


def _emptied_tables(article: bytes) -> bytes:
    """``article`` with the header and rows of each dose table emptied (_emptied_table)."""
    def dose_table(at: int) -> tuple[int, bytes] | None:
        table = article.find(b">", at + len(DOSE_TABLE_START)) + 1
        while table and table < len(article) and article[table] in ASCII_SPACE:
            table += 1
        if not table or not article.startswith(b"<table>", table):
            return None
        close = article.find(b"</table>", table + len(b"<table>"))
        if close < 0:
            return None
        end = close + len(b"</table>")
        return end, _emptied_table(article[at:end])

    return _each_part(article, DOSE_TABLE_START, dose_table)


def _each_part(article: bytes, start: bytes, part: Callable[[int], tuple[int, bytes] | None]) -> bytes:
    """``article`` with each part that begins with the literal ``start`` replaced, found left to right as a
    pattern finds its matches: ``part(at)`` gives where the part that begins at ``at`` ends and what takes its
    place, or None when none begins there (the search goes on from the next byte)."""
    kept: list[bytes] = []
    last = 0
    at = article.find(start)
    while at >= 0:
        found = part(at)
        resume = at + 1
        if found is not None:
            end, replacement = found
            kept += (article[last:at], replacement)
            last = resume = end
        at = article.find(start, resume)
    kept.append(article[last:])
    return b"".join(kept)


def _word_byte(data: bytes, index: int) -> bool:
    """Whether ``data[index]`` is a word character of a bytes pattern's ``\\b`` (ASCII letter, digit or _)."""
    return index < len(data) and (data[index:index + 1].isalnum() or data[index] == ord("_"))


def _emptied_part(match: re.Match[bytes]) -> bytes:
    """A table's header or rows without what is inside, unless that holds another table (the match would
    not end at its own closing tag) or a ``data-pagefind`` attribute."""
    inside = match[3]
    if b"<table" in inside or PAGEFIND_ATTRIBUTE in inside:
        return match[0]
    return match[1] + match[4]


def _emptied_table(table: bytes) -> bytes:
    """A dose table with its header and rows emptied, unless it holds another table (the first ``</table>``
    would not be its own) or a ``data-pagefind`` attribute."""
    if table.count(b"<table") > 1 or PAGEFIND_ATTRIBUTE in table:
        return table
    return DOSE_TABLE_PART.sub(_emptied_part, table)


def _run_pagefind(command: list[str], timeout: float) -> None:
    try:
        finished = subprocess.run(command, capture_output=True, timeout=timeout, check=False, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise SearchIndexError(
            f"the search index was not built: Pagefind ran for more than {timeout:g} s and was stopped"
        ) from None
    except OSError as error:
        raise SearchIndexError(
            f"the search index was not built: Pagefind ({command[0]}) could not be started "
            f"({error.strerror or error}); reinstall the generator's dependencies (make deps)"
        ) from None
    if finished.returncode != 0:
        said = _output_text(finished.stderr) or _output_text(finished.stdout) or "no message"
        how = (f"was stopped by signal {signal.Signals(-finished.returncode).name}" if finished.returncode < 0
               else f"exited with status {finished.returncode}")
        raise SearchIndexError(f"the search index was not built: Pagefind {how}: {said}")


def _output_text(output: bytes) -> str:
    lines = [line.strip() for line in output.decode("utf-8", errors="replace").splitlines() if line.strip()]
    return " / ".join(lines[-5:])
