"""The reviewer dashboard `review/index.md` (reviewer site only): every version awaiting approval, the
approvals it still needs and who in the register may give them, the dosing changes against the version
in use, and a link to what it changes.

A version awaits approval when it is a draft, in review, or approved without the approvals the
policy asks for (counting only approvals that carry its current fingerprint). Its changes against the
version in use are the diff page `protocols/<id>/<version>/diff/` when the version in use is the one
before it, else a page of its own, `protocols/<id>/<version>/diff-current/`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from generator.approvals import signoffs
from generator.approvals.diff import DoseChange
from generator.approvals.publication import STATE_WORDS, ProtocolInfo, Publication, VersionInfo
from generator.load.library import Library
from generator.model import page_paths as paths
from generator.model.field_types import UNPUBLISHED_STATUSES
from generator.render.diff_page import predecessor, render_diff_page
from generator.render.html_page import html_page
from generator.render.templates import render_template

if TYPE_CHECKING:
    from generator.render.families import SiteContext

DASHBOARD = paths.DASHBOARD
diff_current_page = paths.diff_current_page


@dataclass(frozen=True)
class Awaiting:
    info: ProtocolInfo
    version: VersionInfo
    reviewers_missing: int  # distinct reviewers the policy still asks for
    roles_missing: list[str]  # required roles not yet covered
    may_fill: dict[str, list[str]]  # each missing role -> the register's reviewers who hold it
    dose_changes: list[DoseChange]  # against the version in use

    @property
    def approvals_missing(self) -> int:
        """How many more sign-offs at least: enough reviewers, and one per uncovered role."""
        return max(self.reviewers_missing, len(self.roles_missing))

    @property
    def compared_with(self) -> VersionInfo | None:
        """The version in use, when there is one and it is not this version."""
        current = self.info.current
        return current if current is not None and current.version != self.version.version else None

    def diff_page(self) -> str:
        """Where this version's changes against the version in use are shown ("" without one)."""
        current = self.compared_with
        if current is None:
            return ""
        before = predecessor(self.info, self.version)
        if before is not None and before.version == current.version:
            return paths.diff_page(self.info.id, self.version.version)
        return diff_current_page(self.info.id, self.version.version)

    def needs_diff_current(self) -> bool:
        """Its changes against the version in use get a page of their own: that version is not the one before."""
        return self.diff_page() == diff_current_page(self.info.id, self.version.version)


def awaiting_approval(library: Library, publication: Publication) -> list[Awaiting]:
    """Versions awaiting approval, by protocol id then version (reviewer site only: [] otherwise)."""
    if not publication.reviewer:
        return []
    found = []
    facts = publication.approvals if publication.approvals is not None else signoffs.ApprovalFacts(library)
    for info in publication.protocols.values():
        for version in info.versions:
            status = version.file.doc.status
            if status not in (*UNPUBLISHED_STATUSES, "approved"):
                continue
            missing = facts.missing(info.protocol, version.file, version.fingerprint)
            if status == "approved" and missing.nothing:
                continue
            register = facts.register()
            may_fill = {role: register.who_may(role) for role in missing.roles}
            current = info.current
            changes = (
                publication.dose_changes_between(library, current.file, version.file)
                if current is not None and current.version != version.version
                else []
            )
            found.append(Awaiting(info, version, missing.reviewers, missing.roles, may_fill, changes))
    return found


def plan_review_pages(ctx: SiteContext) -> list[str]:
    if not ctx.reviewer:
        return []
    items = awaiting_approval(ctx.library, ctx.publication)
    return [DASHBOARD, *sorted({item.diff_page() for item in items if item.needs_diff_current()})]


def render_review_pages(ctx: SiteContext) -> dict[str, str]:
    if not ctx.reviewer:
        return {}
    items = awaiting_approval(ctx.library, ctx.publication)
    pages = {DASHBOARD: render_dashboard(items, ctx.publication)}
    for item in items:
        current = item.compared_with
        if item.needs_diff_current() and current is not None:
            page = item.diff_page()
            pages[page] = render_diff_page(
                ctx.library, ctx.publication, item.info, current, item.version, page, ctx.site_pages
            )
    return pages


def _dose_change_words(change: DoseChange) -> str:
    """ "regimen ketamine-iv dose: 0.5 mg/kg to 0.6 mg/kg", "phase maintenance added"."""
    if change.change != "changed":
        return f"{change.kind} {change.id} {change.change}"
    return f"{change.kind} {change.id} {change.field}: {change.old} to {change.new}"


def _row(item: Awaiting) -> dict[str, Any]:
    version = item.version
    diff = item.diff_page()
    current = item.compared_with
    return {
        "title": version.file.doc.title,
        "link": paths.href(paths.version_page(item.info.id, version.version)),
        "version": version.version,
        "state_words": (
            f"approved ({STATE_WORDS[version.state]})"
            if version.file.doc.status == "approved"
            else STATE_WORDS[version.state]
        ),
        "approvals": version.approvals,
        "approvals_missing": item.approvals_missing,
        "roles_missing": [
            f"a {role} ({', '.join(item.may_fill[role]) or 'nobody in the register holds this role'})"
            for role in item.roles_missing
        ],
        "dose_changes": [_dose_change_words(change) for change in item.dose_changes],
        "current_version": current.version if current is not None else "",
        "diff_link": paths.href(diff) if diff else "",
    }


def render_dashboard(items: list[Awaiting], publication: Publication) -> str:
    body = render_template("dashboard.html.j2", as_of=publication.as_of, rows=[_row(item) for item in items])
    return html_page("Review dashboard", body)
