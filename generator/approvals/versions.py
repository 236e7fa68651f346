"""Versions of a protocol over time (§4): fingerprints, status on a date, the ledger file, and new drafts.

What the ledger's entries mean is `generator.approvals.signoffs`. Everything here is pure except the two
writers, `append_entry` (the append-only ledger) and
`new_version` (creates the next draft file and never overwrites one).

States of a version on a date (`state`):
  "current"     the highest approved version whose effective date is on or before the date
  "superseded"  an approved version below the current one
  "upcoming"    an approved version above the current one, or not yet effective, or (P405) without
                an effective date: it is never current until it has one
  "retired"     status retired (published to clinicians, never current)
  "draft", "in-review"  not published to clinicians
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml

from generator.load.library import (
    LIBRARY_FOLDER,
    Library,
    NotInLibrary,
    Protocol,
    VersionFile,
    find_version,
    version_key,
)
from generator.load.yaml_source import SourceFile, load_text
from generator.model.field_types import PUBLISHED_STATUSES
from generator.model.schema import PROTOCOL_ID, Policy, VersionDoc
from generator.text.inline import scan_version

State = Literal["current", "superseded", "upcoming", "retired", "draft", "in-review"]
DEFAULT_REVIEW_INTERVAL_MONTHS = 24
LEDGER_NAME = "approvals.yaml"
LEDGER_HEADER = (
    "# Approvals ledger (format §4): append-only, written by `protocols approve` and `protocols withdraw`.\n"
    "# Never edit or remove an entry by hand.\n"
)


class VersionError(ValueError):
    """A request the versions module refuses (unknown version, target exists, unsafe edit)."""


# --- fingerprint --------------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, dt.datetime):  # not a valid field value (P104), but it must still hash
        return value.isoformat()
    if isinstance(value, dt.date):
        return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"
    return value


def _date_text(value: Any) -> str:
    """json.dumps's `default`: what _plain makes of a date or datetime (the only non-JSON values a
    loaded document holds); anything else is refused as json.dumps refuses it."""
    if isinstance(value, dt.date):
        return _plain(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def fingerprint(data: Any, drugs: dict[str, Any] | None = None, references: dict[str, Any] | None = None) -> str:
    """§4: "sha256:" + hex SHA-256 of {"version": V, "drugs": D, "references": R}, V the parsed version
    file without `status`, D and R the library entries it uses; dates as YYYY-MM-DD."""
    version = {key: value for key, value in data.items() if key != "status"} if isinstance(data, dict) else data
    doc = {"version": version, "drugs": drugs or {}, "references": references or {}}
    # the same text as json.dumps(_plain(doc), ...), without walking the document in Python first
    text = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_date_text)
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def _entries(library: Library, file_name: str, ids: list[str]) -> dict[str, Any]:
    """The entries of a library file (as parsed) for `ids` that it has."""
    source = library.source(LIBRARY_FOLDER, file_name)
    data = source.data if source is not None and isinstance(source.data, dict) else {}
    return {item: data[item] for item in ids if item in data}


def cited_references(doc: VersionDoc) -> list[str]:
    """The reference ids a version's fingerprint covers: its `cite:` lists and the citations its page shows."""
    return sorted(scan_version(doc).cited_references)


def fingerprint_scope(version: VersionFile, library: Library) -> tuple[dict[str, Any], dict[str, Any]]:
    """(D, R) of §4: the drugs.yaml entries its regimens name, the references.yaml entries it cites."""
    drugs = _entries(library, "drugs.yaml", [regimen.drug for regimen in version.doc.regimens])
    return drugs, _entries(library, "references.yaml", cited_references(version.doc))


def version_fingerprint(version: VersionFile, library: Library) -> str:
    return fingerprint(version.parsed_data, *fingerprint_scope(version, library))


# --- status on a date ---------------------------------------------------------------------------------


def published(protocol: Protocol, reviewer: bool) -> list[VersionFile]:
    """The versions a site shows, ascending: clinician site approved and retired only; reviewer site all."""
    return [v for v in protocol.ordered() if reviewer or v.doc.status in PUBLISHED_STATUSES]


def current_version(protocol: Protocol, as_of: dt.date) -> VersionFile | None:
    """The highest approved version whose `effective` is on or before `as_of`."""
    current = None
    for version in protocol.ordered():
        effective = version.doc.effective
        if version.doc.status == "approved" and effective is not None and effective <= as_of:
            current = version
    return current


def state(protocol: Protocol, version: VersionFile, as_of: dt.date) -> State:
    status = version.doc.status
    if status != "approved":
        return status  # type: ignore[return-value]  # "draft", "in-review" or "retired"
    current = current_version(protocol, as_of)
    if current is None:
        return "upcoming"
    if current.version == version.version:
        return "current"
    return "superseded" if version_key(version.version) < version_key(current.version) else "upcoming"


def protocol_retired(protocol: Protocol) -> bool:
    """§4: the protocol is retired when its highest non-draft version is retired."""
    non_drafts = [v for v in protocol.ordered() if v.doc.status != "draft"]
    return bool(non_drafts) and non_drafts[-1].doc.status == "retired"


# --- review dates -------------------------------------------------------------------------------------


def add_months(start: dt.date, months: int) -> dt.date:
    """Calendar month arithmetic, clamped to the month's end: 2026-01-31 + 1 month = 2026-02-28."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    next_month = dt.date(year + (month == 12), month % 12 + 1, 1)
    last_day = (next_month - dt.timedelta(days=1)).day
    return dt.date(year, month, min(start.day, last_day))


def review_due(version: VersionFile, policy: Policy | None) -> dt.date | None:
    """`review_due` when written, else `effective` + the policy's review interval; None without either."""
    if version.doc.review_due is not None:
        return version.doc.review_due
    if version.doc.effective is None:
        return None
    months = policy.review_interval_months if policy is not None else DEFAULT_REVIEW_INTERVAL_MONTHS
    return add_months(version.doc.effective, months)


def review_overdue(version: VersionFile, policy: Policy | None, as_of: dt.date) -> bool:
    """The review date has passed (a review due today is not yet overdue)."""
    due = review_due(version, policy)
    return due is not None and due < as_of


# --- the approvals ledger -------------------------------------------------------------------------------


def ledger_entry_text(entry: dict[str, Any]) -> str:
    """One ledger entry as YAML: plain fields by the YAML dumper, the signature as a literal block."""
    plain = {key: value for key, value in entry.items() if key != "signature"}
    text = yaml.safe_dump([plain], sort_keys=False, allow_unicode=True, default_flow_style=False, width=10_000)
    signature = entry.get("signature")
    if signature:
        text += "  signature: |\n" + "".join(f"    {line}\n" for line in signature.strip().splitlines())
    return text


def _write_atomically(path: Path, data: bytes) -> None:
    """Write to a temporary file in the same folder, fsync, then rename over `path`."""
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        if path.exists():
            os.chmod(temporary, path.stat().st_mode & 0o777)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def append_entry(protocol_folder: Path, entry: dict[str, Any]) -> str:
    """Append one entry to the folder's approvals.yaml and return the text appended.

    The existing bytes are kept exactly; the new file is the old bytes plus the entry, written to a
    temporary file and renamed into place, so a crash leaves either the old ledger or the new one.
    Refuses (VersionError) when the result would not read back as the old entries plus this one.
    """
    path = Path(protocol_folder) / LEDGER_NAME
    if path.is_symlink() or (path.exists() and not path.is_file()):
        raise VersionError(f"{path} is not a regular file; nothing was appended")
    old = path.read_bytes() if path.exists() else b""
    prefix = b"" if old else LEDGER_HEADER.encode("utf-8")
    separator = b"\n" if old and not old.endswith(b"\n") else b""
    text = ledger_entry_text(entry)
    new = old + prefix + separator + text.encode("utf-8")
    try:
        old_data = yaml.safe_load(old.decode("utf-8")) if old else None
    except (yaml.YAMLError, UnicodeDecodeError):
        raise VersionError(f"{path} is not valid YAML: run `protocols check`; nothing was appended") from None
    try:
        new_data = yaml.safe_load(new.decode("utf-8"))
    except yaml.YAMLError:
        new_data = None
    expected = dict(entry)
    if "signature" in expected:
        expected["signature"] = expected["signature"].strip() + "\n"
    if not isinstance(old_data, list | None) or new_data != [*(old_data or []), expected]:
        raise VersionError(f"{path} is not a plain block list of approvals; nothing was appended")
    _write_atomically(path, new)
    return text


# --- new draft versions -------------------------------------------------------------------------------


@dataclass(frozen=True)
class NewVersion:
    path: Path
    text: str
    version: str
    copied_from: str
    dropped: tuple[str, ...]  # keys removed from the copy ("effective", "review_due")


def next_version_number(protocol: Protocol) -> str:
    """The minor number after the highest existing version, valid or not: 1.1 -> 1.2, 1.9 -> 1.10."""
    numbers = set(protocol.versions) | set(protocol.invalid_versions)
    if not numbers:
        raise VersionError(f"protocol {protocol.id} has no version yet: write {protocol.id}/1.0.yaml")
    major, minor = version_key(max(numbers, key=version_key))
    return f"{major}.{minor + 1}"


def _top_level_blocks(source: SourceFile) -> dict[str, tuple[int, int]]:
    """For each top-level key, the 0-based line span [start, end) of its key and value.

    A block ends where the next top-level key starts, less trailing blank lines and comments at
    column 1, which belong to what follows.
    """
    lines = source.text.splitlines(keepends=True)
    starts = sorted((mark[0] - 1, path[0]) for path, mark in source.keys.items() if len(path) == 1)
    blocks: dict[str, tuple[int, int]] = {}
    for position, (start, key) in enumerate(starts):
        end = starts[position + 1][0] if position + 1 < len(starts) else len(lines)
        while end > start + 1 and (not lines[end - 1].strip() or lines[end - 1].startswith("#")):
            end -= 1
        blocks[str(key)] = (start, end)
    return blocks


def draft_text(source: SourceFile, version: str) -> tuple[str, tuple[str, ...]]:
    """The source text as the next draft: new version, status draft, empty changes, no dates.

    Only the lines of those keys change; every other line, comment included, is kept. Raises
    VersionError when the edited text would not read back as intended.
    """
    lines = source.text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    blocks = _top_level_blocks(source)
    replacements = {"version": f'version: "{version}"\n', "status": "status: draft\n", "changes": "changes: []\n"}
    dropped = tuple(key for key in ("effective", "review_due") if key in blocks)
    edits: list[tuple[int, int, str]] = [(*blocks[key], text) for key, text in replacements.items() if key in blocks]
    edits += [(*blocks[key], "") for key in dropped]
    if "changes" not in blocks:
        status_end = blocks["status"][1]
        edits.append((status_end, status_end, replacements["changes"]))
    for start, end, text in sorted(edits, reverse=True):
        lines[start:end] = [text] if text else []
    new_text = "".join(lines)
    expected = {key: value for key, value in source.data.items() if key not in dropped}
    expected.update(version=version, status="draft", changes=[])
    reread, _ = load_text(new_text, source.path)
    if reread is None or reread.data != expected:
        raise VersionError(f"could not edit {source.path} safely; copy it by hand")
    return new_text, dropped


def plan_new_version(protocol: Protocol, from_version: str | None = None) -> NewVersion:
    """What `new_version` would write, without writing it."""
    number = next_version_number(protocol)
    if from_version is None:
        if not protocol.versions:
            raise VersionError(f"protocol {protocol.id} has no valid version to copy: run `protocols check`")
        source_version = protocol.ordered()[-1]
    else:
        try:
            source_version = find_version(protocol, from_version)
        except NotInLibrary as error:
            raise VersionError(str(error)) from None
    path = Path(protocol.folder) / f"{number}.yaml"
    if path.exists():
        raise VersionError(f"{path} already exists")
    text, dropped = draft_text(source_version.source, number)
    return NewVersion(path, text, number, source_version.version, dropped)


def write_new_version(plan: NewVersion) -> None:
    """Create the planned file; never overwrites (exclusive create), so a concurrent `new` fails instead."""
    try:
        with open(plan.path, "x", encoding="utf-8", newline="") as file:
            file.write(plan.text)
    except FileExistsError:
        raise VersionError(f"{plan.path} already exists") from None


def new_version(protocol: Protocol, from_version: str | None = None) -> tuple[Path, str]:
    """Create the next draft version file from the latest (or `from_version`) and return (path, text)."""
    plan = plan_new_version(protocol, from_version)
    write_new_version(plan)
    return plan.path, plan.text


NEW_PROTOCOL_TEMPLATE = """\
id: {id}
version: "1.0"
title: "{id}"
status: draft
owner: ""
summary: |
  The bottom line: what to give, to whom, how often.
changes: []
regimens: []
phases: []
dose_tables: []
sections: []
algorithm: []
"""


def create_protocol(root: Path, protocol_id: str) -> Path:
    """A new protocol folder with its first draft, 1.0.yaml; never overwrites anything."""
    if not PROTOCOL_ID.fullmatch(protocol_id):
        raise VersionError(f'"{protocol_id[:60]}" is not a protocol id: use 2 to 64 lower-case letters, digits and '
                           "hyphens, starting with a letter")
    folder = Path(root) / protocol_id
    try:
        folder.mkdir()
    except FileExistsError:
        raise VersionError(f"{folder} already exists") from None
    path = folder / "1.0.yaml"
    with open(path, "x", encoding="utf-8", newline="") as file:
        file.write(NEW_PROTOCOL_TEMPLATE.format(id=protocol_id))
    return path
