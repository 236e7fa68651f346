"""Checking a library again after a save, re-running the rules only for the protocols the save changed
(`protocols serve`, issue 15). The result equals `run_checks` on the same library, diagnostic for diagnostic.

What a protocol's own diagnostics (those located in its files) read, and so what keys them:
- its own files (``ProtocolFacts.key``: the text of each file read, its invalid and partial versions);
- the library files, the images under ``_assets/``, the build date and the site (``LibraryKeys.shared``);
- what its cross-references resolve to: every protocol's id, versions, statuses, dates, titles and
  sections (``ProtocolFacts.summary``, all of them in ``LibraryKeys.shared``).
The library-wide diagnostics (in ``_library/`` files: the register, handbooks, uncited references, the
library files' own text) read the same, plus the references every protocol cites.

So a save re-runs the rules on a library holding only the changed protocols and the protocols they link
to, and keeps the diagnostics located in the changed protocols' files; every other protocol's and the
library-wide diagnostics are the last run's. Whenever a shared input changed, a changed protocol links
to a protocol that does not exist (its message lists the library's protocols), or the cited references
changed, every rule runs again on the whole library: when in doubt, check everything.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from generator.checks import CheckContext, rule_diagnostics
from generator.diagnostics import Diagnostic, sorted_diagnostics
from generator.load.library import LIBRARY_FOLDER, Library, Protocol, VersionFile
from generator.load.yaml_source import SourceFile
from generator.text.inline import Citation, CrossReference, markdown_fields, tokenize

ASSETS_FOLDER = "_assets"


def digest(parts: Iterable[object]) -> bytes:
    """One digest of ``parts``, each written with repr and a separator that repr never writes."""
    hasher = hashlib.blake2b(digest_size=20)
    for part in parts:
        hasher.update(repr(part).encode("utf-8", errors="surrogatepass") + b"\x00")
    return hasher.digest()


@dataclass(frozen=True)
class ProtocolFacts:
    """What other protocols and the library-wide rules and pages may read of one protocol."""

    key: bytes  # its own files
    summary: tuple[object, ...]  # what a link to it resolves to: versions, statuses, dates, titles, sections
    targets: frozenset[str]  # the protocols its text links to (any cross-reference naming one)
    cited: frozenset[str]  # the reference ids it cites (any citation or cite list, as the rules count them)
    # the parses the key was made from: the same objects again (serve's SourceCache gives the same parse while a
    # file's stamp is unchanged) have the same texts, so the key is not computed again
    sources: tuple[SourceFile, ...] = field(default=(), compare=False, repr=False)


def _same(kept: tuple[SourceFile, ...], sources: tuple[SourceFile, ...]) -> bool:
    return len(kept) == len(sources) and all(a is b for a, b in zip(kept, sources, strict=True))


def _all_versions(protocol: Protocol) -> list[VersionFile]:
    return [protocol.versions.get(number) or protocol.partial_versions[number]
            for number in sorted({*protocol.versions, *protocol.partial_versions})]


def protocol_key(protocol: Protocol, texts: list[tuple[str, str]]) -> bytes:
    """``texts``: (display path, text) of every file of the protocol that was read."""
    return digest([protocol.id, sorted(texts), sorted(protocol.invalid_versions), sorted(protocol.partial_versions)])


def protocol_facts(protocol: Protocol, key: bytes, sources: tuple[SourceFile, ...] = ()) -> ProtocolFacts:
    versions = _all_versions(protocol)
    summary = (
        tuple((v.version, v.doc.status, v.doc.effective, v.doc.review_due, v.doc.title,
               tuple((section.id, section.title) for section in v.doc.sections)) for v in versions),
        tuple(sorted(protocol.invalid_versions)),
    )
    targets: set[str] = set()
    cited: set[str] = set()
    for version in versions:
        for _path, text in markdown_fields(version.doc):
            for token in tokenize(text):
                if isinstance(token, CrossReference) and token.protocol:
                    targets.add(token.protocol)
                elif isinstance(token, Citation):
                    cited.update(key.id for key in token.keys)
        for item in [*version.doc.regimens, *version.doc.phases]:
            cited.update(item.cite or [])
    targets.discard(protocol.id)
    return ProtocolFacts(key, summary, frozenset(targets), frozenset(cited), sources)


def _assets_listing(root: Path) -> list[tuple[str, int, int, int]]:
    """Every entry under _assets/ with its size and times: an image appearing or changing is seen."""
    listing = []
    for folder, folders, files in os.walk(root / ASSETS_FOLDER):
        folders.sort()
        for name in sorted([*folders, *files]):
            path = Path(folder) / name
            try:
                info = os.lstat(path)
            except OSError:
                continue
            listing.append((path.relative_to(root).as_posix(), info.st_size, info.st_mtime_ns, info.st_ctime_ns))
    return listing


@dataclass
class LibraryKeys:
    """The keys of one read of the library: each protocol's facts and the digest of everything shared."""

    protocols: dict[str, ProtocolFacts]
    shared: bytes  # library files, assets, build date, site and every protocol's summary

    @classmethod
    def of(cls, library: Library, as_of: dt.date, reviewer: bool,
           known: dict[str, ProtocolFacts] | None = None) -> LibraryKeys:
        """The keys of ``library``; facts of ``known`` whose key is unchanged are taken as they are."""
        known = known or {}
        prefix = library.display() + "/" if library.display_root else ""
        files: dict[str, list[SourceFile]] = {}
        for path, source in library.sources.items():
            folder = path[len(prefix):].split("/", 1)[0] if path.startswith(prefix) else LIBRARY_FOLDER
            files.setdefault(folder, []).append(source)
        facts = {}
        for protocol_id, protocol in library.protocols.items():
            kept = known.get(protocol_id)
            sources = tuple(files.get(protocol_id, []))
            # the same parses validate alike (a version valid, partial or invalid as before); a file that could not
            # be parsed has no parse, so its name among the invalid versions is compared too
            if kept is not None and _same(kept.sources, sources) and kept.summary[1] == tuple(sorted(
                    protocol.invalid_versions)):
                facts[protocol_id] = kept
                continue
            key = protocol_key(protocol, [(source.path, source.text) for source in sources])
            facts[protocol_id] = (dataclasses.replace(kept, sources=sources) if kept is not None and kept.key == key
                                  else protocol_facts(protocol, key, sources))
        shared = digest([
            sorted((source.path, source.text) for source in files.get(LIBRARY_FOLDER, [])),
            sorted((name, sorted(ids)) for name, ids in library.invalid.items()),
            _assets_listing(library.root), as_of, reviewer,
            [(protocol_id, facts[protocol_id].summary) for protocol_id in sorted(facts)],
        ])
        return cls(facts, shared)

    def changed(self, before: LibraryKeys) -> set[str]:
        """The protocols whose own files differ from ``before`` (added and removed ones included)."""
        ids = self.protocols.keys() | before.protocols.keys()
        return {pid for pid in ids
                if pid not in self.protocols or pid not in before.protocols
                or self.protocols[pid].key != before.protocols[pid].key}


def _cited(keys: LibraryKeys) -> frozenset[str]:
    return frozenset().union(*(facts.cited for facts in keys.protocols.values()))


@dataclass
class IncrementalChecker:
    """The rules' diagnostics of the last run, per protocol and library-wide, with the keys they came from.
    One per `protocols serve` session."""

    keys: LibraryKeys | None = None
    by_protocol: dict[str, list[Diagnostic]] = field(default_factory=dict)
    library_wide: list[Diagnostic] = field(default_factory=list)
    log: list[str] = field(default_factory=list)  # "full", "3 protocols": what each run re-checked

    def run(self, library: Library, context: CheckContext, keys: LibraryKeys) -> list[Diagnostic]:
        """The diagnostics `run_checks(library, context)` gives, load diagnostics included."""
        before, self.keys = self.keys, keys
        changed = set() if before is None else keys.changed(before)
        if (before is None or before.shared != keys.shared or _cited(before) != _cited(keys)
                or any(target not in library.protocols for pid in changed for target in keys.protocols[pid].targets)):
            self._check_all(library, context)
            self.log.append("full")
        elif changed:
            self._check_protocols(library, context, changed)
            self.log.append(f"{len(changed)} protocols")
        else:
            self.log.append("none")
        found = [*self.library_wide, *(d for pid in sorted(self.by_protocol) for d in self.by_protocol[pid])]
        return sorted_diagnostics([*library.diagnostics, *found])

    def _check_all(self, library: Library, context: CheckContext) -> None:
        self.by_protocol = {pid: [] for pid in library.protocols}
        self.library_wide = []
        for diagnostic in rule_diagnostics(library, context):
            owner = _owner(library, diagnostic)
            (self.by_protocol[owner] if owner in self.by_protocol else self.library_wide).append(diagnostic)

    def _check_protocols(self, library: Library, context: CheckContext, changed: set[str]) -> None:
        assert self.keys is not None
        wanted = changed | {target for pid in changed for target in self.keys.protocols[pid].targets}
        part = dataclasses.replace(library, diagnostics=[],
                                   protocols={pid: p for pid, p in library.protocols.items() if pid in wanted})
        for pid in changed:
            self.by_protocol[pid] = []
        for diagnostic in rule_diagnostics(part, context):
            owner = _owner(library, diagnostic)
            if owner in changed:
                self.by_protocol[owner].append(diagnostic)


def _owner(library: Library, diagnostic: Diagnostic) -> str | None:
    """The protocol in whose folder the diagnostic stands, or None (a library file)."""
    prefix = library.display() + "/" if library.display_root else ""
    path = diagnostic.location.file
    if not path.startswith(prefix):
        return None
    folder = path[len(prefix):].split("/", 1)[0]
    return folder if folder in library.protocols else None
