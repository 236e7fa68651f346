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
from generator.load.library import Library
from generator.model import page_paths as paths
from generator.render.audit import render_audit_file
from generator.render.bibliography import plan_bibliography, render_bibliography_page
from generator.render.dashboard import plan_review_pages, render_review_pages
from generator.render.diff_page import plan_diff_pages, render_diff_pages
from generator.render.drugs import plan_drug_pages, render_drug_pages
from generator.render.handbooks import plan_handbook_pages, render_handbook_pages, render_handbook_print
from generator.render.history import render_history
from generator.render.home import render_home
from generator.render.inline_render import forget_texts
from generator.render.page_prose import page_prose
from generator.render.placed_page import placed_page
from generator.render.protocol_files import plan_protocol_files, render_protocol_files
from generator.render.protocol_page import SharedProtocolText
from generator.render.referenced_by import referenced_by_index
from generator.render.whats_new import render_whats_new_page

__all__ = ["FAMILIES", "Family", "SiteContext", "render_pages", "render_site"]


@dataclass
class SiteContext:
    library: Library
    publication: Publication
    site_pages: set[str] = field(default_factory=set)  # every path the site will have
    keep_together: bool = False  # whether the pages are placed (render_site with directory_urls)
    kept_together: set[str] = field(default_factory=set)  # pages whose family wrapped them itself, once per text

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


def _render_protocols(ctx: SiteContext) -> Iterator[tuple[str, str]]:
    """Protocol pages and the handbook print views, which are made of them, each handed on as it is made.

    Each version's text is rendered once and placed on its version page, on the canonical page while it
    is in use, and in the print view of every handbook that lists the protocol. The protocols are taken
    handbook by handbook, and a handbook's print view is made as soon as its protocols are, so a text is
    kept only until the last print view that shows it (not the whole site's text at once).
    """
    referrers = referenced_by_index(ctx.publication)  # once per build
    handbooks = ctx.library.handbooks
    last_print = {pid: index for index, handbook in enumerate(handbooks) for pid in handbook.protocols}
    shared: dict[str, SharedProtocolText] = {}  # canonical texts of printed protocols, by protocol id

    def render_protocol(protocol_id: str) -> Iterator[tuple[str, str]]:
        info = ctx.publication.protocols[protocol_id]
        shown = list(info.versions)
        if info.canonical is not None and info.canonical not in shown:
            shown.append(info.canonical)
        for version in shown:
            text = SharedProtocolText(ctx.library, ctx.publication, info, version, ctx.site_pages,
                                      referrers.get(protocol_id, []), ctx.keep_together)
            if version in info.versions:
                page = paths.version_page(protocol_id, version.version)
                mark_kept(page)
                yield page, text.page(page)
            if version is info.canonical:
                mark_kept(paths.canonical(protocol_id))
                yield paths.canonical(protocol_id), text.page(paths.canonical(protocol_id))
                if protocol_id in last_print:
                    shared[protocol_id] = text

    def mark_kept(page: str) -> None:
        if ctx.keep_together:
            ctx.kept_together.add(page)

    def printed(info: ProtocolInfo, version: VersionInfo, page: str) -> tuple[str, str]:
        text = shared.get(info.id)
        if text is None or text.version is not version:
            text = SharedProtocolText(ctx.library, ctx.publication, info, version, ctx.site_pages,
                                      kept_together=ctx.keep_together)
        return text.title, text.body(page)  # print views show no retired protocol

    done: set[str] = set()
    for index, handbook in enumerate(handbooks):
        for protocol_id in handbook.protocols:
            if protocol_id in ctx.publication.protocols and protocol_id not in done:
                yield from render_protocol(protocol_id)
                done.add(protocol_id)
        page = paths.handbook_print(handbook.id)
        mark_kept(page)
        yield page, render_handbook_print(ctx.library, ctx.publication, handbook, printed, ctx.keep_together)
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
    Family("protocol files", plan_protocol_files, _each(render_protocol_files)),  # type: ignore[arg-type]  # bytes
]


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
    ctx = SiteContext(library, publication(library, as_of, reviewer, sites=sites),
                      keep_together=directory_urls is not None)
    for family in FAMILIES:
        ctx.site_pages.update(family.plan(ctx))
    try:
        for family in FAMILIES:
            for path, text in family.render(ctx):
                if path not in ctx.site_pages:
                    raise ValueError(f"page family {family.name} rendered an unplanned page: {path}")
                if directory_urls is None:
                    yield path, text
                else:
                    yield path, placed_page(path, text, directory_urls, path in ctx.kept_together)
    finally:
        forget_texts()  # the texts' templates served their pages: the engine's peak should not carry them


def render_site(library: Library, as_of: dt.date, reviewer: bool,
                directory_urls: bool | None = None, sites: ShownSites | None = None) -> dict[str, str]:
    """Every page of the site (see render_pages) in one dict, sorted by path."""
    pages = dict(render_pages(library, as_of, reviewer, directory_urls, sites))
    return dict(sorted(pages.items()))
