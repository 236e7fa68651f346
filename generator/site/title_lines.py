"""Generated pages whose title line Python-Markdown converts once per build, however many pages carry it.

MkDocs converts every page with a new Python-Markdown instance (about 1 ms for a one-line page). A generated
page's Markdown is only its title line (generator/render/html_page.py), and a protocol's canonical page, its
version pages and its diffs carry the same one. ``TitleLinePage.render`` looks the line up in the build's
``TitleLines`` first: what MkDocs' own conversion gave for it (the H1 with its id and permalink, the
contents, the title, the anchors) is reused. Only a conversion that cannot depend on the page is kept: a
single "# " line whose HTML links nowhere but to its own anchors (MkDocs rewrites other links relative to
the page) and has no image; anything else is converted for each page as before.

Most title lines need no conversion at all: with the generator's own Markdown settings (toc with permalinks,
nothing else), a line of letters, digits, single spaces and ``.,:;/-`` becomes
``<h1 id="slug">text<a class="headerlink" href="#slug" title="Permanent link">&para;</a></h1>`` with the
toc extension's own slugify, which ``plain_title_page`` writes directly (tests/site/test_title_lines.py
compares it with Python-Markdown's conversion).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from markdown.extensions.toc import slugify
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import AnchorLink, TableOfContents, get_toc

_LINK_ELSEWHERE = re.compile(r'\shref="(?!#)|\ssrc=|<img')
# A title line Python-Markdown leaves as it is: no escape, entity, emphasis, code, link or HTML; single spaces.
_PLAIN_TITLE = re.compile(r"# (?P<text>[A-Za-z0-9](?:[A-Za-z0-9.,:;/-]| (?=[A-Za-z0-9.,:;/-]))*)\n*")
# The Markdown settings under which plain_title_page writes what Python-Markdown would (MkDocs adds tables
# and fenced_code to every configuration; generator/default_mkdocs.yml names toc).
PLAIN_TITLE_EXTENSIONS = ["toc", "tables", "fenced_code"]
PLAIN_TITLE_CONFIGS = {"toc": {"permalink": True}}
_PAGES_LOG = logging.getLogger("mkdocs.structure.pages")  # whose level decides whether MkDocs keeps anchor links


@dataclass(frozen=True)
class _Conversion:
    content: str
    toc: TableOfContents
    title: str | None
    anchor_ids: frozenset[str]
    own_anchor_links: dict[str, str] | None  # anchor: link, of links to the page itself; None if not recorded


class TitleLines:
    """One build's conversions of title lines, by the line's text."""

    def __init__(self) -> None:
        self._conversions: dict[str, _Conversion] = {}
        self._plain_titles: bool | None = None  # whether the build's Markdown settings are the generator's

    def render(self, page: Page, config: MkDocsConfig, files: Files) -> None:
        """Set ``page``'s content, contents, title and anchors as ``Page.render`` does, converting its
        Markdown only if no page of this build with the same line was converted."""
        text = page.markdown or ""
        if self._plain_titles_allowed(config) and plain_title_page(page, text):
            return
        known = self._conversions.get(text)
        if known is None:
            Page.render(page, config, files)
            self._remember(text, page)
            return
        page.content = known.content
        page.toc = get_toc(_tokens(known.toc))
        page._title_from_render = known.title
        page.present_anchor_ids = set(known.anchor_ids)
        if known.own_anchor_links is not None:
            page.links_to_anchors = {page.file: dict(known.own_anchor_links)} if known.own_anchor_links else {}

    def _plain_titles_allowed(self, config: MkDocsConfig) -> bool:
        if self._plain_titles is None:
            self._plain_titles = (list(config.markdown_extensions) == PLAIN_TITLE_EXTENSIONS
                                  and dict(config.mdx_configs) == PLAIN_TITLE_CONFIGS)
        return self._plain_titles

    def _remember(self, text: str, page: Page) -> None:
        lines = text.strip("\n").split("\n")
        links = page.links_to_anchors
        if (
            len(lines) != 1
            or not lines[0].startswith("# ")
            or page.content is None
            or _LINK_ELSEWHERE.search(page.content)
            or (links is not None and set(links) - {page.file})
        ):
            return
        self._conversions[text] = _Conversion(
            content=page.content,
            toc=page.toc,
            title=page._title_from_render,
            anchor_ids=frozenset(page.present_anchor_ids or ()),
            own_anchor_links=None if links is None else dict(links.get(page.file, {})),
        )


def plain_title_page(page: Page, markdown: str) -> bool:
    """Set ``page``'s content, contents, title and anchors for a plain title line (see the module's
    docstring) as MkDocs' conversion with the generator's settings would; False for any other text."""
    match = _PLAIN_TITLE.fullmatch(markdown)
    if match is None:
        return False
    text = match.group("text")
    anchor = slugify(text, "-")
    page.content = (f'<h1 id="{anchor}">{text}<a class="headerlink" href="#{anchor}" '
                    'title="Permanent link">&para;</a></h1>')
    page.toc = get_toc([{"level": 1, "id": anchor, "name": text, "children": []}])
    page._title_from_render = text
    page.present_anchor_ids = {anchor}
    if _PAGES_LOG.getEffectiveLevel() > logging.DEBUG:
        page.links_to_anchors = {page.file: {anchor: f"#{anchor}"}}
    return True


class TitleLinePage(Page):
    """A generated page converted through the build's TitleLines."""

    def __init__(self, file: File, config: MkDocsConfig, title_lines: TitleLines) -> None:
        super().__init__(None, file, config)
        self._title_lines = title_lines

    def render(self, config: MkDocsConfig, files: Files) -> None:
        if self.markdown is None:
            raise RuntimeError("`markdown` field hasn't been set (via `read_source`)")
        self._title_lines.render(self, config, files)


def _tokens(toc: TableOfContents | list[AnchorLink]) -> list[dict]:
    """The contents as get_toc's tokens, so that each page gets AnchorLinks of its own."""
    return [
        {"level": link.level, "id": link.id, "name": link.title, "children": _tokens(link.children)}
        for link in toc
    ]
