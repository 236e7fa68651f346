"""The page families of a site, and `render_site`.

`render_pages` first plans every page path of every page family, so that a page links to another page
only if it will exist (history, diff and handbook pages), then renders each family, handing on each page
as it is made: `protocols build` writes it out at once, so the site's text is never all in memory
(`render_site` collects the pages into one dict, for serve and the tests). Adding a page family is adding
a `Family` to FAMILIES. Output is deterministic: sorted iteration, no timestamps but the build date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from generator.approvals.publication import ProtocolInfo, Publication, ShownSites, VersionInfo, publication
from generator.approvals.signoffs import ApprovalFacts
from generator.load.library import Library
from generator.model import page_paths as paths
from generator.model.schema import Handbook, VersionDoc
from generator.render.audit import render_audit_file
from generator.render.bibliography import plan_bibliography, render_bibliography_page
from generator.render.dashboard import plan_review_pages, render_review_pages
from generator.render.diff_page import plan_diff_pages, render_diff_pages
from generator.render.drugs import plan_drug_pages, render_drug_pages
from generator.render.handbooks import PrintMemo, plan_handbook_pages, render_handbook_pages, render_handbook_print
from generator.render.history import render_history
from generator.render.home import render_home
from generator.render.inline_render import forget_texts
from generator.render.page_prose import page_prose
from generator.render.placed_page import PlacedMemo, placed_page, rendered_digest
from generator.render.protocol_files import plan_protocol_files, render_protocol_files
from generator.render.protocol_page import SharedProtocolText
from generator.render.referenced_by import Referrer, referenced_by_index
from generator.render.whats_new import render_whats_new_page
from generator.text.inline import VersionScan, scan_version

__all__ = ["FAMILIES", "Family", "SiteContext", "handbook_print", "place", "plan_site", "protocol_pages",
           "render_families", "render_pages", "render_site"]


@dataclass
class SiteContext:
    library: Library
    publication: Publication
    site_pages: set[str] = field(default_factory=set)  # every path the site will have
    kept_together: set[str] = field(default_factory=set)  # pages whose family wrapped them itself, once per text
    directory_urls: bool | None = None  # the site's use_directory_urls when the pages are placed
    # how a version's links and citations are found: scan_version, or serve's scans kept per protocol
    scan: Callable[[VersionDoc], VersionScan] = scan_version
    # the print views' parts, kept by serve between saves (handbooks.render_handbook_print); None: not kept
    printed: PrintMemo | None = None
    # the placed pages, kept by serve between saves: by path, (digest of the text as rendered, kept_together,
    # placed text); None: not kept
    placed: PlacedMemo | None = None

    @property
    def keep_together(self) -> bool:
        """Whether the pages are placed (wrapped and localized: render_pages with directory_urls)."""
        return self.directory_urls is not None

    @property
    def as_of(self) -> dt.date:
        return self.publication.as_of

    @property
    def reviewer(self) -> bool:
        return self.publication.reviewer


@dataclass(frozen=True)
class Family:
    name: str
    plan: Callable[[SiteContext], list[str]]
    render: Callable[[SiteContext], Iterable[tuple[str, str]]]  # (page path, text), each page as it is made


def _each(render: Callable[[SiteContext], dict[str, str]]) -> Callable[[SiteContext], Iterable[tuple[str, str]]]:
    """A family that renders all its pages at once (they are few or small), as (path, text) pairs."""
    return lambda ctx: render(ctx).items()


def _plan_protocols(ctx: SiteContext) -> list[str]:
    planned = []
    for protocol_id, info in ctx.publication.protocols.items():
        planned.append(paths.canonical(protocol_id))
        planned.extend(paths.version_page(protocol_id, version.version) for version in info.versions)
    planned.extend(paths.handbook_print(handbook.id) for handbook in ctx.library.handbooks)
    return planned


def _mark_kept(ctx: SiteContext, page: str) -> None:
    if ctx.keep_together:
        ctx.kept_together.add(page)


def protocol_pages(ctx: SiteContext, protocol_id: str, referrers: list[Referrer],
                   shared: dict[str, SharedProtocolText] | None = None) -> Iterator[tuple[str, str]]:
    """A protocol's version and canonical pages, each handed on as it is made; its canonical text is put
    into ``shared`` (for print views) when given."""
    info = ctx.publication.protocols[protocol_id]
    shown = list(info.versions)
    if info.canonical is not None and info.canonical not in shown:
        shown.append(info.canonical)
    for version in shown:
        text = SharedProtocolText(ctx.library, ctx.publication, info, version, ctx.site_pages, referrers,
                                  ctx.keep_together)
        if version in info.versions:
            page = paths.version_page(protocol_id, version.version)
            _mark_kept(ctx, page)
            yield page, text.page(page)
        if version is info.canonical:
            _mark_kept(ctx, paths.canonical(protocol_id))
            yield paths.canonical(protocol_id), text.page(paths.canonical(protocol_id))
            if shared is not None:
                shared[protocol_id] = text


def handbook_print(ctx: SiteContext, handbook: Handbook, shared: dict[str, SharedProtocolText]) -> str:
    """A handbook's print view, from the canonical texts in ``shared`` (rendered again where absent)."""

    def printed(info: ProtocolInfo, version: VersionInfo, page: str) -> tuple[str, str]:
        text = shared.get(info.id)
        if text is None or text.version is not version:
            text = SharedProtocolText(ctx.library, ctx.publication, info, version, ctx.site_pages,
                                      kept_together=ctx.keep_together)
        return text.title, text.body(page)  # print views show no retired protocol

    _mark_kept(ctx, paths.handbook_print(handbook.id))
    return render_handbook_print(ctx.library, ctx.publication, handbook, printed, ctx.keep_together, ctx.printed)


def _render_protocols(ctx: SiteContext) -> Iterator[tuple[str, str]]:
    """Protocol pages and the handbook print views, which are made of them, each handed on as it is made.

    Each version's text is rendered once and placed on its version page, on the canonical page while it
    is in use, and in the print view of every handbook that lists the protocol. The protocols are taken
    handbook by handbook, and a handbook's print view is made as soon as its protocols are, so a text is
    kept only until the last print view that shows it (not the whole site's text at once).
    """
    referrers = referenced_by_index(ctx.publication, scan=ctx.scan)  # once per build
    handbooks = ctx.library.handbooks
    last_print = {pid: index for index, handbook in enumerate(handbooks) for pid in handbook.protocols}
    shared: dict[str, SharedProtocolText] = {}  # canonical texts of printed protocols, by protocol id

    def render_protocol(protocol_id: str) -> Iterator[tuple[str, str]]:
        return protocol_pages(ctx, protocol_id, referrers.get(protocol_id, []),
                              shared if protocol_id in last_print else None)

    done: set[str] = set()
    for index, handbook in enumerate(handbooks):
        for protocol_id in handbook.protocols:
            if protocol_id in ctx.publication.protocols and protocol_id not in done:
                yield from render_protocol(protocol_id)
                done.add(protocol_id)
        yield paths.handbook_print(handbook.id), handbook_print(ctx, handbook, shared)
        for protocol_id in handbook.protocols:
            if last_print.get(protocol_id) == index:
                shared.pop(protocol_id, None)
    for protocol_id in ctx.publication.protocols:
        if protocol_id not in done:
            yield from render_protocol(protocol_id)


def _render_histories(ctx: SiteContext) -> dict[str, str]:
    return {
        paths.history(protocol_id): render_history(ctx.library, ctx.publication, info, ctx.site_pages)
        for protocol_id, info in ctx.publication.protocols.items()
    }


def _render_home(ctx: SiteContext) -> dict[str, str]:
    prose = page_prose(ctx.library, ctx.publication, None, paths.HOME)
    return {paths.HOME: render_home(ctx.library, ctx.publication, prose.markdown, ctx.site_pages)}


IMAGES = "protocol files"
FAMILIES: list[Family] = [
    Family("home", lambda ctx: [paths.HOME], _each(_render_home)),
    Family("whats-new", lambda ctx: [paths.WHATS_NEW], _each(render_whats_new_page)),
    Family("protocols", _plan_protocols, _render_protocols),
    Family("history", lambda ctx: [paths.history(pid) for pid in ctx.publication.protocols], _each(_render_histories)),
    Family("diffs", plan_diff_pages, _each(render_diff_pages)),
    Family("review", plan_review_pages, _each(render_review_pages)),
    Family("handbooks", plan_handbook_pages, _each(render_handbook_pages)),
    Family("drugs", plan_drug_pages, _each(render_drug_pages)),
    Family("bibliography", plan_bibliography, _each(render_bibliography_page)),
    Family("audit", lambda ctx: [paths.AUDIT_FILE],
           lambda ctx: [(paths.AUDIT_FILE, render_audit_file(ctx.publication))]),
    Family(IMAGES, plan_protocol_files, _each(render_protocol_files)),  # type: ignore[arg-type]  # bytes
]


def plan_site(library: Library, as_of: dt.date, reviewer: bool, approvals: ApprovalFacts | None = None,
              images: list[str] | None = None, scan: Callable[[VersionDoc], VersionScan] = scan_version,
              printed: PrintMemo | None = None, directory_urls: bool | None = None,
              sites: ShownSites | None = None) -> SiteContext:
    """What the site publishes and every page path it will have. ``approvals``: the run's register, ledgers
    and fingerprints; ``images``: the paths of the images the pages show, when the caller knows them;
    ``scan``, ``printed``: see SiteContext; ``directory_urls`` and ``sites``: see render_pages."""
    ctx = SiteContext(library, publication(library, as_of, reviewer, approvals, sites=sites),
                      directory_urls=directory_urls, scan=scan, printed=printed)
    for family in FAMILIES:
        ctx.site_pages.update(images if images is not None and family.name == IMAGES else family.plan(ctx))
    return ctx


def _placed(ctx: SiteContext, path: str, text: str) -> str:
    """placed_page, a pure function of the page's path and text, kept_together and directory_urls: taken from
    ``ctx.placed`` when the page was placed from the same text (a serve session keeps it for one
    directory_urls, forgetting it on a whole render)."""
    if ctx.directory_urls is None:
        return text
    kept_together = path in ctx.kept_together
    if ctx.placed is None:
        return placed_page(path, text, ctx.directory_urls, kept_together)
    digest = rendered_digest(text)
    kept = ctx.placed.get(path)
    if kept is not None and kept[0] == digest and kept[1] == kept_together:
        return kept[2]
    placed = placed_page(path, text, ctx.directory_urls, kept_together)
    ctx.placed[path] = (digest, kept_together, placed)
    return placed


def place(ctx: SiteContext, pages: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Pages finished for the place they are served from (placed_page), when the site's use_directory_urls
    is known."""
    return {path: _placed(ctx, path, text) for path, text in pages}


def _family_pages(ctx: SiteContext, families: list[Family]) -> Iterator[tuple[str, str]]:
    for family in families:
        for path, text in family.render(ctx):
            if path not in ctx.site_pages:
                raise ValueError(f"page family {family.name} rendered an unplanned page: {path}")
            yield path, _placed(ctx, path, text)


def render_families(ctx: SiteContext, families: list[Family]) -> dict[str, str]:
    """The placed pages of ``families`` (planned by ``plan_site``)."""
    return dict(_family_pages(ctx, families))


def render_pages(library: Library, as_of: dt.date, reviewer: bool, directory_urls: bool | None = None,
                 sites: ShownSites | None = None) -> Iterator[tuple[str, str]]:
    """Every page of the clinician site (reviewer=False) or the reviewer site on the build date `as_of`, as
    (page path, text), each handed on as soon as it is made (family by family, not sorted by path).

    `directory_urls`: the site's `use_directory_urls`; each page body leaves finished for it
    (generator/render/placed_page.py: quantities kept together, links relative to the page), ready for
    the site engine. None gives the bodies as the families write them (links root-relative, no nowrap
    spans), for tests of what a family writes. `sites`: the run's shown versions, when its check worked
    them out already. The library must check clean: rendering assumes every reference resolves.
    """
    ctx = plan_site(library, as_of, reviewer, directory_urls=directory_urls, sites=sites)
    try:
        yield from _family_pages(ctx, FAMILIES)
    finally:
        forget_texts()  # the texts' templates served their pages: the engine's peak should not carry them


def render_site(library: Library, as_of: dt.date, reviewer: bool,
                directory_urls: bool | None = None, sites: ShownSites | None = None) -> dict[str, str]:
    """Every page of the site (see render_pages) in one dict, sorted by path."""
    pages = dict(render_pages(library, as_of, reviewer, directory_urls, sites))
    return dict(sorted(pages.items()))
