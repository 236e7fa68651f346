"""The render side of §5: author Markdown in, sanitized HTML for the page out.

`render_markdown(text, page)` renders the parse the rules judged (`generator.text.markdown`). `template(text)`
is the page-independent part, made once per text: markdown-it's HTML with raw HTML shown as text, a
link's destination kept only when it is http(s) or mailto, an image only from protocols/_assets/ (copied
into the site), verbatim text as written; what depends on the page is left as stand-ins and filled per
page in text order: placeholders (the version's data), citations (numbered per page by first use,
`CitationCounter`), cross-references (root-relative links), image URLs. `protocols check` refuses what the
renderer drops anyway (P501, P305, P503), and the result passes the sanitizer (`generator.text.sanitize`)
whatever the parse held. Cross-references resolve with
`generator.approvals.site_links.SiteLinks`, the resolver the xrefs check (P303) uses, so a link that checks
is a link that renders.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

from markdown_it.common.normalize_url import normalizeLink
from markdown_it.common.utils import escapeHtml
from markdown_it.token import Token

from generator.approvals.site_links import LinkError, LinkTarget, SiteLinks
from generator.text import markdown
from generator.text.inline import (
    Citation,
    CrossReference,
    Placeholder,
    PlaceholderError,
    anchor,
    forget_syntax,
    render_placeholder,
)
from generator.text.markdown import PARSER
from generator.text.markdown_rules import asset_name, safe_destination
from generator.text.sanitize import sanitize

ASSETS_FOLDER = "assets/protocol-files/"  # where the site copies protocols/_assets/ (`site.py`)


@dataclass
class CitationCounter:
    """Citation numbers of one page: a reference gets the next number at its first use."""

    numbers: dict[str, int] = field(default_factory=dict)

    def number(self, reference_id: str) -> int:
        return self.numbers.setdefault(reference_id, len(self.numbers) + 1)

    def ordered(self) -> list[str]:
        """Reference ids in number order: the page's reference list."""
        return list(self.numbers)


@dataclass
class PageContext:
    """One page being rendered: its path in the pages dict, the version whose placeholders and
    [[#section]] links resolve (None on pages without one), the site's links, the page's citations."""

    path: str
    links: SiteLinks
    doc: Any | None = None
    citations: CitationCounter = field(default_factory=CitationCounter)
    # where `doc`'s own sections are, when not on this page (the history page shows every version's
    # changes): [[#section]] links there
    doc_page: str = ""


def _citation_html(reference_ids: list[str], page: PageContext) -> str:
    links = [
        f'<a href="#{anchor("reference", ref)}">{page.citations.number(ref)}</a>'
        for ref in reference_ids
    ]
    return '<sup class="citation">' + ",".join(links) + "</sup>"


def render_cite_list(reference_ids: list[str], page: PageContext) -> str:
    """A structured `cite:` list as superscript citation numbers, numbered with the page's prose."""
    known = [ref for ref in reference_ids if ref in page.links.library.references]
    return _citation_html(known, page) if known else ""


def _url(target: LinkTarget) -> str:
    """A cross-reference's URL: its bare anchor within the text's own page, else root-relative (made
    relative for each page that shows the text by generator.render.page_links)."""
    anchor = f"#{target.anchor}" if target.anchor else ""
    if not target.path:
        return anchor or "#"
    return f"/{target.path}{anchor}"


@dataclass
class _Render:
    """The page and the URLs one render writes after sanitizing (the sanitizer drops a root-relative image
    source, so URLs stand as "#pc-url-<n>" until then)."""

    page: PageContext
    deferred: list[str] = field(default_factory=list)

    def href(self, target: LinkTarget) -> str:
        return self.defer(_url(target)) if target.path else _url(target)

    def defer(self, url: str) -> str:
        self.deferred.append(url)
        return f"#pc-url-{len(self.deferred) - 1}"


def _placeholder(syntax: Any, render: _Render) -> str:
    page = render.page
    if syntax.error or page.doc is None:
        return escapeHtml(syntax.raw)
    try:
        return escapeHtml(render_placeholder(page.doc, syntax.target, syntax.field, page.links.library.drugs))
    except PlaceholderError:
        return escapeHtml(syntax.raw)


def _citation(syntax: Any, render: _Render) -> str:
    page = render.page
    known = [key.id for key in syntax.keys if key.id in page.links.library.references]
    if syntax.error or len(known) != len(syntax.keys):
        return escapeHtml(syntax.raw)
    return _citation_html(known, page)


def _cross_reference(syntax: CrossReference, render: _Render) -> str:
    page = render.page
    try:
        target = page.links.resolve(syntax, page.doc)
        if not target.path and page.doc_page:
            target = replace(target, path=page.doc_page)
    except LinkError:
        return escapeHtml(syntax.label or syntax.raw)
    return f'<a href="{escapeHtml(render.href(target))}">{escapeHtml(syntax.label or target.text)}</a>'


def _link_open(tokens: list[Token], index: int, options: Any, env: Any) -> str:
    token = tokens[index]
    url = str(token.attrs.get("href", ""))
    attributes = f' href="{escapeHtml(normalizeLink(url))}"' if safe_destination(url) else ""
    if token.attrs.get("title"):
        attributes += f' title="{escapeHtml(str(token.attrs["title"]))}"'
    return f"<a{attributes}>"


@dataclass(frozen=True)
class Image:
    name: str  # under protocols/_assets/
    alt: str  # escaped


def _image(tokens: list[Token], index: int, options: Any, env: Any) -> str:
    token = tokens[index]
    alt = escapeHtml(PARSER.renderer.renderInlineAsText(token.children or [], options, env))
    name = asset_name(str(token.attrs.get("src", "")))
    if name is None:
        return alt  # never an image from outside the site (P503)
    return _stand_in(env, Image(name, alt))


def _image_html(image: Image, render: _Render) -> str:
    src = render.defer("/" + normalizeLink(ASSETS_FOLDER + image.name))
    return f'<img src="{src}" alt="{image.alt}">'


def _stand_in(env: Any, piece: Any) -> str:
    """What depends on the page (a placeholder's value, a citation's number, a link's URL) is left as a
    stand-in "\\x00<n>\\x00": no author text can hold one (the parser turns NUL into U+FFFD)."""
    env["pieces"].append(piece)
    return f"\x00{len(env['pieces']) - 1}\x00"


def _syntax_rule(tokens: list[Token], index: int, options: Any, env: Any) -> str:
    return _stand_in(env, env["parsed"].syntax_of(tokens[index]))  # the objects inline.tokenize shares


def _add_rules() -> None:
    rules = PARSER.renderer.rules
    for token_type in ("pc_placeholder", "pc_citation", "pc_xref"):
        rules[token_type] = _syntax_rule
    rules["pc_verbatim"] = lambda tokens, index, options, env: escapeHtml(tokens[index].meta["syntax"].text)
    rules["link_open"] = _link_open
    rules["image"] = _image
    rules["text_special"] = lambda tokens, index, options, env: escapeHtml(tokens[index].content)
    # raw HTML is shown as the text it is (and refused by P501)
    rules["html_inline"] = lambda tokens, index, options, env: escapeHtml(tokens[index].content)
    rules["html_block"] = lambda tokens, index, options, env: f"<p>{escapeHtml(tokens[index].content.strip())}</p>\n"


_add_rules()


@dataclass(frozen=True)
class Template:
    """A text's HTML as markdown-it renders it, with what depends on the page as stand-ins (`pieces`)."""

    html: str
    pieces: tuple[Any, ...]  # Placeholder, Citation, CrossReference or Image, by stand-in number


@lru_cache(maxsize=1 << 15)
def template(text: str) -> Template:
    """The page-independent rendering of one text, from its parse. Kept beyond one run (it is small; the
    parse is not): `protocols build` makes it while checking, where the text is parsed anyway."""
    parsed = markdown.parsed(text)
    env: dict[str, Any] = {"pieces": [], "parsed": parsed}
    html = PARSER.renderer.render(parsed.tokens, PARSER.options, env)
    return Template(html, tuple(env["pieces"]))


def forget_texts() -> None:
    """Drop what is kept of texts beyond one run (templates, syntax, recent parses): called once a site is
    rendered, so that the site engine's memory peak does not carry them."""
    template.cache_clear()
    markdown.parsed.cache_clear()
    forget_syntax()


_PIECES: dict[type, Any] = {Placeholder: _placeholder, Citation: _citation, CrossReference: _cross_reference,
                            Image: _image_html}
_STAND_IN = re.compile("\x00([0-9]+)\x00")
_DEFERRED_URL = re.compile(r'(href|src)="#pc-url-([0-9]+)"')


def render_markdown(text: str, page: PageContext) -> str:
    """Author Markdown of one field -> sanitized HTML for the page (never evaluated as a template): block
    HTML, so that MkDocs places it as it is, with a blank line before and after. The pieces that depend
    on the page are filled in text order (citations are numbered by first use), then all is sanitized."""
    rendered = template(text)
    render = _Render(page)

    def piece(match: re.Match[str]) -> str:
        found = rendered.pieces[int(match.group(1))]
        return str(_PIECES[type(found)](found, render))

    html = _STAND_IN.sub(piece, rendered.html) if rendered.pieces else rendered.html
    html = sanitize(html).strip()
    if render.deferred:
        html = _DEFERRED_URL.sub(
            lambda match: f'{match.group(1)}="{escapeHtml(render.deferred[int(match.group(2))])}"'
            if int(match.group(2)) < len(render.deferred) else f'{match.group(1)}="#"', html)
    return html


_LONE_PARAGRAPH = re.compile(r"<p>((?:(?!</?p>).)*)</p>", re.S)


def unwrap_paragraph(html: str) -> str:
    """The content of a rendered text that is one paragraph (a list item's text); other HTML as it is."""
    match = _LONE_PARAGRAPH.fullmatch(html)
    return match.group(1) if match else html
