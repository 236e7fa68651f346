"""`protocols status [--as-of DATE] [--format text|json] [DIR]`: what is waiting, protocol by protocol.

For each protocol: the version in use on the date and its review date (overdue, or due within
REVIEW_WARNING_DAYS), versions approved but not yet effective, and every draft or version in review with
what it still needs: its check errors and the approvals the policy asks for, with who in the register may
give them. Versions whose file does not validate are listed with their errors.

Every judgement comes from the modules the checks and the sites use (versions, signoffs, the checks
themselves): this command only gathers and prints. It always exits 0 once the folder is read.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
from dataclasses import dataclass, field
from typing import TextIO

from generator.approvals import signoffs
from generator.approvals.register import name_key
from generator.approvals.versions import protocol_retired, review_due, state, version_fingerprint
from generator.commands.shared import EXIT_OK, build_date, check_library, open_library
from generator.diagnostics import Diagnostic, sorted_diagnostics
from generator.load.library import Library, Protocol, VersionFile
from generator.model.field_types import UNPUBLISHED_STATUSES

REVIEW_WARNING_DAYS = 60
ERRORS_SHOWN = 3  # per version in the text format; the JSON lists them all


@dataclass(frozen=True)
class RoleNeeded:
    role: str
    may_sign: list[str]  # register names holding the role who have not signed this version yet


@dataclass(frozen=True)
class Pending:
    """A draft, a version in review, or a version file that does not validate."""

    version: str
    status: str  # "draft", "in-review" or "invalid"
    file: str
    errors: list[Diagnostic]
    reviewers_needed: int = 0
    roles_needed: list[RoleNeeded] = field(default_factory=list)


@dataclass(frozen=True)
class ProtocolStatus:
    id: str
    title: str
    retired: bool
    in_use: VersionFile | None
    review_due: dt.date | None
    review: str  # "overdue", "due" (within REVIEW_WARNING_DAYS), "ok" or "" (no version in use / no date)
    upcoming: list[VersionFile]
    pending: list[Pending]
    # errors in the protocol's other files: approved or retired versions (a change after approval, P402) and
    # approvals.yaml; the site is not built until they are fixed
    other_errors: list[Diagnostic] = field(default_factory=list)


def _review(due: dt.date | None, as_of: dt.date) -> str:
    if due is None:
        return ""
    if due < as_of:
        return "overdue"
    return "due" if (due - as_of).days <= REVIEW_WARNING_DAYS else "ok"


def _errors_in(diagnostics: list[Diagnostic], file: str) -> list[Diagnostic]:
    return [d for d in diagnostics if d.is_error and d.location.file == file]


def _pending(protocol: Protocol, version: VersionFile, library: Library, diagnostics: list[Diagnostic]) -> Pending:
    errors = _errors_in(diagnostics, version.source.path)
    if library.policy is None:
        return Pending(version.version, version.doc.status, version.source.path, errors)
    fingerprint = version_fingerprint(version, library)
    missing = signoffs.missing_for(protocol, version, library, fingerprint)
    signed = {s.who for s in signoffs.ledger(protocol, library).standing(version.version)
              if s.entry.fingerprint == fingerprint}
    register = signoffs.register(library)
    roles = [
        RoleNeeded(role, [name for name in register.who_may(role) if name_key(name) not in signed])
        for role in missing.roles
    ]
    return Pending(version.version, version.doc.status, version.source.path, errors, missing.reviewers, roles)


def _invalid(protocol: Protocol, number: str, library: Library, diagnostics: list[Diagnostic]) -> Pending:
    file = library.display(protocol.id, f"{number}.yaml")
    return Pending(number, "invalid", file, _errors_in(diagnostics, file))


def protocol_status(protocol: Protocol, library: Library, diagnostics: list[Diagnostic],
                    as_of: dt.date) -> ProtocolStatus:
    versions = protocol.ordered()
    retired = protocol_retired(protocol)
    # as on the site: no version of a retired protocol is in use, whatever its dates say
    in_use = None if retired else next((v for v in versions if state(protocol, v, as_of) == "current"), None)
    due = review_due(in_use, library.policy) if in_use is not None else None
    pending = [_pending(protocol, v, library, diagnostics) for v in versions if v.doc.status in UNPUBLISHED_STATUSES]
    pending += [_invalid(protocol, number, library, diagnostics) for number in sorted(protocol.invalid_versions)]
    folder = library.display(protocol.id) + "/"
    shown = {item.file for item in pending}
    other_errors = [d for d in diagnostics
                    if d.is_error and d.location.file.startswith(folder) and d.location.file not in shown]
    return ProtocolStatus(
        id=protocol.id,
        title=(in_use or versions[-1]).doc.title if versions else "",  # the title clinicians see, if any
        retired=retired,
        in_use=in_use,
        review_due=due,
        review=_review(due, as_of),
        upcoming=[v for v in versions if state(protocol, v, as_of) == "upcoming"],
        pending=pending,
        other_errors=other_errors,
    )


@dataclass(frozen=True)
class LibraryStatus:
    protocols: list[ProtocolStatus]
    library_errors: list[Diagnostic]  # in _library/ files or elsewhere outside a protocol's folder


def library_status(library: Library, as_of: dt.date) -> LibraryStatus:
    diagnostics = sorted_diagnostics(check_library(library, as_of, reviewer=True))
    protocols = [protocol_status(library.protocols[pid], library, diagnostics, as_of)
                 for pid in sorted(library.protocols)]
    folders = tuple(library.display(pid) + "/" for pid in library.protocols)
    outside = [d for d in diagnostics if d.is_error and not d.location.file.startswith(folders)]
    return LibraryStatus(protocols, outside)


# --- text ------------------------------------------------------------------------------------------------


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _pending_lines(item: Pending) -> list[str]:
    if item.status == "invalid":
        lines = [f"  {item.version}: the file does not validate"]
    else:
        ready = not (item.errors or item.reviewers_needed or item.roles_needed)
        word = "draft" if item.status == "draft" else "in review"
        lines = [f"  {word} {item.version}: " + ("ready to be approved" if ready else "needs")]
    if item.reviewers_needed:
        lines.append(f"    {_plural(item.reviewers_needed, 'more distinct reviewer')}")
    for needed in item.roles_needed:
        who = ", ".join(needed.may_sign) or "nobody in the register (add a reviewer with this role to policy.yaml)"
        lines.append(f"    role {needed.role}, by a reviewer who fills no other required role; may sign: {who}")
    return lines + _error_lines(item.errors, "    fixes for")


def _error_lines(errors: list[Diagnostic], lead: str) -> list[str]:
    if not errors:
        return []
    indent = " " * (len(lead) - len(lead.lstrip()) + 2)
    lines = [f"{lead} {_plural(len(errors), 'check error')}:"]
    lines += [f"{indent}{line}" for d in errors[:ERRORS_SHOWN] for line in d.format_text().splitlines()]
    if len(errors) > ERRORS_SHOWN:
        lines.append(f"{indent}... and {len(errors) - ERRORS_SHOWN} more: run `protocols check --reviewer`")
    return lines


def _in_use_lines(status: ProtocolStatus, as_of: dt.date) -> list[str]:
    if status.in_use is None:
        return ["  in use: none (retired)" if status.retired else "  in use: none on this date"]
    effective = status.in_use.doc.effective
    lines = [f"  in use: {status.in_use.version}, effective {effective.isoformat() if effective else '-'}"]
    if status.review_due is not None:
        due = status.review_due.isoformat()
        days = abs((status.review_due - as_of).days)
        lines.append({
            "overdue": f"  review: OVERDUE since {due} ({_plural(days, 'day')})",
            "due": f"  review: due {due} (in {_plural(days, 'day')})",
            "ok": f"  review: due {due}",
        }[status.review])
    return lines


def format_text(report: LibraryStatus, as_of: dt.date, display_root: str) -> str:
    lines = [f"status of {display_root} on {as_of.isoformat()}"]
    if report.library_errors:
        lines += [""] + _error_lines(report.library_errors, "library files: nothing is built until you fix")
    for status in report.protocols:
        title = f": {status.title}" if status.title else ""
        lines += ["", f"{status.id}{title}" + (" (retired)" if status.retired else "")]
        lines += _in_use_lines(status, as_of)
        for version in status.upcoming:
            effective = version.doc.effective
            lines.append(f"  upcoming: {version.version}, takes effect {effective.isoformat() if effective else '-'}")
        for item in status.pending:
            lines += _pending_lines(item)
        lines += _error_lines(status.other_errors, "  published versions or approvals.yaml: fix")
    lines += ["", summary_line(report)]
    return "\n".join(lines) + "\n"


def summary_line(report: LibraryStatus) -> str:
    counts = summary(report)
    return (f"{_plural(counts['protocols'], 'protocol')}: {counts['reviews_overdue']} review(s) overdue, "
            f"{counts['reviews_due']} due within {REVIEW_WARNING_DAYS} days, "
            f"{counts['pending']} draft(s) or version(s) in review, {counts['upcoming']} upcoming version(s), "
            f"{_plural(counts['check_errors'], 'check error')}")


def summary(report: LibraryStatus) -> dict[str, int]:
    statuses = report.protocols
    return {
        "protocols": len(statuses),
        "reviews_overdue": sum(s.review == "overdue" for s in statuses),
        "reviews_due": sum(s.review == "due" for s in statuses),
        "pending": sum(len(s.pending) for s in statuses),
        "upcoming": sum(len(s.upcoming) for s in statuses),
        "check_errors": len(report.library_errors) + sum(
            len(s.other_errors) + sum(len(item.errors) for item in s.pending) for s in statuses),
    }


# --- JSON ------------------------------------------------------------------------------------------------


def _date(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _pending_json(item: Pending) -> dict[str, object]:
    return {
        "version": item.version,
        "status": item.status,
        "file": item.file,
        "errors": [d.to_json() for d in item.errors],
        "reviewers_needed": item.reviewers_needed,
        "roles_needed": [{"role": r.role, "may_sign": r.may_sign} for r in item.roles_needed],
        "ready": not (item.errors or item.reviewers_needed or item.roles_needed) and item.status != "invalid",
    }


def to_json(report: LibraryStatus, as_of: dt.date) -> dict[str, object]:
    return {
        "as_of": as_of.isoformat(),
        "review_warning_days": REVIEW_WARNING_DAYS,
        "library_errors": [d.to_json() for d in report.library_errors],
        "protocols": [
            {
                "id": s.id,
                "title": s.title,
                "retired": s.retired,
                "in_use": None if s.in_use is None else {
                    "version": s.in_use.version,
                    "effective": _date(s.in_use.doc.effective),
                    "review_due": _date(s.review_due),
                    "review": s.review or None,
                },
                "upcoming": [{"version": v.version, "effective": _date(v.doc.effective)} for v in s.upcoming],
                "pending": [_pending_json(item) for item in s.pending],
                "other_errors": [d.to_json() for d in s.other_errors],
            }
            for s in report.protocols
        ],
        "summary": summary(report),
    }


def cmd_status(args: argparse.Namespace, out: TextIO) -> int:
    as_of = build_date(args.as_of)
    library = open_library(args.dir)
    report = library_status(library, as_of)
    if args.format == "json":
        out.write(json.dumps(to_json(report, as_of), indent=2, ensure_ascii=False) + "\n")
    else:
        out.write(format_text(report, as_of, library.display_root))
    return EXIT_OK
