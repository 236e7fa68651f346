"""The render side of §5: author Markdown in, sanitized HTML for the page out.

`render_markdown(text, page)` renders the parse the rules judged (`generator.markdown`): placeholders
replaced, verbatim text shown as written, citations numbered per page (`CitationCounter`, shared by
every field of one page, in page order), cross-references as relative links. Raw HTML is shown as
text, a link keeps its destination only when it is http(s) or mailto, an image only from
protocols/_assets/ (copied into the site); `protocols check` refuses the rest anyway (P501, P305,
P503), and the result passes the sanitizer (`generator.sanitize`) whatever the parse held.
`SiteLinks` resolves cross-references against what one site publishes; the xrefs check (P303) uses
the same resolver, so a link that checks is a link that renders.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace
from typing import Any

from markdown_it.common.normalize_url import normalizeLink
from markdown_it.common.utils import escapeHtml
from markdown_it.token import Token

from generator import markdown
from generator.inline import (
    GENERATED_SECTIONS,
    CrossReference,
    PlaceholderError,
    render_placeholder,
)
from generator.markdown import PARSER
from generator.markdown_rules import asset_name, safe_destination
from generator.page_fragments import PageFragments, relative
from generator.sanitize import inert_for_markdown, sanitize

ASSETS_FOLDER = "assets/protocol-files/"  # where the site copies protocols/_assets/ (`site.py`)


@dataclass(frozen=True)
class LinkTarget:
    path: str  # page path in the pages dict, e.g. "protocols/ketamine-trd/index.md"
    anchor: str  # section id, "" for the top of the page
    text: str  # default link text: the target's title, ": " and the section's title when there is one


class LinkError(ValueError):
    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


def _section_title(doc: Any, section: str) -> str | None:
    if section in GENERATED_SECTIONS:
        return GENERATED_SECTIONS[section]
    return next((s.title for s in doc.sections if s.id == section), None)


def _known_sections(doc: Any) -> str:
    own = [s.id for s in doc.sections]
    return ("sections: " + ", ".join(own) + "; " if own else "") + "generated: " + ", ".join(GENERATED_SECTIONS)


class SiteLinks:
    """Cross-reference targets of one site (clinician or reviewer) on one build date.

    `publication` is the render layer's `generator.render.publication.Publication` (any object with
    `reviewer`, `protocols[id].canonical.file` and `protocols[id].by_version[version].file`).
    A link without @version goes to the protocol's canonical page, so its #section must exist in the
    version that page shows; a link with @version goes to that version's permanent page.
    """

    def __init__(self, library: Any, publication: Any) -> None:
        self.library = library
        self.publication = publication

    @classmethod
    def for_build(cls, library: Any, as_of: dt.date, reviewer: bool) -> SiteLinks:
        from generator.render.publication import publication  # the render package imports this module

        return cls(library, publication(library, as_of, reviewer))

    def resolve(self, xref: CrossReference, source_doc: Any | None) -> LinkTarget:
        """Where `xref`, written in `source_doc` (None outside a version), leads; LinkError (P303) if nowhere."""
        if xref.error:
            raise LinkError(xref.error, "write [[protocol-id]], [[protocol-id#section]], [[protocol-id@1.0#section]] "
                            "or [[#section]], optionally with |label text")
        if not xref.protocol:
            if source_doc is None:
                raise LinkError(f"cross-reference {xref.raw}: a #section link needs a protocol page",
                                "write [[protocol-id#section]]")
            return self._section_target("", source_doc, xref.section, "", xref.raw)
        protocol = self.library.protocols.get(xref.protocol)
        if protocol is None:
            known = ", ".join(sorted(self.library.protocols)) or "none"
            raise LinkError(f'cross-reference {xref.raw}: no protocol "{xref.protocol}" in this library',
                            f"use a protocol id (its folder name): {known}")
        info = self.publication.protocols.get(xref.protocol)
        site = "the reviewer site" if self.publication.reviewer else "the clinician site"
        if xref.version:
            if xref.version not in protocol.versions and xref.version not in protocol.invalid_versions:
                known = ", ".join(protocol.versions) or "none"
                raise LinkError(f"cross-reference {xref.raw}: {xref.protocol} has no version {xref.version}",
                                f"versions of {xref.protocol}: {known}")
            version_info = info.by_version.get(xref.version) if info is not None else None
            if version_info is None:
                status = protocol.versions[xref.version].doc.status if xref.version in protocol.versions else "invalid"
                raise LinkError(f"cross-reference {xref.raw}: version {xref.version} of {xref.protocol} is {status}, "
                                f"not published on {site}",
                                "link to an approved or retired version, or to the protocol without @version")
            doc, path = version_info.file.doc, f"protocols/{xref.protocol}/{xref.version}/index.md"
            title = f"{doc.title} (version {xref.version})"
        else:
            if info is None or info.canonical is None:
                raise LinkError(f"cross-reference {xref.raw}: {xref.protocol} has no version published on {site}",
                                f"approve a version of {xref.protocol} first, or remove the link")
            doc, path = info.canonical.file.doc, f"protocols/{xref.protocol}/index.md"
            title = doc.title
        if not xref.section:
            return LinkTarget(path, "", title)
        return self._section_target(path, doc, xref.section, title, xref.raw)

    @staticmethod
    def _section_target(path: str, doc: Any, section: str, title: str, raw: str) -> LinkTarget:
        section_title = _section_title(doc, section)
        if section_title is None:
            raise LinkError(f'cross-reference {raw}: no section "{section}" in {doc.id} {doc.version}',
                            _known_sections(doc))
        return LinkTarget(path, section, f"{title}: {section_title}" if title else section_title)


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
    # set when the text is rendered once for several pages: links to other pages are left to it
    fragments: PageFragments | None = None


def _citation_html(reference_ids: list[str], page: PageContext) -> str:
    links = [
        f'<a href="#ref-{ref}">{page.citations.number(ref)}</a>'
        for ref in reference_ids
    ]
    return '<sup class="citation">' + ",".join(links) + "</sup>"


def render_cite_list(reference_ids: list[str], page: PageContext) -> str:
    """A structured `cite:` list as superscript citation numbers, numbered with the page's prose."""
    known = [ref for ref in reference_ids if ref in page.links.library.references]
    return _citation_html(known, page) if known else ""


def page_url(from_page: str, to_page: str) -> str:
    """The relative URL of a page (a path of the pages dict, always `.../index.md`) from another, as the
    site serves it with directory URLs: raw HTML is not rewritten by MkDocs."""
    link = relative(from_page, to_page)
    if link.endswith("index.md"):
        link = link[: -len("index.md")] or "./"
    return link


def _url(from_page: str, target: LinkTarget) -> str:
    anchor = f"#{target.anchor}" if target.anchor else ""
    if not target.path or target.path == from_page:
        return anchor or "#"
    return page_url(from_page, target.path) + anchor


@dataclass
class _Render:
    """The page and what one render leaves to fill after sanitizing (page fragments' markers)."""

    page: PageContext
    deferred: list[str] = field(default_factory=list)

    def href(self, target: LinkTarget) -> str:
        if self.page.fragments is not None and target.path:
            return self.defer(lambda path: _url(path, target))
        return _url(self.page.path, target)

    def defer(self, fragment: Any) -> str:
        """A page-dependent URL, left to the page fragments; a stand-in the sanitizer keeps until then."""
        assert self.page.fragments is not None
        self.deferred.append(self.page.fragments.text(fragment))
        return f"#pc-fragment-{len(self.deferred) - 1}"


def _placeholder(token: Token, render: _Render) -> str:
    syntax, page = token.meta["syntax"], render.page
    if syntax.error or page.doc is None:
        return escapeHtml(syntax.raw)
    try:
        return escapeHtml(render_placeholder(page.doc, syntax.target, syntax.field, page.links.library.drugs))
    except PlaceholderError:
        return escapeHtml(syntax.raw)


def _citation(token: Token, render: _Render) -> str:
    syntax, page = token.meta["syntax"], render.page
    known = [key.id for key in syntax.keys if key.id in page.links.library.references]
    if syntax.error or len(known) != len(syntax.keys):
        return escapeHtml(syntax.raw)
    return _citation_html(known, page)


def _cross_reference(token: Token, render: _Render) -> str:
    syntax: CrossReference = token.meta["syntax"]
    page = render.page
    try:
        target = page.links.resolve(syntax, page.doc)
        if not target.path and page.doc_page:
            target = replace(target, path=page.doc_page)
    except LinkError:
        return escapeHtml(syntax.label or syntax.raw)
    return f'<a href="{escapeHtml(render.href(target))}">{escapeHtml(syntax.label or target.text)}</a>'


def _link_open(token: Token, render: _Render) -> str:
    url = str(token.attrs.get("href", ""))
    attributes = f' href="{escapeHtml(normalizeLink(url))}"' if safe_destination(url) else ""
    if token.attrs.get("title"):
        attributes += f' title="{escapeHtml(str(token.attrs["title"]))}"'
    return f"<a{attributes}>"


def _image(tokens: list[Token], index: int, options: Any, env: Any) -> str:
    token, render = tokens[index], env["render"]
    alt = escapeHtml(PARSER.renderer.renderInlineAsText(token.children or [], options, env))
    name = asset_name(str(token.attrs.get("src", "")))
    if name is None:
        return alt  # never an image from outside the site (P503)

    def src(page: str) -> str:
        return normalizeLink(page_url(page, "index.md").removeprefix("./") + ASSETS_FOLDER + name)

    shown = render.defer(src) if render.page.fragments is not None else src(render.page.path)
    return f'<img src="{escapeHtml(shown)}" alt="{alt}">'


def _rule(function: Any) -> Any:
    return lambda tokens, index, options, env: function(tokens[index], env["render"])


def _add_rules() -> None:
    rules = PARSER.renderer.rules
    rules["pc_placeholder"] = _rule(_placeholder)
    rules["pc_verbatim"] = _rule(lambda token, _r: escapeHtml(token.meta["syntax"].text))
    rules["pc_citation"] = _rule(_citation)
    rules["pc_xref"] = _rule(_cross_reference)
    rules["link_open"] = _rule(_link_open)
    rules["image"] = _image
    rules["text_special"] = _rule(lambda token, _r: escapeHtml(token.content))
    # raw HTML is shown as the text it is (and refused by P501)
    rules["html_inline"] = _rule(lambda token, _r: escapeHtml(token.content))
    rules["html_block"] = _rule(lambda token, _r: f"<p>{escapeHtml(token.content.strip())}</p>\n")


_add_rules()
_FRAGMENT_URL = re.compile(r'(href|src)="#pc-fragment-([0-9]+)"')


def render_markdown(text: str, page: PageContext) -> str:
    """Author Markdown of one field -> sanitized HTML for the page (never evaluated as a template): block
    HTML, so that MkDocs places it as it is, with a blank line before and after."""
    parsed = markdown.parsed(text)  # the last texts' parses are kept: a version's text is rendered for a few pages
    render = _Render(page)
    html = PARSER.renderer.render(parsed.tokens, PARSER.options, {"render": render})
    html = inert_for_markdown(sanitize(html)).strip()
    if render.deferred:
        html = _FRAGMENT_URL.sub(
            lambda match: f'{match.group(1)}="{render.deferred[int(match.group(2))]}"'
            if int(match.group(2)) < len(render.deferred) else f'{match.group(1)}="#"', html)
    return html


_LONE_PARAGRAPH = re.compile(r"<p>((?:(?!</?p>).)*)</p>", re.S)


def unwrap_paragraph(html: str) -> str:
    """The content of a rendered text that is one paragraph (a list item's text); other HTML as it is."""
    match = _LONE_PARAGRAPH.fullmatch(html)
    return match.group(1) if match else html
