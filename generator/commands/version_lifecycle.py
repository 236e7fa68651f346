"""`protocols diff`, `protocols approve`, `protocols withdraw` and `protocols new` (§7).

Unknown protocols and versions, bad dates and names, and anything the versions module refuses are
usage errors (exit 2) with one clear line; nothing is written in those cases.
"""

from __future__ import annotations

import argparse
import datetime as dt
import difflib
import json
from pathlib import Path
from typing import TextIO

from generator.approvals import signing, signoffs
from generator.approvals.diff import VersionDiff, diff_versions, format_diff_text
from generator.approvals.register import RegisteredReviewer, name_key, role_key
from generator.approvals.sshsig import SshsigError, verify
from generator.approvals.versions import (
    LEDGER_NAME,
    VersionError,
    append_entry,
    create_protocol,
    plan_new_version,
    version_fingerprint,
    write_new_version,
)
from generator.commands.shared import EXIT_OK, UsageError, check_library, open_library
from generator.diagnostics import Diagnostic, excerpt
from generator.load.library import LIBRARY_FOLDER, Library, Protocol, VersionFile, find_protocol, find_version
from generator.model.build_date import BuildDateError, parse_date_option, today_utc
from generator.model.field_types import PUBLISHED_STATUSES


def cmd_diff(args: argparse.Namespace, out: TextIO) -> int:
    library = open_library(args.dir)
    protocol = find_protocol(library, args.id)
    old, new = find_version(protocol, args.v1), find_version(protocol, args.v2)
    diff = diff_versions(old, new, library)
    if getattr(args, "format", "text") == "json":
        out.write(json.dumps(diff_json(diff), indent=2, ensure_ascii=False) + "\n")
    else:
        out.write(format_diff_text(diff))
    return EXIT_OK


def diff_json(diff: VersionDiff) -> dict[str, object]:
    """`protocols diff --format json`: the same facts as the text, dosing changes first."""
    return {
        "protocol": diff.protocol_id,
        "old_version": diff.old_version,
        "new_version": diff.new_version,
        "dose_changes": [
            {"kind": c.kind, "id": c.id, "field": c.field, "change": c.change, "old": c.old, "new": c.new}
            for c in diff.dose_changes
        ],
        "text_changes": [
            {"field": c.field, "label": c.label, "ops": [[op, text] for op, text in c.ops]} for c in diff.text_changes
        ],
        "references_added": diff.references_added,
        "references_removed": diff.references_removed,
    }


def _approval_date(text: str | None, today: dt.date) -> dt.date:
    if text is None:
        return today
    try:
        date = parse_date_option(text, "--date", "the date of a sign-off")
    except BuildDateError as error:
        raise UsageError(str(error)) from None
    if date > today:
        raise UsageError(f"--date {date.isoformat()} is not possible: a sign-off is dated when it is given")
    return date


def _held_role(reviewer: RegisteredReviewer, role: str) -> str:
    """The register's spelling of a role the reviewer holds; a usage error naming the closest one otherwise."""
    held = reviewer.holds(role)
    if held is not None:
        return held
    close = difflib.get_close_matches(role, list(reviewer.roles), n=1, cutoff=0.0)
    raise UsageError(
        f"{reviewer.name} does not hold the role {excerpt(role)} in the register (roles: {', '.join(reviewer.roles)}); "
        f"did you mean --role {close[0]}? Nothing was appended"
    )


def _blocking_errors(library: Library, version: VersionFile) -> list[Diagnostic]:
    """Check errors in the version file or the library files: what a reviewer would approve unseen.

    Approval errors (P401, P402, P406) are not blocking: signing is how they are put right.
    """
    as_of = today_utc()
    files = {version.source.path}
    library_prefix = library.display(LIBRARY_FOLDER) + "/"
    return [
        d for d in check_library(library, as_of, reviewer=True)
        if d.is_error and d.code not in ("P401", "P402", "P406")
        and (d.location.file in files or d.location.file.startswith(library_prefix))
    ]


def _still_missing(protocol: Protocol, version: VersionFile, library: Library) -> str:
    if library.policy is None:
        return f"{protocol.id} {version.version}: no policy.yaml, so no approvals are required"
    missing = signoffs.missing_for(protocol, version, library, version_fingerprint(version, library))
    if missing.nothing:
        return f"{protocol.id} {version.version} now has the approvals the policy asks for"
    parts = []
    if missing.reviewers:
        parts.append(f"{missing.reviewers} more distinct reviewer{'s' if missing.reviewers > 1 else ''}")
    if missing.roles:
        parts.append(f"role{'s' if len(missing.roles) > 1 else ''} {', '.join(missing.roles)}, each by a reviewer "
                     "who fills no other required role")
    return f"{protocol.id} {version.version} still needs: " + "; ".join(parts)


def _signed_entry(protocol: Protocol, version: VersionFile, library: Library, args: argparse.Namespace,
                  today: dt.date, withdrawn: bool) -> tuple[dict[str, object], RegisteredReviewer]:
    """The ledger entry to append, signed by the reviewer whose key --key names (or ssh-agent holds)."""
    if library.policy is None:
        raise UsageError("no _library/policy.yaml: there is no reviewer register to sign against")
    reg = signoffs.register(library)
    try:
        reviewer, key, key_file = signing.signer(reg, args.key)
    except signing.SigningError as error:
        raise UsageError(str(error)) from None
    role = _held_role(reviewer, args.role)
    date = _approval_date(args.date, today)
    current = version_fingerprint(version, library)
    judged = signoffs.ledger(protocol, library)
    mine = [s for s in judged.latest(version.version)
            if s.who == name_key(reviewer.name) and role_key(s.role) == role_key(role)]
    standing = mine[0] if mine and not mine[0].entry.withdrawn else None
    if not withdrawn and standing is not None and standing.entry.fingerprint == current:
        raise UsageError(f"{reviewer.name} already approved {protocol.id} {version.version} as {role} on "
                         f"{standing.entry.date.isoformat()}; nothing was appended")
    if withdrawn and standing is None:
        raise UsageError(f"{reviewer.name} has no standing sign-off of {protocol.id} {version.version} as {role} "
                         "to withdraw; nothing was appended")
    message = signoffs.signed_message(protocol.id, version.version, role, date, current, withdrawn)
    try:
        signature = signing.sign(message, key, key_file)
        verify(signature, message, signoffs.NAMESPACE, [key])
    except (signing.SigningError, SshsigError) as error:
        raise UsageError(f"{error}; nothing was appended") from None
    entry: dict[str, object] = {"version": version.version, "reviewer": reviewer.name, "role": role, "date": date}
    if withdrawn:
        entry["withdrawn"] = True
    entry.update(fingerprint=current, signature=signature)
    return entry, reviewer


def _append(protocol: Protocol, library: Library, entry: dict[str, object], out: TextIO) -> None:
    try:
        text = append_entry(protocol.folder, entry)
    except (VersionError, OSError) as error:
        raise UsageError(str(error) if isinstance(error, VersionError) else f"cannot write the ledger: {error}") \
            from None
    out.write(f"appended to {library.display(protocol.id, LEDGER_NAME)}:\n{text}")


def cmd_approve(args: argparse.Namespace, out: TextIO, today: dt.date | None = None) -> int:
    library = open_library(args.dir)
    protocol = find_protocol(library, args.id)
    version = find_version(protocol, args.version)
    errors = _blocking_errors(library, version)
    if errors:
        first = errors[0]
        plural = "s" if len(errors) > 1 else ""
        raise UsageError(f"{protocol.id} {version.version} has {len(errors)} check error{plural} "
                         f"(first: {first.location.file}:{first.location.line}:{first.location.col} {first.code}): "
                         "a version with errors cannot be approved; nothing was appended")
    entry, _reviewer = _signed_entry(protocol, version, library, args, today or today_utc(), withdrawn=False)
    _append(protocol, library, entry, out)
    reloaded = open_library(args.dir)
    again = find_protocol(reloaded, args.id)
    out.write(_still_missing(again, find_version(again, args.version), reloaded) + "\n")
    return EXIT_OK


def cmd_withdraw(args: argparse.Namespace, out: TextIO, today: dt.date | None = None) -> int:
    library = open_library(args.dir)
    protocol = find_protocol(library, args.id)
    version = find_version(protocol, args.version)
    entry, reviewer = _signed_entry(protocol, version, library, args, today or today_utc(), withdrawn=True)
    _append(protocol, library, entry, out)
    out.write(f"{reviewer.name}'s sign-off as {entry['role']} no longer counts")
    if version.doc.status in PUBLISHED_STATUSES:
        out.write(f"; {protocol.id} {version.version} is {version.doc.status}: run `protocols check`")
    out.write("\n")
    return EXIT_OK


def cmd_new(args: argparse.Namespace, out: TextIO) -> int:
    library = open_library(args.dir)
    if args.id not in library.protocols:
        if args.from_version is not None:
            raise UsageError(f'no protocol "{args.id}" in {args.dir} to copy version {args.from_version} from')
        try:
            path = create_protocol(Path(args.dir), args.id)
        except VersionError as error:
            raise UsageError(str(error)) from None
        out.write(f"created {library.display(args.id, path.name)}: a new protocol's first draft\n")
        out.write("  next: write its title, summary, regimens and sections, then `protocols check`\n")
        return EXIT_OK
    protocol = find_protocol(library, args.id)
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
