"""`protocols diff`, `protocols approve` and `protocols new` (§7).

Unknown protocols and versions, bad dates and names, and anything the versions module refuses are
usage errors (exit 2) with one clear line; nothing is written in those cases.
"""

from __future__ import annotations

import argparse
import datetime as dt
import unicodedata
from typing import TextIO

from generator.cli import EXIT_OK, UsageError, open_library
from generator.diff import diff_versions, format_diff_text
from generator.library import Library, Protocol, VersionFile
from generator.schema import Approval
from generator.versions import (
    LEDGER_NAME,
    VersionError,
    append_approval,
    missing_approvals,
    plan_new_version,
    standing_approvals,
    version_fingerprint,
    write_new_version,
)


def find_protocol(library: Library, protocol_id: str, directory: str) -> Protocol:
    protocol = library.protocols.get(protocol_id)
    if protocol is None:
        known = ", ".join(library.protocols) or "none"
        raise UsageError(f'no protocol "{protocol_id}" in {directory} (protocols: {known})')
    return protocol


def find_version(protocol: Protocol, number: str, directory: str) -> VersionFile:
    version = protocol.versions.get(number)
    if version is not None:
        return version
    if number in protocol.invalid_versions:
        raise UsageError(f"version {number} of {protocol.id} does not validate: run `protocols check {directory}`")
    known = ", ".join(protocol.versions) or "none"
    raise UsageError(f"protocol {protocol.id} has no version {number} (versions: {known})")


def cmd_diff(args: argparse.Namespace, out: TextIO) -> int:
    library = open_library(args.dir)
    protocol = find_protocol(library, args.id, args.dir)
    old, new = find_version(protocol, args.v1, args.dir), find_version(protocol, args.v2, args.dir)
    out.write(format_diff_text(diff_versions(old, new, library)))
    return EXIT_OK


def _sign_off_text(what: str, value: str) -> str:
    text = " ".join(value.split())
    if not text:
        raise UsageError(f"{what} is empty")
    if any(unicodedata.category(char).startswith("C") for char in text):
        raise UsageError(f"{what} {value!r} contains control characters")
    return text


def _approval_date(text: str | None, today: dt.date) -> dt.date:
    if text is None:
        return today
    try:
        date = dt.date.fromisoformat(text)
    except ValueError:
        raise UsageError(f'--date "{text}" is not a date; write YYYY-MM-DD') from None
    if date > today:
        raise UsageError(f"--date {date.isoformat()} is in the future: a sign-off is dated when it is given")
    return date


def _role(library: Library, role: str) -> tuple[str, str]:
    """The policy's spelling of a required role, and a note when the role is not one the policy requires.

    Other roles are accepted (a reviewer counts towards the minimum whatever the role), with a note, so that
    a typo is seen before the next sign-off.
    """
    roles = library.policy.approval.required_roles if library.policy else []
    for known in roles:
        if known.casefold() == role.casefold():
            return known, ""
    if roles:
        return role, f'note: role "{role}" is not one the policy requires ({", ".join(roles)})\n'
    return role, ""


def _still_missing(protocol: Protocol, version: VersionFile, library: Library) -> str:
    missing_count, missing_roles = missing_approvals(protocol, version, library.policy)
    if library.policy is None:
        return f"{protocol.id} {version.version}: no policy.yaml, so no approvals are required"
    if not missing_count and not missing_roles:
        return f"{protocol.id} {version.version} now has the approvals the policy asks for"
    parts = []
    if missing_count:
        parts.append(f"{missing_count} more distinct reviewer{'s' if missing_count > 1 else ''}")
    if missing_roles:
        parts.append(f"role{'s' if len(missing_roles) > 1 else ''} {', '.join(missing_roles)}")
    return f"{protocol.id} {version.version} still needs: " + "; ".join(parts)


def cmd_approve(args: argparse.Namespace, out: TextIO, today: dt.date | None = None) -> int:
    library = open_library(args.dir)
    protocol = find_protocol(library, args.id, args.dir)
    version = find_version(protocol, args.version, args.dir)
    reviewer = _sign_off_text("--reviewer", args.reviewer)
    role, role_note = _role(library, _sign_off_text("--role", args.role))
    date = _approval_date(args.date, today or dt.date.today())
    current = version_fingerprint(version)
    for _index, approval in standing_approvals(protocol, version):
        same_person = " ".join(approval.reviewer.split()).casefold() == reviewer.casefold()
        if same_person and approval.role.casefold() == role.casefold() and approval.fingerprint == current:
            raise UsageError(
                f"{approval.reviewer} already approved {protocol.id} {version.version} as {approval.role} "
                f"on {approval.date.isoformat()} with the current fingerprint; nothing was appended"
            )
    try:
        entry = append_approval(protocol.folder, version.version, reviewer, role, date, current)
    except VersionError as error:
        raise UsageError(str(error)) from None
    protocol.approvals.append(Approval(version=version.version, reviewer=reviewer, role=role, date=date,
                                       fingerprint=current))
    out.write(f"appended to {library.display(protocol.id, LEDGER_NAME)}:\n{entry}")
    out.write(role_note + _still_missing(protocol, version, library) + "\n")
    return EXIT_OK


def cmd_new(args: argparse.Namespace, out: TextIO) -> int:
    library = open_library(args.dir)
    protocol = find_protocol(library, args.id, args.dir)
    try:
        plan = plan_new_version(protocol, args.from_version)
        write_new_version(plan)
    except VersionError as error:
        raise UsageError(str(error)) from None
    out.write(f"created {library.display(protocol.id, plan.path.name)}: draft copied from {plan.copied_from}\n")
    if plan.dropped:
        out.write(f"  removed {', '.join(plan.dropped)}: a draft has none until it is approved\n")
    out.write("  next: edit the draft and list in `changes` what changed, naming each regimen or phase "
              "whose dosing changed\n")
    return EXIT_OK
