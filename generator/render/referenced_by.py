"""Reverse indexes of protocol text, built once per build: which protocols link to a protocol
("Referenced by" on every protocol page) and which versions cite a reference (the bibliography).

Both come from one scan of each published version with generator.text.inline.scan_version, so a link or a
citation counts here exactly when it renders as one. Building the index is linear in the text of the
site; looking a protocol up is a dict access.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

from markupsafe import escape

from generator.approvals.publication import STATE_WORDS, ProtocolInfo, Publication, VersionInfo
from generator.model import page_paths as paths
from generator.render.templates import heading
from generator.text.inline import VersionScan, scan_version


@dataclass(frozen=True)
class Referrer:
    """A protocol some of whose versions on this site link to another protocol."""

    protocol_id: str
    title: str  # the title its canonical page shows
    versions: tuple[VersionInfo, ...]  # the linking versions, ascending


def referenced_by_index(publication: Publication, sources: Collection[str] | None = None,
                        scan: Callable[[Any], VersionScan] | None = None) -> dict[str, list[Referrer]]:
    """Target protocol id -> the protocols whose versions on this site link to it, sorted by id. ``sources``:
    the only protocols whose links are read (a caller that knows the others link nowhere it will look up);
    ``scan``: how a version's links are found (scan_version, or scans kept by serve)."""
    linking: dict[str, dict[str, list[VersionInfo]]] = {}
    scan = scan or scan_version
    for protocol_id, info in publication.protocols.items():
        if sources is not None and protocol_id not in sources:
            continue
        for version in info.versions:
            for target in scan(version.file.doc).linked_protocols:
                linking.setdefault(target, {}).setdefault(protocol_id, []).append(version)
    index: dict[str, list[Referrer]] = {}
    for target, sources in linking.items():
        if target not in publication.protocols:
            continue
        index[target] = [
            Referrer(source, _title(publication.protocols[source]), tuple(sources[source]))
            for source in sorted(sources)
        ]
    return index


def _title(info: ProtocolInfo) -> str:
    assert info.canonical is not None  # a protocol in the publication has a canonical version
    return info.canonical.file.doc.title


def render_referenced_by(referrers: list[Referrer]) -> str:
    """The "Referenced by" block of a protocol page (HTML, links root-relative), or "" when nothing links
    to it."""
    if not referrers:
        return ""
    lines = [str(heading(2, "referenced-by", "Referenced by")), "<p>Protocols on this site that link to this one:</p>",
             "<ul>"]
    for referrer in referrers:
        pid = referrer.protocol_id
        title_link = f'<a href="{paths.href(paths.canonical(pid))}">{escape(referrer.title)}</a>'
        versions = ", ".join(
            f'<a href="{paths.href(paths.version_page(pid, version.version))}">version {escape(version.version)}</a>'
            f" ({STATE_WORDS[version.state]})"
            for version in referrer.versions
        )
        lines.append(f"<li>{title_link}: {versions}</li>")
    return "\n".join([*lines, "</ul>"]) + "\n"
