"""Handbook pages `handbooks/<id>/index.md` and their print views `handbooks/<id>/print/index.md`.

The handbook page lists its protocols in the order of handbooks.yaml with the version their canonical
page shows, its state and effective date; a protocol with nothing published on this site is listed by
id, unlinked, as "not yet published" (its draft title is draft content).

The print view holds every protocol of the handbook on one page, each rendered by the protocol page
itself (the protocols family's text of that version, placed on the print page's path: without the version
switcher, the versions list and "Referenced by", which are the protocol pages' navigation) and then made
to share the page:
  - headings go one level down (the handbook title is the page's only H1);
  - every anchor a protocol defines gets the prefix "<protocol-id>_" (an underscore never occurs in an
    id, so two protocols cannot clash), and its in-page links and citations follow;
  - an in-page link to an anchor the print view does not hold (the version list, headings without an
    explicit id) goes to the protocol's own page instead, and a link to another protocol of the
    handbook stays on the print page;
  - each protocol starts on a new printed page (class pc-print-protocol, assets/handbook-print.css);
  - a retired protocol is listed as retired, linked to its page, and not printed: paper that leaves the
    intranet must not carry the doses of a protocol that must not be used.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from generator.approvals.publication import STATE_WORDS, ProtocolInfo, Publication, VersionInfo
from generator.load.library import Library
from generator.model.schema import Handbook
from generator.render import paths
from generator.render.dose_panel import PANEL_ANCHOR
from generator.render.inline_render import page_url
from generator.render.page_prose import page_prose
from generator.render.templates import render_template
from generator.text.inline import code_spans, inside

if TYPE_CHECKING:
    from generator.render.families import SiteContext

NOT_PUBLISHED = "not yet published"
PRINT_CLASS = "pc-print-protocol"

# Anchors of the handbook description's own citations on the print page: "h_" is no protocol's prefix
# (protocol ids have at least two characters).
DESCRIPTION_PREFIX = "h_"

# One protocol page's Markdown for a page path: render_protocol_page with the build's shared arguments.
ProtocolRenderer = Callable[[ProtocolInfo, VersionInfo, str], str]


handbook_print = paths.handbook_print


@dataclass(frozen=True)
class HandbookEntry:
    protocol_id: str
    info: ProtocolInfo | None  # None: nothing published on this site
    shown: VersionInfo | None  # the version the canonical page shows

    @property
    def status(self) -> str:
        if self.info is None or self.shown is None:
            return NOT_PUBLISHED
        return "retired" if self.info.retired else STATE_WORDS[self.shown.state]


def handbook_entries(handbook: Handbook, publication: Publication) -> list[HandbookEntry]:
    entries = []
    for protocol_id in handbook.protocols:
        info = publication.protocols.get(protocol_id)
        shown = info.canonical if info is not None else None
        entries.append(HandbookEntry(protocol_id, info if shown is not None else None, shown))
    return entries


def _printed(entry: HandbookEntry) -> bool:
    """Whether the print view prints the protocol: published and not retired."""
    return entry.info is not None and entry.shown is not None and not entry.info.retired


def _row(entry: HandbookEntry, page: str, print_anchor: bool = False) -> dict[str, Any]:
    if entry.shown is None:
        return {"published": False, "protocol_id": entry.protocol_id, "status": entry.status}
    doc = entry.shown.file.doc
    on_this_page = print_anchor and _printed(entry)
    return {
        "published": True,
        "printed": on_this_page,
        "protocol_id": entry.protocol_id,
        "title": doc.title,
        "link": f"#{entry.protocol_id}" if on_this_page else paths.relative(page, paths.canonical(entry.protocol_id)),
        "version": doc.version,
        "status": entry.status,
        "retired": entry.info is not None and entry.info.retired,
        "effective": doc.effective,
    }


def render_handbook(library: Library, publication: Publication, handbook: Handbook) -> str:
    page = paths.handbook(handbook.id)
    prose = page_prose(library, publication, None, page)
    description_md = prose.markdown(handbook.description) if handbook.description else ""
    return render_template(
        "handbook.md.j2",
        handbook={"id": handbook.id, "title": handbook.title, "description_md": description_md},
        rows=[_row(entry, page) for entry in handbook_entries(handbook, publication)],
        print_link=paths.relative(page, handbook_print(handbook.id)),
        as_of=publication.as_of,
        references=prose.references(),
    )


# --- print view -----------------------------------------------------------------------------------------

_IDS = re.compile(r"\{(?<!\\\{):[^}\n]*\}|i(?<![\w-]i)d=\"[^\"]*\"")
_ATTR_ID = re.compile(r"(?<=[\s{:])#([A-Za-z][\w-]*)")
# Each branch starts with a plain character outside its group (the match, group 0, is what is rewritten;
# the group only names the kind), and its look-behind comes after that character (over it and the one
# before: the same matches): the regex engine then skips straight to candidate characters.
_REWRITE = re.compile(
    r"#(?P<heading>(?<![^\n]#)#{0,4}(?= ))"
    r"|\{(?P<attr>(?<!\\\{):[^}\n]*\})"
    r"|i(?P<html_id>(?<![\w-]i)d=\"[^\"]*\")"
    r"|h(?P<href>ref=\"#[^\"]*\")"
    r"|h(?P<page_href>ref=\"[^\"#][^\"]*\")"
    r"|a(?P<id_refs>(?<![\w-]a)ria-(?:labelledby|describedby|controls)=\"[^\"]*\")"
    r"|f(?P<for_refs>(?<![\w-]f)or=\"[^\"]*\")"
    r"|\](?P<md_link>\([^)\s]*)",
)


def defined_anchors(markdown: str) -> set[str]:
    """The ids a page's Markdown sets explicitly: attribute lists and HTML id attributes, outside code."""
    code = code_spans(markdown)
    anchors: set[str] = set()
    for match in _IDS.finditer(markdown):
        if inside(match.start(), code):
            continue
        text = match.group(0)
        if text.startswith("id="):
            anchors.add(text[len('id="') : -1])
        else:
            anchors.update(_ATTR_ID.findall(text))
    return anchors


@dataclass(frozen=True)
class PrintedProtocol:
    protocol_id: str
    markdown: str  # as the protocol page renders it for the print page (without its navigation)
    anchors: set[str]  # explicit ids it defines, unprefixed


class _Rewriter:
    """Rewrites one protocol's Markdown for the shared print page (see the module docstring)."""

    def __init__(self, printed: dict[str, PrintedProtocol], protocol_id: str, page: str,
                 canonical_links: dict[str, str]) -> None:
        self.printed = printed
        self.protocol_id = protocol_id
        self.page = page
        self.canonical_links = canonical_links  # link from `page` to a printed protocol's page -> its id
        self.canonical_urls = {page_url(page, paths.canonical(pid)): pid for pid in canonical_links.values()}

    def anchor(self, protocol_id: str, anchor: str, html: bool = False) -> str:
        """Where `#anchor` of a protocol's page is on the print page: prefixed, or on its own page (a page
        path for a Markdown link, the page's URL for an HTML one: MkDocs rewrites only the first)."""
        if anchor in self.printed[protocol_id].anchors:
            return f"#{protocol_id}_{anchor}"
        canonical = paths.canonical(protocol_id)
        return (page_url(self.page, canonical) if html else paths.relative(self.page, canonical)) + f"#{anchor}"

    def prefix(self, anchor: str) -> str:
        return f"{self.protocol_id}_{anchor}"

    def __call__(self, match: re.Match[str]) -> str:
        text, kind = match.group(0), match.lastgroup
        if kind == "heading":
            return text + "#"
        if kind == "attr":
            return _ATTR_ID.sub(lambda m: "#" + self.prefix(m.group(1)), text)
        if kind == "html_id":
            return f'id="{self.prefix(text[len("id=") + 1 : -1])}"'
        if kind in ("id_refs", "for_refs"):
            name, _, value = text.partition("=")
            own = self.printed[self.protocol_id].anchors
            refs = [self.prefix(ref) if ref in own else ref for ref in value.strip('"').split()]
            if name == "aria-labelledby" and value.strip('"') == PANEL_ANCHOR:
                refs.append(self.protocol_id)  # the panel's region names its protocol: one per protocol printed
            return f'{name}="{" ".join(refs)}"'
        if kind == "href":
            return f'href="{self.anchor(self.protocol_id, text[len("href=#") + 1 : -1], html=True)}"'
        if kind == "page_href":  # a link of author text (HTML) to another page: kept on the print page
            path, _, anchor = text[len('href="') : -1].partition("#")
            target = self.canonical_urls.get(path)
            if target is None:
                return text
            return f'href="{self.anchor(target, anchor, html=True) if anchor else "#" + target}"'
        destination = text[2:]
        if destination.startswith("#") and len(destination) > 1:
            return "](" + self.anchor(self.protocol_id, destination[1:])
        path, _, anchor = destination.partition("#")
        target = self.canonical_links.get(path)
        if target is None:
            return text
        return "](" + (self.anchor(target, anchor) if anchor else f"#{target}")

    def rewrite(self, markdown: str) -> str:
        code = code_spans(markdown)

        def replace(match: re.Match[str]) -> str:
            return match.group(0) if inside(match.start(), code) else self(match)

        lines = _REWRITE.sub(replace, markdown).split("\n")
        for index, line in enumerate(lines):
            if line.startswith("## "):  # the protocol's title, formerly its H1
                lines[index] = f"{line} {{: #{self.protocol_id} .{PRINT_CLASS} }}"
                break
        return "\n".join(lines)


def render_handbook_print(
    library: Library, publication: Publication, handbook: Handbook, render_protocol: ProtocolRenderer
) -> str:
    """The whole handbook on one page. `render_protocol(info, version, page)` is the protocol page."""
    page = handbook_print(handbook.id)
    entries = handbook_entries(handbook, publication)
    printed: dict[str, PrintedProtocol] = {}
    for entry in entries:
        if entry.info is None or entry.shown is None or not _printed(entry) or entry.protocol_id in printed:
            continue
        markdown = render_protocol(entry.info, entry.shown, page)
        printed[entry.protocol_id] = PrintedProtocol(entry.protocol_id, markdown, defined_anchors(markdown))
    canonical_links = {paths.relative(page, paths.canonical(pid)): pid for pid in printed}
    bodies = [_Rewriter(printed, pid, page, canonical_links).rewrite(protocol.markdown).strip()
              for pid, protocol in printed.items()]
    prose = page_prose(library, publication, None, page)
    description_md = prose.markdown(handbook.description) if handbook.description else ""
    # the description's own citations, if any, are anchored on this page under a prefix of their own
    description_md = description_md.replace('href="#ref-', f'href="#{DESCRIPTION_PREFIX}ref-')
    return render_template(
        "handbook_print.md.j2",
        handbook={"id": handbook.id, "title": handbook.title, "description_md": description_md},
        rows=[_row(entry, page, print_anchor=True) for entry in entries],
        handbook_link=paths.relative(page, paths.handbook(handbook.id)),
        as_of=publication.as_of,
        protocols_md=bodies,
        references=prose.references(),
        reference_prefix=DESCRIPTION_PREFIX,
    )


def plan_handbook_pages(ctx: SiteContext) -> list[str]:
    """The handbook pages; their print views are made with the protocol pages (render/families.py)."""
    return [paths.handbook(handbook.id) for handbook in ctx.library.handbooks]


def render_handbook_pages(ctx: SiteContext) -> dict[str, str]:
    return {
        paths.handbook(handbook.id): render_handbook(ctx.library, ctx.publication, handbook)
        for handbook in ctx.library.handbooks
    }
