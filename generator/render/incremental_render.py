"""Rendering a site again after a save, re-rendering only the pages whose inputs the save changed
(`protocols serve`, issue 15). The pages equal `render_site`'s for the same library, byte for byte.

What each page reads, and so when it is rendered again:
- a protocol's canonical, version, history and diff pages: the protocol itself, the publication of the
  protocols it links to and of those linking to it ("Referenced by"), the library files, the build date,
  the site and which pages exist. They are rendered again when the protocol changed, when a protocol it
  links to (before or after the save) changed, or when a protocol linking to it changed;
- a handbook's print view: the protocols it lists; rendered again when one of them is;
- every other page (home, What's new, handbook pages, drug pages, bibliography, dashboard and review
  diffs, audit file, images) reads every protocol: rendered on every save.
Anything shared (``LibraryKeys.shared``: library files, images, build date, site and every protocol's
versions, statuses, dates, titles and sections) or a page that comes or goes renders every page again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from generator.checks.incremental_check import LibraryKeys
from generator.load.library import Library
from generator.render import paths
from generator.render.diff_page import predecessor, render_diff_page
from generator.render.families import (
    FAMILIES,
    SiteContext,
    handbook_print,
    plan_site,
    protocol_pages,
    render_families,
)
from generator.render.history import render_history
from generator.render.inline_render import forget_texts
from generator.render.protocol_page import SharedProtocolText
from generator.render.referenced_by import referenced_by_index

PER_PROTOCOL_FAMILIES = frozenset({"protocols", "history", "diffs"})  # the families rendered here per protocol
LIBRARY_WIDE = [family for family in FAMILIES if family.name not in PER_PROTOCOL_FAMILIES]


@dataclass(frozen=True)
class RenderedPages:
    """One render: ``pages`` are the pages rendered (every page when ``full``); ``paths`` every page of the
    site. A page of ``paths`` not in ``pages`` is as the last render made it."""

    pages: dict[str, str]
    paths: frozenset[str]
    full: bool


@dataclass
class IncrementalRenderer:
    """The keys and page paths of the last render. One per `protocols serve` session."""

    keys: LibraryKeys | None = None
    site_pages: frozenset[str] = frozenset()
    log: list[str] = field(default_factory=list)  # "full", "2 protocols": what each render re-rendered

    def render(self, library: Library, as_of: dt.date, reviewer: bool, keys: LibraryKeys,
               full: bool = False) -> RenderedPages:
        ctx = plan_site(library, as_of, reviewer)
        before, planned = self.keys, frozenset(ctx.site_pages)
        full = full or before is None or before.shared != keys.shared or planned != self.site_pages
        try:
            if full or before is None:
                pages = render_families(ctx, FAMILIES)
            else:
                dirty = _dirty(keys, before)
                pages = {**_protocols_pages(ctx, dirty), **render_families(ctx, LIBRARY_WIDE)}
        finally:
            forget_texts()
        self.keys, self.site_pages = keys, planned  # only once the pages are made: a failed render is whole again
        self.log.append("full" if full or before is None else f"{len(dirty)} protocols")
        return RenderedPages(dict(sorted(pages.items())), planned, full=full)

    def forget(self) -> None:
        """The next render is whole."""
        self.keys, self.site_pages = None, frozenset()


def _dirty(keys: LibraryKeys, before: LibraryKeys) -> set[str]:
    """The protocols whose pages may differ: the changed ones, those they linked or link to, those linking
    to them."""
    changed = keys.changed(before)
    dirty = set(changed)
    for pid in changed:
        for facts in (keys.protocols.get(pid), before.protocols.get(pid)):
            dirty |= facts.targets if facts is not None else set()
    dirty |= {pid for pid, facts in keys.protocols.items() if facts.targets & changed}
    return dirty


def _protocols_pages(ctx: SiteContext, protocol_ids: set[str]) -> dict[str, str]:
    """The canonical, version, history and diff pages of ``protocol_ids`` and the print views listing them."""
    pages: dict[str, str] = {}
    referrers = referenced_by_index(ctx.publication)
    kept: dict[str, SharedProtocolText] = {}
    for protocol_id in sorted(protocol_ids & ctx.publication.protocols.keys()):
        info = ctx.publication.protocols[protocol_id]
        canonical = protocol_pages(ctx, protocol_id, referrers.get(protocol_id, []), pages)
        if canonical is not None:
            kept[protocol_id] = canonical
        pages[paths.history(protocol_id)] = render_history(ctx.library, ctx.publication, info, ctx.site_pages)
        for version in info.versions:
            earlier = predecessor(info, version)
            if earlier is not None:
                page = paths.diff_page(protocol_id, version.version)
                pages[page] = render_diff_page(ctx.library, ctx.publication, info, earlier, version, page,
                                               ctx.site_pages)
    for handbook in ctx.library.handbooks:
        if protocol_ids & set(handbook.protocols):
            pages[paths.handbook_print(handbook.id)] = handbook_print(ctx, handbook, kept)
    return pages
