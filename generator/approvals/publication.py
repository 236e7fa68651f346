"""What the site publishes on a build date: per protocol, its published versions, their state, and
the version its canonical page shows (§4). Pure; computed once per build and shared by every page.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from generator.approvals import signoffs, versions
from generator.approvals.diff import DoseChange, dosing_changes
from generator.approvals.signoffs import SignOffView
from generator.load.library import Library, Protocol, VersionFile
from generator.model.field_types import UNPUBLISHED_STATUSES
from generator.model.schema import Approval

# A version's state on the build date, as the reader needs to see it.
STATE_WORDS = {
    "current": "current",
    "superseded": "superseded",
    "upcoming": "upcoming",
    "retired": "retired",
    "draft": "draft, not approved for use",
    "in-review": "in review, not approved for use",
}


@dataclass(frozen=True)
class ShownVersion:
    """A version a site shows, and its state on the build date."""

    file: VersionFile
    state: str  # a key of STATE_WORDS

    @property
    def version(self) -> str:
        return self.file.version


@dataclass(frozen=True)
class VersionInfo(ShownVersion):
    """A shown version with what its pages print: fingerprint, review date and sign-offs."""

    fingerprint: str
    review_due: dt.date | None
    approvals: list[Approval]  # the standing, verified sign-offs that carry the current fingerprint
    missing_approvals: list[str]  # reviewer site: what the policy still asks for
    signoffs: list[SignOffView] = field(default_factory=list)  # every ledger entry, with its state
    audit_signoffs: list[dict[str, str | None]] = field(default_factory=list)  # protocols.json

    @property
    def short_fingerprint(self) -> str:
        """ "sha256:161a5071": enough to compare a printed page with the audit file."""
        return self.fingerprint[: len("sha256:") + 8]

    def review_overdue(self, as_of: dt.date) -> bool:
        """Only the version in use is held to its review date."""
        return self.state == "current" and self.review_due is not None and self.review_due < as_of


V = TypeVar("V", bound=ShownVersion)


@dataclass(frozen=True)
class ShownProtocol(Generic[V]):
    """A protocol with a page: the versions its site shows (`ShownVersion`s to link them, `VersionInfo`s to
    print them), and which of them its canonical page shows."""

    protocol: Protocol
    versions: list[V]  # published on this site, ascending version order
    canonical: V | None  # what protocols/<id>/ shows; None: no page
    current: V | None  # the current version on the build date, if any
    retired: bool
    by_version: dict[str, V] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return self.protocol.id


ProtocolInfo = ShownProtocol[VersionInfo]


@dataclass(frozen=True)
class SiteVersions(Generic[V]):
    """Which versions a site shows on a date, and which one each canonical page shows: all that cross-references
    need (`SiteLinks`), without the fingerprints and sign-offs that `Publication` adds for the pages."""

    as_of: dt.date
    reviewer: bool
    protocols: dict[str, ShownProtocol[V]]  # sorted by id; only protocols with a page


@dataclass(frozen=True)
class Publication(SiteVersions[VersionInfo]):
    """What the pages of a site show: `SiteVersions` with each version's `VersionInfo`."""

    # what several pages show identically, rendered once per build: ("schedule", protocol id, *phases as
    # JSON) -> timeline figure, ("reference", reference id) -> bibliography entry
    rendered: dict[tuple[str, ...], str] = field(default_factory=dict, compare=False, repr=False)
    # the register, judged ledgers and fingerprints this publication was made from, for pages that need more
    approvals: signoffs.ApprovalFacts | None = field(default=None, compare=False, repr=False)
    dose_rows: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)  # see render.dose_tables
    # What's new, the dashboard and the diff pages compare the same pairs of versions:
    # (protocol id, old version, new version) -> their dosing changes, compared once per build
    dose_changes: dict[tuple[str, str, str], list[DoseChange]] = field(default_factory=dict, compare=False,
                                                                       repr=False)

    def dose_changes_between(self, library: Library, old: VersionFile, new: VersionFile) -> list[DoseChange]:
        """`dosing_changes` from `old` to `new` (two versions of one protocol), computed once per build."""
        key = (new.id, old.version, new.version)
        if key not in self.dose_changes:
            self.dose_changes[key] = dosing_changes(old.doc, new.doc, library)
        return self.dose_changes[key]

    def version_published(self, protocol_id: str, version: str) -> bool:
        info = self.protocols.get(protocol_id)
        return info is not None and version in info.by_version


def _missing_words(missing_now: signoffs.Missing) -> list[str]:
    count, roles = missing_now.reviewers, missing_now.roles
    missing = [f"a {role}" for role in roles]
    if count > len(roles):
        extra = count - len(roles)
        missing.append(f"{extra} more {'reviewer' if extra == 1 else 'reviewers'}")
    return missing


def _version_info(
    library: Library, protocol: Protocol, facts: signoffs.ApprovalFacts, shown: ShownVersion, reviewer: bool
) -> VersionInfo:
    version = shown.file
    fingerprint = facts.fingerprint(version)
    judged = facts.ledger(protocol)
    current = [s.entry for s in judged.standing(version.version) if s.entry.fingerprint == fingerprint]
    missing: list[str] = []
    if reviewer and version.doc.status in UNPUBLISHED_STATUSES:
        missing = _missing_words(facts.missing(protocol, version, fingerprint))
    return VersionInfo(
        file=version,
        state=shown.state,
        fingerprint=fingerprint,
        review_due=versions.review_due(version, library.policy),
        approvals=current,
        missing_approvals=missing,
        signoffs=signoffs.views(judged, version.version, fingerprint) if reviewer else [],
        audit_signoffs=signoffs.audit_entries(judged, version.version, fingerprint),
    )


def _canonical(shown: list[ShownVersion], current: ShownVersion | None, retired: bool) -> ShownVersion | None:
    """The version protocols/<id>/ shows: the retired one, else the current one, else the next one due
    (clinician site: the earliest upcoming), else the latest (reviewer site: a draft or one in review)."""
    if not shown:
        return None
    if retired:
        retired_versions = [info for info in shown if info.state == "retired"]
        if retired_versions:
            return retired_versions[-1]
    if current is not None:
        return current
    upcoming = [info for info in shown if info.state == "upcoming"]
    return upcoming[0] if upcoming else shown[-1]


def site_versions(library: Library, as_of: dt.date, reviewer: bool) -> SiteVersions[ShownVersion]:
    """Which protocols and versions the site shows on `as_of`, and in which state."""
    protocols: dict[str, ShownProtocol[ShownVersion]] = {}
    for protocol_id in sorted(library.protocols):
        protocol = library.protocols[protocol_id]
        retired = versions.protocol_retired(protocol)
        shown = []
        for version in versions.published(protocol, reviewer):
            state = versions.state(protocol, version, as_of)
            # no version of a retired protocol is in use, whatever its dates say
            shown.append(ShownVersion(version, "retired" if retired and state == "current" else state))
        if not shown:
            continue
        current = next((info for info in shown if info.state == "current"), None)
        protocols[protocol_id] = ShownProtocol(protocol, shown, _canonical(shown, current, retired), current, retired,
                                               {info.version: info for info in shown})
    return SiteVersions(as_of, reviewer, protocols)


@dataclass
class ShownSites:
    """`site_versions` of each site (clinician, reviewer) on one build date, worked out once per run: the
    xrefs check (P303) and the pages of `protocols build` read the same. The run owns one and passes it
    down. While a check sees the versions with schema errors too (`partial_versions_included`), what it
    works out is not kept: the pages never show those."""

    library: Library
    as_of: dt.date
    by_kind: dict[bool, SiteVersions[ShownVersion]] = field(default_factory=dict, repr=False)

    def site(self, reviewer: bool) -> SiteVersions[ShownVersion]:
        if reviewer in self.by_kind:
            return self.by_kind[reviewer]
        shown = site_versions(self.library, self.as_of, reviewer)
        if not any(protocol.partial_versions for protocol in self.library.protocols.values()):
            self.by_kind[reviewer] = shown
        return shown


def publication(library: Library, as_of: dt.date, reviewer: bool,
                approvals: signoffs.ApprovalFacts | None = None, sites: ShownSites | None = None) -> Publication:
    """What the site publishes on `as_of`: `site_versions`, with each version's fingerprint and sign-offs
    (`approvals`: the run's fingerprints and judged ledgers, `sites`: its shown versions, when it has them)."""
    facts = approvals if approvals is not None else signoffs.ApprovalFacts(library)
    if sites is not None and (sites.library is not library or sites.as_of != as_of):
        raise ValueError("the shown sites were worked out for another library or build date")
    site_shown = (sites if sites is not None else ShownSites(library, as_of)).site(reviewer)
    protocols: dict[str, ProtocolInfo] = {}
    for protocol_id, site in site_shown.protocols.items():
        shown = [_version_info(library, site.protocol, facts, version, reviewer) for version in site.versions]
        by_version = {info.version: info for info in shown}
        protocols[protocol_id] = ShownProtocol(
            protocol=site.protocol,
            versions=shown,
            canonical=by_version[site.canonical.version] if site.canonical is not None else None,
            current=by_version[site.current.version] if site.current is not None else None,
            retired=site.retired,
            by_version=by_version,
        )
    return Publication(as_of, reviewer, protocols, approvals=facts)
