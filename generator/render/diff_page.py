"""Diff pages: what changed between two versions of a protocol, dosing changes first (§4, §7 `diff`).

`protocols/<id>/<version>/diff/index.md` compares a version with the one before it on the same site
(clinician site: the previous published version; reviewer site: the previous version of any status).
The reviewer dashboard reuses `render_diff_page` to compare a version awaiting approval with the
version in use.

Protocol text reaches the page only escaped: the word diff works on the authors' Markdown source, so
each piece is shown as source text (HTML-escaped), never rendered as Markdown or HTML. Insertions and
deletions carry words as well as <ins>/<del>, so the page does not rely on colour or strike-through alone.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from markdown.extensions.toc import slugify, unique
from markupsafe import Markup

from generator.approvals.diff import DoseChange, Op, TextChange, VersionDiff, diff_versions
from generator.approvals.publication import STATE_WORDS, ProtocolInfo, Publication, VersionInfo
from generator.load.library import Library
from generator.model import page_paths as paths
from generator.model.field_types import UNPUBLISHED_STATUSES
from generator.render.html_page import html_page
from generator.render.templates import render_template
from generator.text.citations import reference_page_html

if TYPE_CHECKING:
    from generator.render.families import SiteContext

INSERTED_WORD = "added"
DELETED_WORD = "removed"


def predecessor(info: ProtocolInfo, version: VersionInfo) -> VersionInfo | None:
    """The version before `version` among those this site shows (None for the first)."""
    position = info.versions.index(version)
    return info.versions[position - 1] if position > 0 else None


def plan_diff_pages(ctx: SiteContext) -> list[str]:
    return [
        paths.diff_page(protocol_id, version.version)
        for protocol_id, info in ctx.publication.protocols.items()
        for version in info.versions
        if predecessor(info, version) is not None
    ]


def render_diff_pages(ctx: SiteContext) -> dict[str, str]:
    pages = {}
    for protocol_id, info in ctx.publication.protocols.items():
        for version in info.versions:
            before = predecessor(info, version)
            if before is None:
                continue
            page = paths.diff_page(protocol_id, version.version)
            pages[page] = render_diff_page(ctx.library, ctx.publication, info, before, version, page, ctx.site_pages)
    return pages


# --- pieces of the page -------------------------------------------------------------------------------


@dataclass(frozen=True)
class DoseRow:
    item: str  # "regimen ketamine-iv"
    item_link: str  # to the regimen or phase on the version page that has it; "" for none
    field: str  # "dose", or "whole regimen (added)" when one was added or removed
    change_html: Markup  # "<del>0.5 mg/kg</del> → <ins>0.6 mg/kg</ins>", "added: <ins>...</ins>"


def _escape_source(text: str) -> str:
    """Author Markdown source as HTML text: shown as written, line breaks kept (the block is one line)."""
    return html.escape(text, quote=True).replace("\n", "&#10;")


def ops_html(ops: list[tuple[Op, str]]) -> str:
    """A word diff as one line of HTML: <del>/<ins> plus the words "[removed: ...]" and "[added: ...]"."""
    pieces = []
    for op, text in ops:
        shown = _escape_source(text)
        if op == "delete":
            pieces.append(f'<span class="pc-diff-del">[{DELETED_WORD}: <del>{shown}</del>]</span>')
        elif op == "insert":
            pieces.append(f'<span class="pc-diff-ins">[{INSERTED_WORD}: <ins>{shown}</ins>]</span>')
        else:
            pieces.append(shown)
    return "".join(pieces)


def dose_change_html(change: DoseChange) -> str:
    """old → new in the formatter's notation, escaped; words say which side is which."""
    old, new = html.escape(change.old), html.escape(change.new)
    if change.change == "added":
        return f"{INSERTED_WORD}: <ins>{new}</ins>"
    if change.change == "removed":
        return f"{DELETED_WORD}: <del>{old}</del>"
    return f"<del>{old}</del> → <ins>{new}</ins>"


def _dose_rows(diff: VersionDiff) -> list[DoseRow]:
    rows = []
    for change in diff.dose_changes:
        version, anchor = diff.target(change)
        target = paths.version_page(diff.protocol_id, version)
        field = change.field or f"whole {change.kind} ({change.change})"
        rows.append(
            DoseRow(
                item=f"{change.kind} {change.id}",
                item_link=paths.href(target, anchor),
                field=field,
                change_html=Markup(dose_change_html(change)),
            )
        )
    return rows


# The ids the page sets itself; a text change's heading gets the id Python-Markdown's toc extension
# would give it (its slug, made unique on the page).
_PAGE_IDS = ("dosing-changes", "text-changes", "references-changed")


def _text_views(changes: list[TextChange]) -> list[dict[str, Any]]:
    used = set(_PAGE_IDS)
    return [{"label": change.label, "anchor": unique(slugify(change.label, "-"), used),
             "html": Markup(ops_html(change.ops))} for change in changes]


def _state_banners(old: VersionInfo, new: VersionInfo) -> list[dict[str, Any]]:
    """Reviewer site: a version that is not approved is marked on every page that shows it."""
    banners = []
    for version in (new, old) if old.version != new.version else (new,):
        if version.state in UNPUBLISHED_STATUSES:
            what = "a draft" if version.state == "draft" else "in review"
            banners.append(
                {
                    "title": f"Version {version.version}: {STATE_WORDS[version.state]}",
                    "body_html": Markup(f"<p>Version {version.version} is {what}: it is not "
                                        "approved for clinical use and is shown on the reviewer site only.</p>"),
                }
            )
    return banners


def render_diff_page(
    library: Library,
    publication: Publication,
    info: ProtocolInfo,
    old: VersionInfo,
    new: VersionInfo,
    page: str,
    site_pages: set[str],
    diff: VersionDiff | None = None,
) -> str:
    """The page text showing what changed from version `old` to version `new` (links root-relative, so the
    page path `page` only names where it goes)."""
    if diff is None:
        diff = diff_versions(old.file, new.file, library, publication.dose_changes_between(library, old.file, new.file))
    old_page = paths.version_page(info.id, old.version)
    new_page = paths.version_page(info.id, new.version)
    history = paths.history(info.id)

    def reference_entries(ids: list[str]) -> list[Markup | str]:
        return [Markup(reference_page_html(library.references[ref])) if ref in library.references else ref
                for ref in ids]

    context: dict[str, Any] = {
        "old": {"version": old.version, "state_words": STATE_WORDS[old.state], "link": paths.href(old_page)},
        "new": {"version": new.version, "state_words": STATE_WORDS[new.state], "link": paths.href(new_page)},
        "banners": _state_banners(old, new),
        "canonical_link": paths.href(paths.canonical(info.id)),
        "history_link": paths.href(history) if history in site_pages else "",
        "changes_link": paths.href(new_page, "changes") if new.file.doc.changes else "",
        "dose_rows": _dose_rows(diff),
        "text_changes": _text_views(diff.text_changes),
        "references_added": reference_entries(diff.references_added),
        "references_removed": reference_entries(diff.references_removed),
    }
    title = f"{new.file.doc.title}: changes from version {old.version} to version {new.version}"
    return html_page(title, render_template("diff.html.j2", d=context))
