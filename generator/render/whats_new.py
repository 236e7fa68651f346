"""The "What's new" page `whats-new/index.md` (issue 16): what changed in the protocols of this site.

Versions that will take effect come first, soonest first, with their dates; then the versions that took
effect (and retirements), newest first. Each entry lists its dose changes against the version before it
on this site first (generator.approvals.diff.dosing_changes, the same comparison as the diff pages), then points to
the version's own list of changes. The clinician site shows only published versions (the publication
holds nothing else); the reviewer site adds the versions in preparation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from generator.approvals.diff import DoseChange
from generator.approvals.publication import STATE_WORDS, ProtocolInfo, Publication, VersionInfo
from generator.load.library import Library
from generator.model import page_paths as paths
from generator.model.field_types import UNPUBLISHED_STATUSES
from generator.render.html_page import html_page
from generator.render.page_dates import upcoming_on_site
from generator.render.templates import render_template

if TYPE_CHECKING:
    from generator.render.families import SiteContext

PAGE = paths.WHATS_NEW


@dataclass(frozen=True)
class Entry:
    date: str  # the effective date, YYYY-MM-DD; "" for a version in preparation without one
    title: str
    version: str
    state_words: str
    link: str  # root-relative (paths.href)
    changes_link: str  # the version's own "Changes in this version"
    dose_changes: tuple[str, ...]
    first: bool  # the protocol's first version on this site
    other_changes: int  # how many entries the version's `changes` lists


def dose_change_words(change: DoseChange) -> str:
    """ "regimen ketamine-iv, dose: 0.5 mg/kg changed to 0.6 mg/kg"; "phase maintenance added: ..."."""
    what = f"{change.kind} {change.id}"
    if change.change == "added":
        return f"{what} added: {change.new}"
    if change.change == "removed":
        return f"{what} removed: {change.old}"
    return f"{what}, {change.field}: {change.old} changed to {change.new}"


def _entry(library: Library, publication: Publication, info: ProtocolInfo, version: VersionInfo,
           before: VersionInfo | None) -> Entry:
    doc = version.file.doc
    target = paths.version_page(info.id, version.version)
    link = paths.href(target)
    compared = publication.dose_changes_between(library, before.file, version.file) if before else []
    changes = [dose_change_words(change) for change in compared]
    return Entry(
        date=doc.effective.isoformat() if doc.effective is not None else "",
        title=doc.title,
        version=version.version,
        state_words=STATE_WORDS[version.state],
        link=link,
        changes_link=paths.href(target, "changes"),
        dose_changes=tuple(changes),
        first=before is None,
        other_changes=len(doc.changes),
    )


def whats_new_entries(library: Library, publication: Publication) -> dict[str, list[Entry]]:
    """{"upcoming": soonest first, "in_effect": newest first, "in_preparation": reviewer site only}."""
    groups: dict[str, list[Entry]] = {"upcoming": [], "in_effect": [], "in_preparation": []}
    for info in publication.protocols.values():
        before: VersionInfo | None = None
        for version in info.versions:  # ascending: each compared with the one before it on this site
            entry = _entry(library, publication, info, version, before)
            if version.state == "upcoming":
                groups["upcoming"].append(entry)
            elif version.state in UNPUBLISHED_STATUSES:
                groups["in_preparation"].append(entry)
            else:
                groups["in_effect"].append(entry)
            before = version
    groups["upcoming"].sort(key=lambda entry: (entry.date, entry.title, entry.version))
    # newest first; on one date, the versions that change a dose first
    groups["in_effect"].sort(key=lambda entry: (entry.title, entry.version))
    groups["in_effect"].sort(key=lambda entry: (entry.date, bool(entry.dose_changes)), reverse=True)
    groups["in_preparation"].sort(key=lambda entry: (entry.title, entry.version))
    return groups


def render_whats_new(library: Library, publication: Publication) -> str:
    body = render_template("whats_new.html.j2", as_of=publication.as_of, reviewer=publication.reviewer,
                           groups=whats_new_entries(library, publication),
                           upcoming_json=upcoming_on_site(publication))
    return html_page("What's new", body)


def render_whats_new_page(ctx: SiteContext) -> dict[str, str]:
    return {PAGE: render_whats_new(ctx.library, ctx.publication)}
