"""The render side of §5: author Markdown in, safe Markdown for MkDocs out.

`render_markdown(text, page)` replaces placeholders, unwraps verbatim text, numbers citations per page
(`CitationCounter`, shared by every field of one page, in page order), turns cross-references into
relative links, and neutralises raw HTML, attribute lists and unsafe link schemes (which `protocols
check` refuses anyway, P501). `SiteLinks` resolves cross-references against what one site publishes;
the xrefs check (P303) uses the same resolver, so a link that checks is a link that renders.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

from generator.inline import (
    GENERATED_SECTIONS,
    Citation,
    CrossReference,
    Placeholder,
    PlaceholderError,
    Span,
    Verbatim,
    code_ranges,
    code_spans,
    inside,
    link_destinations,
    render_placeholder,
    scanned,
    tokenize,
    unsafe_scheme,
)
from generator.page_fragments import PageFragments, relative
from generator.prose import RAW_HTML


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


_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]])")


@lru_cache(maxsize=4096)  # placeholder values and link titles recur on every version of a protocol
def escape_markdown(text: str) -> str:
    """Plain text as Markdown that shows exactly this text."""
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MARKDOWN_SPECIALS.sub(r"\\\1", escaped)


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


def _relative(from_page: str, target: LinkTarget) -> str:
    anchor = f"#{target.anchor}" if target.anchor else ""
    if not target.path or target.path == from_page:
        return anchor or "#"
    return relative(from_page, target.path) + anchor


def _render_token(token: Any, page: PageContext) -> str:
    if isinstance(token, Verbatim):
        return escape_markdown(token.text)
    if isinstance(token, Placeholder):
        if token.error or page.doc is None:
            return escape_markdown(token.raw)
        try:
            drugs = page.links.library.drugs
            return escape_markdown(render_placeholder(page.doc, token.target, token.field, drugs))
        except PlaceholderError:
            return escape_markdown(token.raw)
    if isinstance(token, Citation):
        known = [key.id for key in token.keys if key.id in page.links.library.references]
        if token.error or len(known) != len(token.keys):
            return escape_markdown(token.raw)
        return _citation_html(known, page)
    try:
        target = page.links.resolve(token, page.doc)
        if not target.path and page.doc_page:
            target = replace(target, path=page.doc_page)
    except LinkError:
        return escape_markdown(token.label or token.raw)
    if page.fragments is not None and target.path:
        destination = page.fragments.text(lambda path: _relative(path, target))
    else:
        destination = _relative(page.path, target)
    return f"[{escape_markdown(token.label or target.text)}]({destination})"


def _neutralise(text: str, start: int, end: int, code: Sequence[Span], links: Sequence[Span]) -> str:
    """Author Markdown between tokens, with raw HTML, attribute lists and unsafe link URLs defused
    (`links`: link_destinations(text))."""
    replacements: list[tuple[int, int, str]] = []
    for url_start, url_end in links:
        if start <= url_start < end and unsafe_scheme(text[url_start:url_end]):
            replacements.append((url_start, min(url_end, end), "#"))
    for match in RAW_HTML.finditer(text, start, end):
        replacements.append((match.start(), match.start() + 1, "&lt;"))
    # Every "{" of author text, not only those ATTRIBUTE_LIST finds: a group can be completed by a token's
    # rendered text ("{ {{ a.dose }} onclick=x}"), which a scan of one stretch between tokens cannot see.
    brace = text.find("{", start, end)
    while brace != -1:
        replacements.append((brace, brace + 1, "\\{"))
        brace = text.find("{", brace + 1, end)
    out, position = [], start
    for rep_start, rep_end, new in sorted(replacements):
        if rep_start < position or any(a <= rep_start < b for a, b in code):
            continue
        out += [text[position:rep_start], new]
        position = rep_end
    out.append(text[position:end])
    return "".join(out)


def _split(text: str) -> tuple[tuple[Any, ...], tuple[str, ...]]:
    """A text's tokens and the author Markdown around them, neutralised: what does not depend on the page
    (len(stretches) == len(tokens) + 1)."""
    code = scanned(text, code_spans)
    links = link_destinations(text)
    tokens = tuple(tokenize(text))
    stretches, position = [], 0
    for token in tokens:
        stretches.append(_neutralise(text, position, token.start, code, links))
        position = token.end
    stretches.append(_neutralise(text, position, len(text), code, links))
    return tokens, tuple(stretches)


def render_markdown(text: str, page: PageContext) -> str:
    """Author Markdown of one field -> Markdown for the page (never evaluated as a template)."""
    tokens, stretches = scanned(text, _split)  # once per text within inline.shared_scans (a site build)
    out = [stretches[0]]
    for token, stretch in zip(tokens, stretches[1:], strict=True):
        out += [_render_token(token, page), stretch]
    return scanned("".join(out), _defuse_unsafe_links)


def _defuse_unsafe_links(markdown: str) -> str:
    """Unsafe link URLs of the finished Markdown: verbatim text can complete one ("[x]({{ "javascript:.." }})")."""
    code = code_ranges(markdown)
    unsafe = [(start, end) for start, end in link_destinations(markdown)
              if not inside(start, code) and unsafe_scheme(markdown[start:end])]
    for start, end in reversed(unsafe):
        markdown = markdown[:start] + "#" + markdown[end:]
    return markdown
