"""Approvals, status and versions (§4): the register's P105, P401, P402, P403, P404, P405, P406, P407.

Decisions where the format is silent:
- Which entries count is `generator.approvals.signoffs`: P406 reports every entry that counts for nothing. Of
  the rest, each reviewer's latest entry per role and version stands, unless it is a withdrawal;
  P401 counts standing entries, P402 reports standing entries whose fingerprint is stale.
- P401 needs `minimum` distinct reviewers and a different reviewer for each required role (a
  matching of roles to reviewers); one person who signed in two required roles fills one.
- P402 applies to approved and retired versions only: a draft or a version in review may change
  after a sign-off (that is what review is for); the stale sign-off then simply does not count
  (see `signoffs.missing_for`) and becomes P402 if the version is marked approved unchanged.
- An approval for a version the protocol does not have is P402 (its fingerprint matches no content).
- P403 and P404 compare a version with the version file just before it; when that file does not
  validate (already an error) P404 is skipped for it. An approved or retired version is also compared
  with the latest approved or retired version before it, so a dose changed in an unpublished draft in
  between is still named; a change both comparisons find is reported once.
- P404: a change is "named" when the regimen's or phase's id appears in a `changes` entry as a
  whole word (letters, digits and hyphens around it do not count), case-sensitively.
- P405: effective dates of approved and retired versions may not decrease with the version
  number; two versions on the same day are allowed (the higher one is current).
- P407 warns for the current version only: retired, superseded and upcoming versions are not in use.
"""

from __future__ import annotations

import string
from collections.abc import Iterator

from generator.approvals.diff import DoseChange, dosing_changes
from generator.approvals.signoffs import ApprovalFacts, Ledger, missing_for
from generator.approvals.versions import current_version, review_due, review_overdue
from generator.checks import CheckContext
from generator.diagnostics import Diagnostic, excerpt, format_path
from generator.load.library import Library, Protocol, VersionFile, version_key
from generator.model.field_types import PUBLISHED_STATUSES


def _short(fingerprint: str) -> str:
    return fingerprint[:19] + "..." if len(fingerprint) > 19 else fingerprint


def _previous_numbers(protocol: Protocol) -> dict[str, str]:
    """Each version number -> the number of the version file just before it (valid or not)."""
    numbers = sorted(set(protocol.versions) | protocol.invalid_versions, key=version_key)
    return {later: earlier for earlier, later in zip(numbers, numbers[1:], strict=False)}


def _plain(text: str) -> str:
    return excerpt(text, quoted=False)


def _p401(protocol: Protocol, version: VersionFile, library: Library, judged: Ledger) -> Iterator[Diagnostic]:
    policy = library.policy
    if version.doc.status != "approved" or policy is None:
        return
    missing = missing_for(protocol, version, library, None, judged)
    details = []
    if missing.reviewers:
        have = policy.approval.minimum - missing.reviewers
        plural = "s" if missing.reviewers > 1 else ""
        details.append(f"{missing.reviewers} more distinct reviewer{plural} (has {have} of {policy.approval.minimum})")
    unsigned = [role for role in missing.roles if role not in missing.shared_roles]
    if unsigned:
        details.append(f"no approval in role{'s' if len(unsigned) > 1 else ''} {', '.join(unsigned)}")
    if missing.shared_roles:
        details.append(
            f"role{'s' if len(missing.shared_roles) > 1 else ''} {', '.join(missing.shared_roles)} signed only by "
            "a reviewer who fills another required role: each required role needs a different reviewer"
        )
    if details:
        still = f" (roles still needed: {', '.join(missing.roles)})" if missing.roles else ""
        yield Diagnostic(
            "P401",
            f"version {version.version} is approved without the approvals the policy asks for: " + "; ".join(details),
            version.source.at(("status",)),
            "status",
            f"each missing reviewer signs with their own key: `protocols approve {protocol.id} {version.version} "
            f"--role ROLE`{still}; or set status: in-review",
        )


def _p406(protocol: Protocol, judged: Ledger) -> Iterator[Diagnostic]:
    source = protocol.approvals_source
    if source is None:
        return
    for signoff in judged.signoffs:
        if signoff.counts:
            continue
        path: tuple[str | int, ...] = (signoff.index, signoff.field) if signoff.field else (signoff.index,)
        yield Diagnostic("P406", signoff.problem, source.at(path), format_path(path), signoff.hint)


def _p402(protocol: Protocol, facts: ApprovalFacts, judged: Ledger) -> Iterator[Diagnostic]:
    source = protocol.approvals_source
    if source is None:
        return
    for index, approval in enumerate(protocol.approvals):
        if approval.version not in protocol.versions and approval.version not in protocol.invalid_versions:
            yield Diagnostic(
                "P402",
                f"approval by {_plain(approval.reviewer)} ({_plain(approval.role)}) is for version {approval.version}, "
                f"which {protocol.id} does not have",
                source.at((index, "version")),
                format_path((index, "version")),
                f"restore {protocol.id}/{approval.version}.yaml: a signed-off version stays for the audit trail",
            )
    for version in protocol.ordered():
        if version.doc.status not in PUBLISHED_STATUSES:
            continue
        current = facts.fingerprint(version)
        for signoff in judged.standing(version.version):
            approval = signoff.entry
            if approval.fingerprint == current:
                continue
            yield Diagnostic(
                "P402",
                f"approval of {version.version} by {_plain(signoff.name)} ({_plain(signoff.role)}, "
                f"{approval.date.isoformat()}) "
                f"carries fingerprint {_short(approval.fingerprint)} but the content now has {_short(current)}: "
                "the version, or a drug or reference entry it uses, changed after it was approved",
                source.at((signoff.index, "fingerprint")),
                format_path((signoff.index, "fingerprint")),
                "check what changed with `protocols diff`; each reviewer who agrees signs the version again with "
                f"their own key (`protocols approve {protocol.id} {version.version} --role {_plain(signoff.role)}`)",
            )


def _p403(version: VersionFile, previous: str | None) -> Iterator[Diagnostic]:
    if previous is None or any(entry.strip() for entry in version.doc.changes):
        return
    source = version.source
    where = ("changes",) if isinstance(source.data, dict) and "changes" in source.data else ("status",)
    yield Diagnostic(
        "P403",
        f"version {version.version} has no changes: every version after the first must say what changed "
        f"since {previous}",
        source.at(where),
        "changes",
        f"add changes: a list of what changed since {previous}, naming each regimen or phase whose dosing changed",
    )


_ID_CHARACTERS = frozenset(string.ascii_letters + string.digits + "-")  # what may continue an id on either side


def _named(item_id: str, changes: list[str]) -> bool:
    """Whether an entry of changes holds `item_id` as a whole word: not inside a longer id ("induction" is not
    named by "induction-x"). Found with str.find rather than a regex per id: compiling one for each of a
    library's regimens and phases cost 14 ms of a check at N = 100."""
    return any(_holds_word(entry, item_id) for entry in changes)


def _holds_word(text: str, word: str) -> bool:
    start = text.find(word)
    while start >= 0:
        end = start + len(word)
        if (start == 0 or text[start - 1] not in _ID_CHARACTERS) and (
            end == len(text) or text[end] not in _ID_CHARACTERS
        ):
            return True
        start = text.find(word, start + 1)
    return False


def _p404_diagnostic(change: DoseChange, version: VersionFile, previous: str, published: bool) -> Diagnostic:
    key = "regimens" if change.kind == "regimen" else "phases"
    before = f"{previous} (the latest published version before it)" if published else previous
    if change.change == "changed":
        path: tuple[str | int, ...] = (key, change.new_index or 0, change.field)
        message = (
            f"{change.field} of {change.kind} {change.id} changed from {change.old} in {before} to {change.new}, "
            f"but no entry of changes names {change.id}"
        )
    elif change.change == "added":
        path = (key, change.new_index or 0, "id")
        message = f"{change.kind} {change.id} is new since {before}, but no entry of changes names {change.id}"
    else:
        path = (key,) if version.source.get((key,)) is not None else ("changes",)
        message = f"{change.kind} {change.id} of {before} was removed, but no entry of changes names {change.id}"
    return Diagnostic(
        "P404",
        message,
        version.source.at(path),
        format_path(path),
        f"add an entry to changes that names {change.id} and says what changed: no silent dose changes",
    )


def _latest_published_before(protocol: Protocol, version: VersionFile) -> VersionFile | None:
    earlier = [v for v in protocol.ordered() if version_key(v.version) < version_key(version.version)]
    published = [v for v in earlier if v.doc.status in PUBLISHED_STATUSES]
    return published[-1] if published else None


def _p404(protocol: Protocol, version: VersionFile, previous: VersionFile | None,
          library: Library) -> Iterator[Diagnostic]:
    comparisons = [(previous, False)] if previous is not None else []
    if version.doc.status in PUBLISHED_STATUSES:
        published = _latest_published_before(protocol, version)
        if published is not None and published is not previous:
            comparisons.append((published, True))
    reported: set[tuple[str, str, str, str]] = set()
    for before, is_published in comparisons:
        assert before is not None
        for change in dosing_changes(before.doc, version.doc, library):
            what = (change.kind, change.id, change.field or "", change.change)
            if what in reported or _named(change.id, version.doc.changes):
                continue
            reported.add(what)
            yield _p404_diagnostic(change, version, before.version, is_published)


def _p405(protocol: Protocol) -> Iterator[Diagnostic]:
    latest: VersionFile | None = None
    for version in protocol.ordered():
        doc, source = version.doc, version.source
        if doc.status not in PUBLISHED_STATUSES:
            continue
        if doc.effective is None:
            yield Diagnostic(
                "P405",
                f"version {version.version} is {doc.status} but has no effective date",
                source.at(("status",)),
                "status",
                "add effective: YYYY-MM-DD, the first day the version is in force",
            )
            continue
        if latest is not None and latest.doc.effective is not None and doc.effective < latest.doc.effective:
            yield Diagnostic(
                "P405",
                f"effective {doc.effective.isoformat()} of {version.version} is before "
                f"{latest.doc.effective.isoformat()}, the effective date of {latest.version}: "
                "effective dates must follow version order",
                source.at(("effective",)),
                "effective",
                "a later version takes effect on or after the one before it: correct the date",
            )
            continue
        latest = version


def _p407(protocol: Protocol, library: Library, context: CheckContext) -> Iterator[Diagnostic]:
    version = current_version(protocol, context.as_of)
    if version is None or not review_overdue(version, library.policy, context.as_of):
        return
    due = review_due(version, library.policy)
    assert due is not None  # review_overdue is true only with a due date
    key = "review_due" if version.doc.review_due is not None else "effective"
    how = "" if key == "review_due" else (
        f" ({version.doc.effective} + {library.policy.review_interval_months if library.policy else 24} months)"
    )
    yield Diagnostic(
        "P407",
        f"review of {protocol.id} {version.version} was due on {due.isoformat()}{how}; "
        f"the build date is {context.as_of.isoformat()}",
        version.source.at((key,)),
        key,
        f"review the protocol and approve its next version (start it with `protocols new {protocol.id}`)",
    )


def check(library: Library, context: CheckContext) -> Iterator[Diagnostic]:
    facts = context.approval_facts(library)
    yield from facts.register().diagnostics
    for protocol in library.protocols.values():
        judged = facts.ledger(protocol)
        previous_numbers = _previous_numbers(protocol)
        for version in protocol.ordered():
            previous = previous_numbers.get(version.version)
            yield from _p401(protocol, version, library, judged)
            yield from _p403(version, previous)
            yield from _p404(protocol, version, protocol.versions.get(previous) if previous else None, library)
        yield from _p406(protocol, judged)
        yield from _p402(protocol, facts, judged)
        yield from _p405(protocol)
        yield from _p407(protocol, library, context)
