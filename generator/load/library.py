"""Read a whole protocols folder into typed models before anything is built (§1).

Structural rules that need the file layout live here: P105 (file and folder names), P106, P107, P111,
and P100 for a link, special file or folder where a file is expected (nothing is read from it:
generator.load.files looks at every entry without following it).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter

from generator.diagnostics import Diagnostic, Location, excerpt
from generator.load.files import Entry, entry_kind, list_folder, not_a_file
from generator.load.validate import validate, validate_partial
from generator.load.yaml_source import SourceFile, load_yaml
from generator.model.field_types import PROTOCOL_ID, VERSION, LocalId, ReferenceId
from generator.model.schema import Approval, Drug, Handbook, Policy, Reference, VersionDoc

LIBRARY_FOLDER = "_library"
APPROVALS_FILE = "approvals.yaml"
# a stem that reads as a version but is not written as one (1.00, 01.1): P105, so 1.00.yaml beside
# 1.0.yaml can never publish a second version 1.0
_VERSION_LIKE = re.compile(r"[0-9]+\.[0-9]+")
_REFERENCES = TypeAdapter(dict[ReferenceId, Reference])
_DRUGS = TypeAdapter(dict[LocalId, Drug])
_HANDBOOKS = TypeAdapter(list[Handbook])
_APPROVALS = TypeAdapter(list[Approval])
_FINGERPRINTED = ("references", "drugs")  # the fingerprint reads their entries as parsed (§4)
FileReader = Callable[[Path, str], tuple[SourceFile | None, list[Diagnostic]]]
# how a version file's parse is validated (validate.validate_partial's signature, for VersionDoc)
VersionValidator = Callable[[Any, SourceFile, dict[str, str]], tuple[VersionDoc | None, list[Diagnostic], SourceFile]]


def version_key(version: str) -> tuple[int, int]:
    """Versions compare numerically: 1.10 > 1.9 (only versions named by a file are compared: at most
    255 characters, far below the 4,300 digits Python converts to a number)."""
    major, minor = version.split(".")
    return int(major), int(minor)


@dataclass
class VersionFile:
    source: SourceFile  # what the model was made from: the file less any values with schema errors
    doc: VersionDoc
    parsed: Any = None  # the file as parsed (the fingerprint's), when it differs from source.data

    @property
    def id(self) -> str:
        return self.doc.id

    @property
    def parsed_data(self) -> Any:
        return self.source.data if self.parsed is None else self.parsed

    @property
    def version(self) -> str:
        return self.doc.version


@dataclass
class Protocol:
    id: str
    folder: Path
    versions: dict[str, VersionFile] = field(default_factory=dict)  # ascending version order
    approvals: list[Approval] = field(default_factory=list)
    approvals_source: SourceFile | None = None
    # versions whose file exists but did not validate: rules must not treat them as absent
    invalid_versions: set[str] = field(default_factory=set)
    # those of them that are checked all the same, as partial models (generator.load.recovery): see checked_whole
    partial_versions: dict[str, VersionFile] = field(default_factory=dict)

    def ordered(self) -> list[VersionFile]:
        return list(self.versions.values())


@dataclass
class Library:
    root: Path
    display_root: str
    references: dict[str, Reference] = field(default_factory=dict)
    drugs: dict[str, Drug] = field(default_factory=dict)
    policy: Policy | None = None
    handbooks: list[Handbook] = field(default_factory=list)
    protocols: dict[str, Protocol] = field(default_factory=dict)
    sources: dict[str, SourceFile] = field(default_factory=dict)  # by display path
    # entries that exist but did not validate, by library file attribute ("references", "drugs"):
    # rules must not report them as unknown as well
    invalid: dict[str, set[str]] = field(default_factory=dict)
    file_count: int = 0
    diagnostics: list[Diagnostic] = field(default_factory=list)
    # how a file is read and parsed: yaml_source.load_yaml, or `protocols serve`'s reader that keeps the parse of
    # each file unchanged since the last rebuild (generator.site.preview_state.SourceCache)
    reader: FileReader = field(default=load_yaml, compare=False, repr=False)
    # how a version file's parse is validated: validate_partial, or serve's, which keeps the result for a parse
    # that its reader gave before (generator.site.preview_state.SourceCache)
    validator: VersionValidator = field(default=validate_partial, compare=False, repr=False)

    def display(self, *parts: str) -> str:
        return "/".join([self.display_root.rstrip("/"), *parts]) if self.display_root else "/".join(parts)

    def source(self, *parts: str) -> SourceFile | None:
        return self.sources.get(self.display(*parts))

    def release_positions(self) -> None:
        """Forget where each value stands in its file (only diagnostics need it): the build calls this once
        the checks have passed, so rendering a large library does not carry every position along."""
        for source in self.sources.values():
            source.values, source.keys, source.styles, source.text = {}, {}, {}, ""


class NotInLibrary(LookupError):
    """A protocol or version asked for by name (a command's argument) that the library does not have."""


def _listed(names: list[str]) -> str:
    return ", ".join(names) or "none"


def find_protocol(library: Library, protocol_id: str) -> Protocol:
    """The protocol of this id; NotInLibrary naming the ones there are otherwise."""
    protocol = library.protocols.get(protocol_id)
    if protocol is None:
        known = _listed(sorted(library.protocols))
        raise NotInLibrary(f'no protocol "{protocol_id}" in {library.display_root} (protocols: {known})')
    return protocol


def find_version(protocol: Protocol, number: str) -> VersionFile:
    """The valid version of this number; NotInLibrary saying whether its file fails the checks or is absent."""
    version = protocol.versions.get(number)
    if version is not None:
        return version
    if number in protocol.invalid_versions:
        raise NotInLibrary(
            f"version {number} of {protocol.id} does not validate: run `protocols check {protocol.folder.parent}`"
        )
    raise NotInLibrary(f"protocol {protocol.id} has no version {number} (versions: {_listed(list(protocol.versions))})")


class _EveryEntry(set[str]):
    """The entries of a library file that could not be read at all: any id may have been among them."""

    def __contains__(self, item: object) -> bool:
        return True


EVERY_ENTRY: set[str] = _EveryEntry()


class LibraryNotFound(Exception):
    """The protocols folder does not exist (a usage error, exit 2)."""


def _read(library: Library, path: Path, *parts: str) -> SourceFile | None:
    library.file_count += 1
    source, diagnostics = library.reader(path, library.display(*parts))
    library.diagnostics.extend(diagnostics)
    if source is not None:
        library.sources[source.path] = source
    return source


def _validate_entries(
    library: Library, adapter: TypeAdapter[Any], source: SourceFile, empty: Any, attribute: str
) -> Any:
    """Validate a mapping or list of entries, recovering what is sound (generator.load.recovery), so one broken
    entry or field does not hide the others; entries left out are recorded as invalid, not unknown."""
    if source.data is None:
        return empty
    model, diagnostics, partial = validate_partial(adapter, source)
    library.diagnostics.extend(diagnostics)
    if model is None:
        library.invalid[attribute] = EVERY_ENTRY
        return empty
    if isinstance(model, dict) and isinstance(source.data, dict):
        library.invalid[attribute] = {str(key) for key in source.data if key not in model}
    elif attribute not in _FINGERPRINTED:
        library.sources[source.path] = partial  # its messages locate the entries left after those removed
    return model


def _read_library_files(library: Library) -> None:
    folder = library.root / LIBRARY_FOLDER
    kind = entry_kind(folder)
    if kind is not None and kind != "a folder":
        library.diagnostics.append(not_a_file(kind, library.display(LIBRARY_FOLDER), expected="folder"))
        return
    specs: list[tuple[str, Any, str, Any]] = [
        ("references.yaml", _REFERENCES, "references", {}),
        ("drugs.yaml", _DRUGS, "drugs", {}),
        ("handbooks.yaml", _HANDBOOKS, "handbooks", []),
    ]
    for name, adapter, attribute, empty in specs:
        path = folder / name
        if entry_kind(path) is None:
            continue
        source = _read(library, path, LIBRARY_FOLDER, name)
        if source is None:  # reported; its entries are not reported as unknown as well
            library.invalid[attribute] = EVERY_ENTRY
            continue
        setattr(library, attribute, _validate_entries(library, adapter, source, empty, attribute))
    policy_path = folder / "policy.yaml"
    if entry_kind(policy_path) is None:
        library.diagnostics.append(
            Diagnostic(
                "P103",
                "missing library file policy.yaml",
                Location(library.display(LIBRARY_FOLDER)),
                hint="add _library/policy.yaml: approval.minimum, approval.required_roles, review_interval_months",
            )
        )
        return
    source = _read(library, policy_path, LIBRARY_FOLDER, "policy.yaml")
    if source is not None:
        # no partial policy: a value left out would fall back to a default that asks for fewer approvals
        library.policy, diagnostics = validate(Policy, source)
        library.diagnostics.extend(diagnostics)


def _read_protocol(library: Library, folder: Path) -> None:
    protocol = Protocol(folder.name, folder)
    if not PROTOCOL_ID.fullmatch(folder.name):
        library.diagnostics.append(
            Diagnostic(
                "P105",
                f"malformed protocol folder name {excerpt(folder.name)}",
                Location(library.display(excerpt(folder.name, quoted=False))),
                hint="use 2 to 64 lower-case letters, digits and hyphens, starting with a letter",
            )
        )
        if not folder.name.isprintable():
            return  # its files could only be named in messages by a path that does not read as it is
    entries, diagnostics = list_folder(folder, library.display(folder.name))
    library.diagnostics.extend(diagnostics)
    approvals: Entry | None = None
    for entry in entries:
        if entry.name == APPROVALS_FILE:
            approvals = entry
        elif entry.name.endswith(".yaml") and VERSION.fullmatch(entry.name[: -len(".yaml")]):
            _read_version(library, protocol, entry)
        else:
            library.diagnostics.append(_not_a_version_file(library, folder.name, entry))
    protocol.versions = dict(sorted(protocol.versions.items(), key=lambda item: version_key(item[0])))
    if approvals is not None:
        source = _read(library, approvals.path, folder.name, APPROVALS_FILE)
        if source is not None:
            protocol.approvals_source = source
            approved, diagnostics = validate(_APPROVALS, source, [] if source.data is None else source.data)
            library.diagnostics.extend(diagnostics)
            protocol.approvals = approved or []
    library.protocols[protocol.id] = protocol


def _not_a_version_file(library: Library, folder: str, entry: Entry) -> Diagnostic:
    """P105 for a name that reads as a version but is not written as one; P111 (ignored) for any other."""
    where = Location(library.display(folder, excerpt(entry.name, quoted=False)))
    stem = entry.name[: -len(".yaml")] if entry.name.endswith(".yaml") else ""
    if _VERSION_LIKE.fullmatch(stem):
        library.file_count += 1
        return Diagnostic("P105", f"{excerpt(entry.name)} is not a version file name: a version has no leading zeros",
                          where, hint='name version files MAJOR.MINOR.yaml without leading zeros, e.g. "1.0.yaml", '
                          '"1.10.yaml"')
    what = "" if entry.is_file else f" ({entry.kind})"
    message = f"{excerpt(entry.name)}{what} is neither a version file nor {APPROVALS_FILE}: it is ignored"
    return Diagnostic("P111", message, where, hint='name version files MAJOR.MINOR.yaml, e.g. "1.0.yaml", or move '
                      "this one out of the protocols folder")


def _read_version(library: Library, protocol: Protocol, entry: Entry) -> None:
    folder, stem = protocol.id, entry.name[: -len(".yaml")]
    source = _read(library, entry.path, folder, entry.name)
    if source is None:
        protocol.invalid_versions.add(stem)
        return
    # id and version follow from the folder and file name, so a version with those wrong is still checked
    # (as a draft when its status is wrong: it is not published while it has errors)
    fill = {"version": stem, "title": folder, "status": "draft"}
    if PROTOCOL_ID.fullmatch(folder):
        fill["id"] = folder
    doc, diagnostics, partial = library.validator(VersionDoc, source, fill)
    library.diagnostics.extend(diagnostics)
    if doc is None:
        protocol.invalid_versions.add(stem)
        return
    parsed, source = source.data, partial
    library.sources[source.path] = source
    if doc.id != folder:
        library.diagnostics.append(Diagnostic("P106", f'id "{doc.id}" differs from the folder name {excerpt(folder)}',
                                              source.at(("id",)), "id",
                                              f"write id: {excerpt(folder, quoted=False)}, or rename the folder"))
    if doc.version != stem:
        message = f'version {excerpt(doc.version)} differs from the file name "{entry.name}"'
        library.diagnostics.append(Diagnostic("P107", message, source.at(("version",)), "version",
                                              f'write version: "{stem}", or rename the file'))
        protocol.invalid_versions.add(stem)
        return
    if diagnostics:  # checked, never used: no dose, sign-off, copy or page comes from a partial model
        protocol.invalid_versions.add(stem)
        protocol.partial_versions[stem] = VersionFile(source, doc, parsed)
        return
    protocol.versions[doc.version] = VersionFile(source, doc, parsed)


def load_library(root: Path | str, display_root: str | None = None, reader: FileReader = load_yaml,
                 validator: VersionValidator = validate_partial) -> Library:
    """Read every file of a protocols folder: library files, then each protocol's versions and approvals.

    ``reader`` reads and parses one file (path, display path); the parse it returns must not be shared with
    anything that changes it. ``validator`` validates a version file's parse (see Library.validator).
    """
    root = Path(root)
    if not root.is_dir():
        raise LibraryNotFound(f"no protocols folder at {root}")
    library = Library(root, str(root) if display_root is None else display_root, reader=reader, validator=validator)
    _read_library_files(library)
    entries, diagnostics = list_folder(root, library.display_root or ".")
    library.diagnostics.extend(diagnostics)
    for entry in entries:
        if entry.name.startswith(("_", ".")):
            continue
        if entry.is_folder:
            _read_protocol(library, entry.path)
        elif entry.kind == "a symbolic link":
            where = library.display(excerpt(entry.name, quoted=False))
            library.diagnostics.append(not_a_file(entry.kind, where, expected="protocol folder"))
    return library


@contextmanager
def partial_versions_included(library: Library) -> Iterator[None]:
    """For the checks only: each protocol's versions with the partial ones among them, so one run reports
    every error of every file; as before afterwards, with what was judged meanwhile forgotten."""
    with_partial = [protocol for protocol in library.protocols.values() if protocol.partial_versions]
    saved = {protocol.id: protocol.versions for protocol in with_partial}
    for protocol in with_partial:
        merged = {**protocol.versions, **protocol.partial_versions}
        protocol.versions = dict(sorted(merged.items(), key=lambda item: version_key(item[0])))
    try:
        yield
    finally:
        for protocol in with_partial:
            protocol.versions = saved[protocol.id]
