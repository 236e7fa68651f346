"""What the theme's templates would otherwise render again for every page: one build's memo of it.

Material writes the whole site navigation into every page. For a page outside the navigation (protocol,
version, diff and drug pages: most pages), that HTML depends on the page only through the URLs the
template's ``url`` filter makes relative to it: no item is active, none is the page itself. So
``navigation_key`` names the page by those relative URLs, and pages with the same key (in practice, the
same folder depth under the same navigation folder) share one rendering. A page in the navigation gets no
key and is rendered in full, as Material does.

The page's contents (``partials/toc.html``) appear twice on a page outside the navigation (the phone's menu,
overrides/partials/pc-page-toc.html, and the right-hand sidebar): ``page_contents`` keeps the last page's
rendering for the second time.

The overrides ask through the ``pc_theme_cache`` template global, which the ``protocols`` plugin replaces
with a new ThemeCache at the start of each build (``on_env``): nothing outlives a build.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

NavigationKey = tuple[str, ...]


class ThemeCache:
    """One build's memo of theme HTML shared between pages (see the module's docstring)."""

    def __init__(self, relative_url: Callable[[str, Any], str]) -> None:
        self._relative_url = relative_url  # mkdocs.utils.normalize_url: what the template's url filter calls
        self._navigation: dict[NavigationKey, str] = {}
        self._contents_page: object = None
        self._contents = ""
        self._texts: dict[tuple[str, str], str] = {}

    def navigation_key(self, nav: Any, page: Any) -> NavigationKey | None:
        """The relative URL of every navigation item as the url filter writes it on ``page``; None for a
        page in the navigation (or no page: the 404 page), whose navigation is its own."""
        if page is None or page in nav.pages:
            return None
        return tuple(self._relative_url(url, page) for url in _item_urls(nav.items))

    def navigation(self, key: NavigationKey | None) -> str | None:
        """The navigation items' HTML rendered for a page of this key, if one was."""
        return None if key is None else self._navigation.get(key)

    def keep_navigation(self, key: NavigationKey | None, html: str) -> str:
        """Remember ``html`` for the pages of ``key`` (unless None) and return it."""
        if key is not None:
            self._navigation[key] = html
        return html

    def page_contents(self, page: Any) -> str | None:
        """The contents HTML already rendered for ``page`` (the page being built), if it was."""
        return self._contents if page is not None and page is self._contents_page else None

    def keep_page_contents(self, page: Any, html: str) -> str:
        """Remember ``html`` as ``page``'s contents (forgetting the previous page's) and return it."""
        self._contents_page, self._contents = page, html
        return html

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


def _item_urls(items: list[Any]) -> Iterator[str]:
    """The URL of every page and link of the navigation, depth first (sections have none)."""
    for item in items:
        url = getattr(item, "url", None)
        if url is not None:
            yield str(url)
        if item.children:
            yield from _item_urls(item.children)
