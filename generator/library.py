"""Read a whole protocols folder into typed models before anything is built (§1).

Structural rules that need the file layout live here: P105 (file and folder names), P106, P107.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter

from generator.diagnostics import Diagnostic, Location
from generator.loader import SourceFile, load_yaml
from generator.schema import (
    PROTOCOL_ID,
    VERSION,
    Approval,
    Drug,
    Handbook,
    LocalId,
    Policy,
    Reference,
    ReferenceId,
    VersionDoc,
)
from generator.validate import validate

LIBRARY_FOLDER = "_library"
_REFERENCES = TypeAdapter(dict[ReferenceId, Reference])
_DRUGS = TypeAdapter(dict[LocalId, Drug])
_HANDBOOKS = TypeAdapter(list[Handbook])
_APPROVALS = TypeAdapter(list[Approval])


def version_key(version: str) -> tuple[int, int]:
    """Versions compare numerically: 1.10 > 1.9."""
    major, minor = version.split(".")
    return int(major), int(minor)


@dataclass
class VersionFile:
    source: SourceFile
    doc: VersionDoc
    # versions.version_fingerprint's, kept once computed: the approvals check and every site's
    # publication ask for it, and the data it hashes is never changed once read
    fingerprint_memo: str | None = field(default=None, compare=False, repr=False)

    @property
    def id(self) -> str:
        return self.doc.id

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
    signoffs_memo: Any = field(default=None, compare=False, repr=False)  # signoffs.ledger's, once judged

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
    register_memo: Any = field(default=None, compare=False, repr=False)  # signoffs.register's, once built

    def display(self, *parts: str) -> str:
        return "/".join([self.display_root.rstrip("/"), *parts]) if self.display_root else "/".join(parts)

    def source(self, *parts: str) -> SourceFile | None:
        return self.sources.get(self.display(*parts))

    def release_positions(self) -> None:
        """Forget where each value stands in its file (only diagnostics need it): the build calls this once
        the checks have passed, so rendering a large library does not carry every position along."""
        for source in self.sources.values():
            source.values, source.keys, source.styles, source.text = {}, {}, {}, ""


class LibraryNotFound(Exception):
    """The protocols folder does not exist (a usage error, exit 2)."""


def _read(library: Library, path: Path, *parts: str) -> SourceFile | None:
    library.file_count += 1
    source, diagnostics = load_yaml(path, library.display(*parts))
    library.diagnostics.extend(diagnostics)
    if source is not None:
        library.sources[source.path] = source
    return source


def _validate_entries(
    library: Library, adapter: TypeAdapter[Any], source: SourceFile, empty: Any, attribute: str
) -> Any:
    """Validate a mapping or list entry by entry, so one broken entry does not hide the others."""
    data = empty if source.data is None else source.data
    model, diagnostics = validate(adapter, source, data)
    if model is not None:
        return model
    library.diagnostics.extend(diagnostics)
    if isinstance(data, dict) and isinstance(empty, dict):
        kept = {key: value for key, value in data.items() if validate(adapter, source, {key: value})[0] is not None}
        library.invalid[attribute] = {str(key) for key in data if key not in kept}
    elif isinstance(data, list) and isinstance(empty, list):
        kept = [item for item in data if validate(adapter, source, [item])[0] is not None]
    else:
        return empty
    return adapter.validate_python(kept)


def _read_library_files(library: Library) -> None:
    folder = library.root / LIBRARY_FOLDER
    specs: list[tuple[str, Any, str, Any]] = [
        ("references.yaml", _REFERENCES, "references", {}),
        ("drugs.yaml", _DRUGS, "drugs", {}),
        ("handbooks.yaml", _HANDBOOKS, "handbooks", []),
    ]
    for name, adapter, attribute, empty in specs:
        path = folder / name
        if not path.exists():
            continue
        source = _read(library, path, LIBRARY_FOLDER, name)
        if source is None:
            continue
        setattr(library, attribute, _validate_entries(library, adapter, source, empty, attribute))
    policy_path = folder / "policy.yaml"
    if not policy_path.exists():
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
        library.policy, diagnostics = validate(Policy, source)
        library.diagnostics.extend(diagnostics)


def _read_protocol(library: Library, folder: Path) -> None:
    protocol = Protocol(folder.name, folder)
    if not PROTOCOL_ID.match(folder.name):
        library.diagnostics.append(
            Diagnostic(
                "P105",
                f'malformed protocol folder name "{folder.name}"',
                Location(library.display(folder.name)),
                hint="use 2 to 64 lower-case letters, digits and hyphens, starting with a letter",
            )
        )
    for path in sorted(folder.iterdir()):
        if path.suffix not in (".yaml", ".yml") or path.name == "approvals.yaml":
            continue
        if path.suffix == ".yml" or not VERSION.match(path.stem):
            library.file_count += 1
            library.diagnostics.append(
                Diagnostic(
                    "P105",
                    f'"{path.name}" is not a version file name',
                    Location(library.display(folder.name, path.name)),
                    hint='name version files MAJOR.MINOR.yaml, e.g. "1.0.yaml"',
                )
            )
            continue
        source = _read(library, path, folder.name, path.name)
        if source is None:
            protocol.invalid_versions.add(path.stem)
            continue
        doc, diagnostics = validate(VersionDoc, source)
        library.diagnostics.extend(diagnostics)
        if doc is None:
            protocol.invalid_versions.add(path.stem)
            continue
        if doc.id != folder.name:
            library.diagnostics.append(
                Diagnostic(
                    "P106",
                    f'id "{doc.id}" differs from the folder name "{folder.name}"',
                    source.at(("id",)),
                    "id",
                    hint=f"write id: {folder.name}, or rename the folder",
                )
            )
        if doc.version != path.stem:
            library.diagnostics.append(
                Diagnostic(
                    "P107",
                    f'version "{doc.version}" differs from the file name "{path.name}"',
                    source.at(("version",)),
                    "version",
                    hint=f'write version: "{path.stem}", or rename the file',
                )
            )
            protocol.invalid_versions.add(path.stem)
            continue
        protocol.versions[doc.version] = VersionFile(source, doc)
    protocol.versions = dict(sorted(protocol.versions.items(), key=lambda item: version_key(item[0])))
    approvals_path = folder / "approvals.yaml"
    if approvals_path.exists():
        source = _read(library, approvals_path, folder.name, "approvals.yaml")
        if source is not None:
            protocol.approvals_source = source
            approvals, diagnostics = validate(_APPROVALS, source, [] if source.data is None else source.data)
            library.diagnostics.extend(diagnostics)
            protocol.approvals = approvals or []
    library.protocols[protocol.id] = protocol


def load_library(root: Path | str, display_root: str | None = None) -> Library:
    """Read every file of a protocols folder: library files, then each protocol's versions and approvals."""
    root = Path(root)
    if not root.is_dir():
        raise LibraryNotFound(f"no protocols folder at {root}")
    library = Library(root, str(root) if display_root is None else display_root)
    with cycle_collection_paused():
        _read_library_files(library)
        for folder in sorted(p for p in root.iterdir() if p.is_dir()):
            if folder.name.startswith(("_", ".")):
                continue
            _read_protocol(library, folder)
    return library


@contextmanager
def cycle_collection_paused() -> Iterator[None]:
    """Python's cycle collector paused while the library is read or checked, then running as before.

    Both make hundreds of thousands of small objects and almost no reference cycles (memory is freed by
    reference counting meanwhile), and the collector would walk the whole growing library again and
    again: about a twentieth of `protocols check`.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextmanager
def collection_of_new_objects_only() -> Iterator[None]:
    """The cycle collector leaves every object that exists now alone (gc.freeze) until the block ends.

    For rendering: the templates make short-lived reference cycles, which must still be collected (a
    paused collector let them pile up to 14 MB at N = 1,000), but walking the whole library at every
    collection costs about a twentieth of the render.
    """
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()

