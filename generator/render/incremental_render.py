"""Rendering a site again after a save, re-rendering only the pages whose inputs the save changed
(`protocols serve`, issue 15). The pages equal `render_site`'s for the same library, byte for byte.

What each page reads, and so when it is rendered again:
- a protocol's canonical, version, history and diff pages: the protocol itself, the publication of the
  protocols it links to and of those linking to it ("Referenced by"), the library files, the build date,
  the site and which pages exist. They are rendered again when the protocol changed, when a protocol it
  links to (before or after the save) changed, or when a protocol linking to it changed;
- a handbook's print view: the protocols it lists; rendered again when one of them is;
- every other page (home, What's new, handbook pages, drug pages, bibliography, dashboard and review
  diffs, audit file, images) reads every protocol: rendered on every save; the home page only when what
  it reads of them (``_home_key``) changed.
Anything shared (``LibraryKeys.shared``: library files, images, build date, site and every protocol's
versions, statuses, dates, titles and sections) or a page that comes or goes renders every page again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from generator.approvals.publication import site_versions
from generator.approvals.signoffs import ApprovalFacts, Ledger, Missing
from generator.checks.incremental_check import LibraryKeys, digest
from generator.load.library import Library, Protocol, VersionFile
from generator.model import page_paths as paths
from generator.model.schema import VersionDoc
from generator.render.diff_page import predecessor, render_diff_page
from generator.render.families import (
    FAMILIES,
    SiteContext,
    handbook_print,
    place,
    plan_site,
    protocol_pages,
    render_families,
)
from generator.render.handbooks import PrintMemo
from generator.render.history import render_history
from generator.render.inline_render import ASSETS_FOLDER, forget_texts
from generator.render.placed_page import PlacedMemo
from generator.render.protocol_files import images_in
from generator.render.protocol_page import SharedProtocolText
from generator.render.referenced_by import referenced_by_index
from generator.text.inline import VersionScan, library_markdown_fields, markdown_fields, scan_version

HOME = "home"
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
class _Kept:
    """What a protocol's files and the shared inputs decide, kept while neither changed."""

    key: tuple[bytes, bytes]  # (LibraryKeys.shared, ProtocolFacts.key)
    ledger: Ledger | None = None
    fingerprints: dict[str, str] = field(default_factory=dict)  # by version
    images: dict[tuple[str, ...], set[str]] = field(default_factory=dict)  # by the versions shown
    scans: dict[str, VersionScan] = field(default_factory=dict)  # by version
    missing: dict[tuple[str, str | None], Missing] = field(default_factory=dict)  # by (version, fingerprint)


class KeptApprovalFacts(ApprovalFacts):
    """ApprovalFacts taking each protocol's judged ledger and its versions' fingerprints from ``kept`` while
    the protocol's files and the shared inputs are unchanged: a ledger reads the protocol's sign-offs, the
    register and the policy; a fingerprint the version and the drug and reference entries it uses; what a
    version still needs, its ledger, fingerprint and the policy."""

    def __init__(self, library: Library, keys: LibraryKeys, kept: dict[str, _Kept]) -> None:
        super().__init__(library)
        self.keys = keys
        self.kept = kept

    def entry(self, protocol_id: str) -> _Kept | None:
        facts = self.keys.protocols.get(protocol_id)
        if facts is None:
            return None
        key = (self.keys.shared, facts.key)
        kept = self.kept.get(protocol_id)
        if kept is None or kept.key != key:
            kept = self.kept[protocol_id] = _Kept(key)
        return kept

    def ledger(self, protocol: Protocol) -> Ledger:
        kept = self.entry(protocol.id)
        if kept is None:
            return super().ledger(protocol)
        if kept.ledger is None:
            kept.ledger = super().ledger(protocol)
        return kept.ledger

    def fingerprint(self, version: VersionFile) -> str:
        kept = self.entry(version.id)
        if kept is None:
            return super().fingerprint(version)
        if version.version not in kept.fingerprints:
            kept.fingerprints[version.version] = super().fingerprint(version)
        return kept.fingerprints[version.version]

    def missing(self, protocol: Protocol, version: VersionFile, fingerprint: str | None) -> Missing:
        kept = self.entry(protocol.id)
        if kept is None:
            return super().missing(protocol, version, fingerprint)
        memo_key = (version.version, fingerprint)
        if memo_key not in kept.missing:
            kept.missing[memo_key] = super().missing(protocol, version, fingerprint)
        return kept.missing[memo_key]

    def scan(self, doc: VersionDoc) -> VersionScan:
        """scan_version, kept per protocol and version (a page is rendered only from a library that checks
        clean, where a version's id is its protocol's folder)."""
        kept = self.entry(doc.id)
        if kept is None:
            return scan_version(doc)
        if doc.version not in kept.scans:
            kept.scans[doc.version] = scan_version(doc)
        return kept.scans[doc.version]


@dataclass
class IncrementalRenderer:
    """The keys and page paths of the last render, and what each protocol's files decide (ledgers,
    fingerprints, images shown). One per `protocols serve` session."""

    keys: LibraryKeys | None = None
    site_pages: frozenset[str] = frozenset()
    kept: dict[str, _Kept] = field(default_factory=dict)
    library_images: tuple[bytes, set[str]] | None = None  # (shared key, images the library files' texts show)
    printed: PrintMemo = field(default_factory=dict)  # print-view parts (handbooks.render_handbook_print)
    home: tuple[bytes, str] | None = None  # (what the home page read, its text): see _home_key
    placed: PlacedMemo = field(default_factory=dict)  # placed pages, by rendered digest (SiteContext.placed)
    directory_urls: bool | None = None  # the site's use_directory_urls the pages were placed for
    log: list[str] = field(default_factory=list)  # "full", "2 protocols": what each render re-rendered

    def render(self, library: Library, as_of: dt.date, reviewer: bool, keys: LibraryKeys,
               directory_urls: bool | None = None, full: bool = False) -> RenderedPages:
        """The pages of ``render_site(library, as_of, reviewer, directory_urls)`` that may differ from the last
        render's (every page when ``full``, or when anything shared changed)."""
        approvals = KeptApprovalFacts(library, keys, self.kept)
        images = self._images(library, as_of, reviewer, keys)
        self.kept = {pid: kept for pid, kept in self.kept.items() if pid in keys.protocols}
        before = self.keys
        dirty = set() if before is None else _dirty(keys, before)
        # print-view parts of the protocols whose pages are rendered again are made again
        printed = {memo_key: parts for memo_key, parts in self.printed.items() if memo_key[1] not in dirty}
        ctx = plan_site(library, as_of, reviewer, approvals, images, approvals.scan, printed, directory_urls)
        planned = frozenset(ctx.site_pages)
        full = (full or before is None or before.shared != keys.shared or planned != self.site_pages
                or directory_urls != self.directory_urls)
        if full:
            ctx.printed = self.printed = {}
            self.placed = {}
        ctx.placed = self.placed
        home_key = _home_key(ctx, keys)
        home_kept = not full and self.home is not None and self.home[0] == home_key
        try:
            if full:
                pages = render_families(ctx, FAMILIES)
            else:
                wide = [family for family in LIBRARY_WIDE if not (home_kept and family.name == HOME)]
                pages = {**place(ctx, _protocols_pages(ctx, keys, dirty).items()), **render_families(ctx, wide)}
        finally:
            forget_texts()
        if not home_kept:
            self.home = (home_key, pages[paths.HOME])
        self.printed = ctx.printed or {}
        # only once the pages are made: a failed render is whole again
        self.keys, self.site_pages, self.directory_urls = keys, planned, directory_urls
        self.log.append("full" if full else f"{len(dirty)} protocols")
        return RenderedPages(dict(sorted(pages.items())), planned, full=full)

    def _images(self, library: Library, as_of: dt.date, reviewer: bool, keys: LibraryKeys) -> list[str]:
        """The planned image paths (protocol_files.plan_protocol_files), each protocol's part kept."""
        if self.library_images is None or self.library_images[0] != keys.shared:
            texts = (text for _file, _path, text in library_markdown_fields(library))
            self.library_images = (keys.shared, images_in(texts, library.root))
        names = set(self.library_images[1])
        for protocol_id, site in site_versions(library, as_of, reviewer).protocols.items():
            kept = KeptApprovalFacts(library, keys, self.kept).entry(protocol_id)
            shown = tuple(version.version for version in site.versions)
            if kept is None:
                continue
            if shown not in kept.images:
                texts = (text for version in site.versions for _path, text in markdown_fields(version.file.doc))
                kept.images[shown] = images_in(texts, library.root)
            names |= kept.images[shown]
        return [ASSETS_FOLDER + name for name in sorted(names)]

    def forget(self) -> None:
        """The next render is whole."""
        self.keys, self.site_pages, self.printed, self.home, self.placed = None, frozenset(), {}, None, {}


def _home_key(ctx: SiteContext, keys: LibraryKeys) -> bytes:
    """What the home page (render/home.py) reads beyond the shared inputs (handbooks, build date, site): the
    pages there are and, of each protocol, which version is canonical and current, whether it is retired,
    and of each version shown its number, state, title, effective date and the approvals it still needs
    (which follow from its sign-offs and fingerprint, so from its content)."""
    protocols = [
        (pid, info.canonical.version if info.canonical else None, info.current.version if info.current else None,
         info.retired, [(v.version, v.state, v.file.doc.title, v.file.doc.effective, v.missing_approvals)
                        for v in info.versions])
        for pid, info in ctx.publication.protocols.items()
    ]
    return digest([keys.shared, sorted(ctx.site_pages), protocols])


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


def _protocols_pages(ctx: SiteContext, keys: LibraryKeys, protocol_ids: set[str]) -> dict[str, str]:
    """The canonical, version, history and diff pages of ``protocol_ids`` and the print views listing them."""
    pages: dict[str, str] = {}
    linking = {pid for pid, facts in keys.protocols.items() if facts.targets & protocol_ids}
    referrers = referenced_by_index(ctx.publication, linking, ctx.scan)
    kept: dict[str, SharedProtocolText] = {}
    for protocol_id in sorted(protocol_ids & ctx.publication.protocols.keys()):
        info = ctx.publication.protocols[protocol_id]
        pages.update(protocol_pages(ctx, protocol_id, referrers.get(protocol_id, []), kept))
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
