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

from markupsafe import Markup

from generator.approvals.publication import STATE_WORDS, ProtocolInfo, Publication, VersionInfo
from generator.load.library import Library
from generator.model import page_paths as paths
from generator.model.schema import Handbook
from generator.render.dose_panel import PANEL_ANCHOR
from generator.render.html_page import html_page
from generator.render.nowrap import keep_together
from generator.render.page_prose import page_prose
from generator.render.templates import heading, render_template
from generator.text.inline import anchor

if TYPE_CHECKING:
    from generator.render.families import SiteContext

NOT_PUBLISHED = "not yet published"
PRINT_CLASS = "pc-print-protocol"

# Anchors of the handbook description's own citations on the print page: "h_" is no protocol's prefix
# (protocol ids have at least two characters).
DESCRIPTION_PREFIX = "h_"

# One protocol page's title and HTML body for a page path (the protocols family's shared text).
ProtocolRenderer = Callable[[ProtocolInfo, VersionInfo, str], tuple[str, str]]


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


def _row(entry: HandbookEntry, print_anchor: bool = False) -> dict[str, Any]:
    if entry.shown is None:
        return {"published": False, "protocol_id": entry.protocol_id, "status": entry.status}
    doc = entry.shown.file.doc
    on_this_page = print_anchor and _printed(entry)
    return {
        "published": True,
        "printed": on_this_page,
        "protocol_id": entry.protocol_id,
        "title": doc.title,
        "link": f"#{entry.protocol_id}" if on_this_page else paths.href(paths.canonical(entry.protocol_id)),
        "version": doc.version,
        "status": entry.status,
        "retired": entry.info is not None and entry.info.retired,
        "effective": doc.effective,
    }


def render_handbook(library: Library, publication: Publication, handbook: Handbook) -> str:
    page = paths.handbook(handbook.id)
    prose = page_prose(library, publication, None, page)
    description_html = Markup(prose.markdown(handbook.description)) if handbook.description else ""
    body = render_template(
        "handbook.html.j2",
        handbook={"id": handbook.id, "title": handbook.title, "description_html": description_html},
        rows=[_row(entry) for entry in handbook_entries(handbook, publication)],
        print_link=paths.href(handbook_print(handbook.id)),
        as_of=publication.as_of,
        references=[{"id": ref.id, "text_html": Markup(ref.text_md)} for ref in prose.references()],
    )
    return html_page(handbook.title, body)


# --- print view -----------------------------------------------------------------------------------------

# A tag of the generated HTML (only a real tag starts with "<": text has it escaped; quoted attribute
# values may hold ">"), and within one an attribute that names or points to an anchor.
_TAG = re.compile(
    r'<(?P<close>/?)(?P<name>[a-zA-Z][a-zA-Z0-9]*)(?P<attrs>(?:\s+[^\s"=<>/]+(?:="[^"]*")?)*)\s*(?P<end>/?>)'
)
_ANCHOR_ATTRIBUTE = re.compile(
    r'(?<=\s)(?P<name>id|href|aria-labelledby|aria-describedby|aria-controls|for)="(?P<value>[^"]*)"'
)
_HEADING = re.compile(r"h[1-6]")


def defined_anchors(html: str) -> set[str]:
    """The ids a page's HTML sets (attributes of its tags only, never text)."""
    anchors: set[str] = set()
    for tag in _TAG.finditer(html):
        attrs = tag.group("attrs")
        if 'id="' in attrs:  # most tags set no id (the test is only a shortcut: the pattern decides)
            anchors.update(match.group("value") for match in _ANCHOR_ATTRIBUTE.finditer(attrs)
                           if match.group("name") == "id")
    return anchors


@dataclass(frozen=True)
class PrintedProtocol:
    protocol_id: str
    title: str  # the protocol page's title
    html: str  # its body as the protocol page renders it for the print page (without its navigation)
    anchors: set[str]  # the ids it defines, unprefixed
    version: str = ""  # the version printed


class _Rewriter:
    """Rewrites one protocol's HTML for the shared print page (see the module docstring)."""

    def __init__(self, printed: dict[str, PrintedProtocol], protocol_id: str) -> None:
        self.printed = printed
        self.protocol_id = protocol_id
        # the root-relative link of a printed protocol's page -> its id
        self.canonical_links = {paths.href(paths.canonical(pid)): pid for pid in printed}

    def anchor(self, protocol_id: str, anchor: str) -> str:
        """Where `#anchor` of a protocol's page is on the print page: prefixed, or on its own page."""
        if anchor in self.printed[protocol_id].anchors:
            return f"#{protocol_id}_{anchor}"
        return paths.href(paths.canonical(protocol_id), anchor)

    def prefix(self, anchor: str) -> str:
        return f"{self.protocol_id}_{anchor}"

    def attribute(self, match: re.Match[str]) -> str:
        name, value = match.group("name"), match.group("value")
        own = self.printed[self.protocol_id].anchors
        if name == "id":
            return f'id="{self.prefix(value)}"'
        if name != "href":
            refs = [self.prefix(ref) if ref in own else ref for ref in value.split()]
            if name == "aria-labelledby" and value == PANEL_ANCHOR:
                refs.append(self.protocol_id)  # the panel's region names its protocol: one per protocol printed
            return f'{name}="{" ".join(refs)}"'
        if value.startswith("#") and len(value) > 1:
            return f'href="{self.anchor(self.protocol_id, value[1:])}"'
        path, _, anchor = value.partition("#")
        target = self.canonical_links.get(path)
        if target is None:  # another page, or the web: kept
            return match.group(0)
        return f'href="{self.anchor(target, anchor) if anchor else "#" + target}"'

    def tag(self, match: re.Match[str]) -> str:
        close, name, attrs, end = match.group("close", "name", "attrs", "end")
        if name[0] in "hH" and _HEADING.fullmatch(name.lower()):  # one level down: the title is the page's H1
            name = f"h{min(int(name[1]) + 1, 6)}"
        if '="' in attrs:  # an anchor attribute has a value (the test is only a shortcut: the pattern decides)
            attrs = _ANCHOR_ATTRIBUTE.sub(self.attribute, attrs)
        return f"<{close}{name}{attrs}{end}"

    def rewrite(self, protocol: PrintedProtocol, kept_together: bool = False) -> str:
        """The protocol under its title; with `kept_together` its body came wrapped, and so is the title."""
        title = str(heading(2, self.protocol_id, protocol.title)).replace("<h2 ", f'<h2 class="{PRINT_CLASS}" ', 1)
        return f"{keep_together(title) if kept_together else title}\n{_TAG.sub(self.tag, protocol.html).strip()}"


PrintMemo = dict[tuple[str, str, str], tuple[PrintedProtocol, str]]  # (page, protocol, version) -> parts


def render_handbook_print(
    library: Library, publication: Publication, handbook: Handbook, render_protocol: ProtocolRenderer,
    kept_together: bool = False, memo: PrintMemo | None = None,
) -> str:
    """The whole handbook on one page. `render_protocol(info, version, page)` is the protocol page's
    title and body. `kept_together`: those bodies come wrapped (generator/render/nowrap.py), so the page
    is wrapped around them, not again through them. ``memo``: each printed protocol and its rewritten HTML,
    kept by `protocols serve` for the protocols a save did not change (what they print and link to is as
    before); None: nothing kept."""
    page = handbook_print(handbook.id)
    entries = handbook_entries(handbook, publication)
    printed: dict[str, PrintedProtocol] = {}
    rewritten: dict[str, str] = {}
    for entry in entries:
        if entry.info is None or entry.shown is None or not _printed(entry) or entry.protocol_id in printed:
            continue
        kept = memo.get((page, entry.protocol_id, entry.shown.version)) if memo is not None else None
        if kept is not None:
            printed[entry.protocol_id], rewritten[entry.protocol_id] = kept
            continue
        title, body = render_protocol(entry.info, entry.shown, page)
        printed[entry.protocol_id] = PrintedProtocol(entry.protocol_id, title, body, defined_anchors(body),
                                                     entry.shown.version)
    for pid, protocol in printed.items():
        if pid not in rewritten:
            rewritten[pid] = _Rewriter(printed, pid).rewrite(protocol, kept_together)
            if memo is not None:
                memo[(page, pid, protocol.version)] = (protocol, rewritten[pid])
    bodies = [Markup(rewritten[pid]) for pid in printed]
    prose = page_prose(library, publication, None, page)
    description_html = prose.markdown(handbook.description) if handbook.description else ""
    # the description's own citations, if any, are anchored on this page under a prefix of their own
    reference = anchor("reference", "")
    description_html = description_html.replace(f'href="#{reference}', f'href="#{DESCRIPTION_PREFIX}{reference}')
    # With kept_together, marks between elements stand for the wrapped bodies while the rest is wrapped.
    marks = [Markup(f"<!-- protocols: printed {index} -->") for index in range(len(bodies))]
    body = render_template(
        "handbook_print.html.j2",
        handbook={"id": handbook.id, "title": handbook.title, "description_html": Markup(description_html)},
        rows=[_print_row(entry) for entry in entries],
        handbook_link=paths.href(paths.handbook(handbook.id)),
        as_of=publication.as_of,
        protocols_html=marks if kept_together else bodies,
        references=[{"number": ref.number, "id": ref.id, "text_html": Markup(ref.text_md)}
                    for ref in prose.references()],
        reference_prefix=DESCRIPTION_PREFIX,
    )
    if kept_together:
        body = keep_together(body)
        for mark, protocol_html in zip(marks, bodies, strict=True):
            body = body.replace(mark, protocol_html, 1)
    return html_page(handbook.title, body)


def _print_row(entry: HandbookEntry) -> dict[str, Any]:
    """A row of the print view's list: a printed protocol links to its place on the page."""
    return _row(entry, print_anchor=True)


def plan_handbook_pages(ctx: SiteContext) -> list[str]:
    """The handbook pages; their print views are made with the protocol pages (render/families.py)."""
    return [paths.handbook(handbook.id) for handbook in ctx.library.handbooks]


def render_handbook_pages(ctx: SiteContext) -> dict[str, str]:
    return {
        paths.handbook(handbook.id): render_handbook(ctx.library, ctx.publication, handbook)
        for handbook in ctx.library.handbooks
    }
