"""The bibliography `references/index.md`: every reference of the library in AMA style (citations.py),
anchored `#ref-<reference-id>`, sorted by first author (title when there is none), each with the
protocols that cite it.

Clinician site: a protocol cites a reference when the version its canonical page shows does (drafts
never count: they are not in the publication). Reviewer site: any version on the site, each named.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from markupsafe import Markup, escape

from generator.approvals.publication import STATE_WORDS, Publication, VersionInfo
from generator.load.library import Library
from generator.model import page_paths as paths
from generator.render.html_page import html_page
from generator.render.templates import render_template
from generator.text.citations import reference_page_html
from generator.text.inline import VersionScan, scan_version

if TYPE_CHECKING:
    from generator.render.families import SiteContext

BIBLIOGRAPHY = paths.BIBLIOGRAPHY


@dataclass(frozen=True)
class CitingProtocol:
    protocol_id: str
    title: str  # as its canonical page shows it
    versions: tuple[VersionInfo, ...]  # the citing versions on this site, ascending


def sort_key(reference_id: str, reference: Any) -> tuple[str, str, int, str]:
    """First author, else title; then title, year and id, case-insensitively."""
    first = reference.authors[0] if reference.authors else ""
    title = " ".join(reference.title.split()).casefold()
    return ((first or title).casefold(), title, reference.year, reference_id)


def citing_index(publication: Publication,
                 scan: Callable[[Any], VersionScan] | None = None) -> dict[str, list[CitingProtocol]]:
    """Reference id -> the protocols citing it on this site, by protocol id. One scan per version (``scan``:
    scan_version, or scans kept by serve)."""
    citing: dict[str, dict[str, list[VersionInfo]]] = {}
    scan = scan or scan_version
    for protocol_id, info in publication.protocols.items():
        considered = info.versions if publication.reviewer else [info.canonical] if info.canonical else []
        for version in considered:
            for reference_id in scan(version.file.doc).cited_references:
                citing.setdefault(reference_id, {}).setdefault(protocol_id, []).append(version)
    index: dict[str, list[CitingProtocol]] = {}
    for reference_id, protocols in citing.items():
        index[reference_id] = []
        for protocol_id in sorted(protocols):
            canonical = publication.protocols[protocol_id].canonical
            assert canonical is not None
            index[reference_id].append(
                CitingProtocol(protocol_id, canonical.file.doc.title, tuple(protocols[protocol_id]))
            )
    return index


def _cited_by_html(citing: list[CitingProtocol], reviewer: bool) -> Markup:
    """ "Cited by: <a>Title</a>; ..." (reviewer site: each citing version named and linked), links
    root-relative."""
    if not citing:
        return Markup("Cited by no protocol on this site.")
    items = []
    for protocol in citing:
        pid = protocol.protocol_id
        item = f'<a href="{paths.href(paths.canonical(pid))}">{escape(protocol.title)}</a>'
        if reviewer:
            versions = ", ".join(
                f'<a href="{paths.href(paths.version_page(pid, version.version))}">{escape(version.version)}</a> '
                f"({STATE_WORDS[version.state]})"
                for version in protocol.versions
            )
            item += f", {'version' if len(protocol.versions) == 1 else 'versions'} {versions}"
        items.append(item)
    return Markup("Cited by: " + "; ".join(items) + ".")


def render_bibliography(library: Library, publication: Publication,
                        scan: Callable[[Any], VersionScan] | None = None) -> str:
    citing = citing_index(publication, scan)
    entries = []
    for reference_id, reference in sorted(library.references.items(), key=lambda item: sort_key(*item)):
        entries.append(
            {
                "id": reference_id,
                "text_html": Markup(reference_page_html(reference)),
                "cited_by_html": _cited_by_html(citing.get(reference_id, []), publication.reviewer),
            }
        )
    return html_page("References", render_template("bibliography.html.j2", entries=entries,
                                                   reviewer=publication.reviewer))


def plan_bibliography(ctx: SiteContext) -> list[str]:
    return [BIBLIOGRAPHY]


def render_bibliography_page(ctx: SiteContext) -> dict[str, str]:
    return {BIBLIOGRAPHY: render_bibliography(ctx.library, ctx.publication, ctx.scan)}
