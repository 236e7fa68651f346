"""What the theme's templates would otherwise render again for every page: one build's memo of it.

Material writes the whole site navigation into every page. For a page outside the navigation (protocol,
version, diff and drug pages: most pages), that HTML depends on the page only through the URLs the
template's ``url`` filter makes relative to it: no item is active, none is the page itself. So
``navigation_key`` names the page by those relative URLs, and pages with the same key (in practice, the
same folder depth under the same navigation folder) share one rendering. A page in the navigation gets no
key and is rendered in full, as Material does.

The page's contents (``partials/toc.html``) appear twice on a page outside the navigation (the phone's menu,
overrides/partials/pc-page-toc.html, and the right-hand sidebar): ``page_contents`` keeps the last page's
rendering for the second time, and ``contents_html`` writes them without the template where it can.

Other parts read nothing of the page but the links they write (``part``/``keep_part``, keyed by what the
template reads: the header around the page's title, Material's styles and config blocks), and Material's
translation macro builds its whole table of texts for each text (``translator`` keeps each text). The
``pc_nowrap`` filter (``kept_together``) wraps each distinct text once: the site name, the disclaimer and the
contents labels recur on every page.

The overrides ask through the ``pc_theme_cache`` template global, which the ``protocols`` plugin replaces
with a new ThemeCache at the start of each build (``on_env``): nothing outlives a build.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Hashable, Iterable, Iterator
from typing import Any

from jinja2 import Undefined
from mkdocs.structure.toc import TableOfContents

from generator.render.nowrap import keep_together
from generator.site.contents_html import contents_html

NavigationKey = tuple[str, ...]


class ThemeCache:
    """One build's memo of theme HTML shared between pages (see the module's docstring)."""

    def __init__(self, relative_url: Callable[[str, Any], str]) -> None:
        self._relative_url = relative_url  # mkdocs.utils.normalize_url: what the template's url filter calls
        self._navigation: dict[NavigationKey, str] = {}
        self._parts: dict[tuple[str, Hashable], str] = {}
        self._nav: object = None  # the navigation the keys below were worked out for
        self._folder_starts: set[tuple[str, ...]] = set()
        self._keys: dict[tuple[int, tuple[str, ...]], NavigationKey] = {}
        self._contents_page: object = None
        self._contents = ""
        self._texts: dict[tuple[str, str], str] = {}
        self._kept: dict[tuple[type, str], str] = {}

    def navigation_key(self, nav: Any, page: Any) -> NavigationKey | None:
        """The relative URL of every navigation item as the url filter writes it on ``page``; None for a
        page in the navigation (or no page: the 404 page), whose navigation is its own.

        A relative URL depends on the page only through its folder's depth and how much of the folder it
        shares with the item's (mkdocs.utils.get_relative_url), so the URLs are worked out once per depth
        and longest start of the folder that starts an item's folder too."""
        if page is None or page in nav.pages:
            return None
        if nav is not self._nav:
            self._nav, self._folder_starts, self._keys = nav, _folder_starts(_item_urls(nav.items)), {}
        folder = _folder_parts(str(page.url))
        shared = next(size for size in range(len(folder), -1, -1) if tuple(folder[:size]) in self._folder_starts)
        short = (len(folder), tuple(folder[:shared]))
        key = self._keys.get(short)
        if key is None:
            key = self._keys[short] = tuple(self._relative_url(url, page) for url in _item_urls(nav.items))
        return key

    def navigation(self, key: NavigationKey | None) -> str | None:
        """The navigation items' HTML rendered for a page of this key, if one was."""
        return None if key is None else self._navigation.get(key)

    def keep_navigation(self, key: NavigationKey | None, html: str) -> str:
        """Remember ``html`` for the pages of ``key`` (unless None) and return it."""
        if key is not None:
            self._navigation[key] = html
        return html

    def part(self, name: str, key: Hashable | None) -> str | None:
        """The HTML of the template part ``name`` rendered for ``key`` (what the part reads of the page: the
        links it writes), if it was; None for a None key."""
        return None if key is None else self._parts.get((name, key))

    def keep_part(self, name: str, key: Hashable | None, html: str) -> str:
        """Remember ``html`` as part ``name`` for ``key`` (unless None) and return it."""
        if key is not None:
            self._parts[(name, key)] = html
        return html

    @staticmethod
    def under_assets(paths: Iterable[object]) -> bool:
        """Whether every path (``extra_javascript``) is under the site's assets/ folder: then its link on a
        page depends only on the page's depth, as those of Material's own assets do."""
        return all(str(path).startswith("assets/") for path in paths)

    def page_contents(self, page: Any) -> str | None:
        """The contents HTML already rendered for ``page`` (the page being built), if it was."""
        return self._contents if page is not None and page is self._contents_page else None

    def contents_html(self, page: Any, title: object, configured: object) -> str | None:
        """``page``'s contents written in Python (generator/site/contents_html.py) and kept as
        ``keep_page_contents`` keeps them; None where the template must render them."""
        toc = None if isinstance(page, Undefined) else getattr(page, "toc", None)  # None on the 404 page
        if not isinstance(toc, TableOfContents):
            return None
        html = contents_html(toc, title, configured, self.kept_together)
        return None if html is None else self.keep_page_contents(page, html)

    def keep_page_contents(self, page: Any, html: str) -> str:
        """Remember ``html`` as ``page``'s contents (forgetting the previous page's) and return it."""
        self._contents_page, self._contents = page, html
        return html

    def kept_together(self, value: object) -> object:
        """The ``pc_nowrap`` filter: a text (or a site's HTML, such as its copyright) wrapped as a body is
        (generator.render.nowrap.keep_together); anything else (undefined on the 404 page, None) as Jinja
        would write it. Keyed by type too: a Markup and a str of the same text stay apart."""
        if not isinstance(value, str):
            return value
        key = (type(value), value)
        kept = self._kept.get(key)
        if kept is None:
            kept = self._kept[key] = keep_together(value)
        return kept

    def translator(
        self, language: object, lookup: Callable[[str], Any], fallback: Callable[[str], Any]
    ) -> Callable[[str], str]:
        """Material's ``t(key)`` of partials/language.html: the text of ``key`` in the theme's language
        (``lookup``), else in English (``fallback``), else the key itself; each looked up once a build."""

        def t(key: str) -> str:
            text = self._texts.get((str(language), key))
            if text is None:
                text = self._texts[(str(language), key)] = str(lookup(key) or fallback(key) or key)
            return text

        return t


def _folder_parts(url: str) -> list[str]:
    """The folder of a page's URL as mkdocs.utils.get_relative_url splits it (a last part with a dot is
    a file name)."""
    folder, _, name = url.rpartition("/")
    path = posixpath.normpath("/" + (folder if "." in name else url))[1:]
    return path.split("/") if path else []


def _folder_starts(urls: Iterator[str]) -> set[tuple[str, ...]]:
    """Every start of every URL's path parts, with any leading "../" and "./" left out too (a superset of
    what get_relative_url compares: more starts only make more keys)."""
    starts: set[tuple[str, ...]] = {()}
    for url in urls:
        split = url.split("/")
        for parts in (split, [part for part in split if part not in ("", ".", "..")],
                      posixpath.normpath("/" + url)[1:].split("/")):
            starts.update(tuple(parts[:size]) for size in range(len(parts) + 1))
    return starts


def _item_urls(items: list[Any]) -> Iterator[str]:
    """The URL of every page and link of the navigation, depth first (sections have none)."""
    for item in items:
        url = getattr(item, "url", None)
        if url is not None:
            yield str(url)
        if item.children:
            yield from _item_urls(item.children)
