"""Ids that must be unique or must resolve within a version and the library (P105, P211)."""

from __future__ import annotations

from collections.abc import Iterator

from generator.checks import CheckContext
from generator.diagnostics import Diagnostic, excerpt, format_path
from generator.load.library import Library, VersionFile
from generator.text.inline import ANCHOR_PREFIXES, GENERATED_SECTIONS

RESERVED_SECTION_IDS = frozenset(GENERATED_SECTIONS)
RESERVED_SECTION_PREFIXES = tuple(ANCHOR_PREFIXES.values())


def reserved_section_id(section_id: str) -> str | None:
    """Why an author section may not take this id (format §3.5), or None when it may."""
    if section_id in RESERVED_SECTION_IDS:
        return "is reserved for a generated section"
    prefix = next((p for p in RESERVED_SECTION_PREFIXES if section_id.startswith(p)), None)
    if prefix is not None:
        return f'starts with "{prefix}", which the generator uses for its own anchors'
    return None


def _unique_ids(version: VersionFile) -> Iterator[Diagnostic]:
    source, doc = version.source, version.doc
    seen: dict[str, str] = {}
    for kind, items in (("regimens", doc.regimens), ("phases", doc.phases)):
        for index, item in enumerate(items):
            path = (kind, index, "id")
            if item.id in seen:
                yield Diagnostic("P105", f"id {excerpt(item.id)} is already used by {seen[item.id]}", source.at(path),
                                 format_path(path), "give every regimen and phase its own id")
            else:
                seen[item.id] = f"{kind}[{index}]"
    sections: dict[str, int] = {}
    for index, section in enumerate(doc.sections):
        path = ("sections", index, "id")
        reserved = reserved_section_id(section.id)
        if reserved is not None:
            yield Diagnostic(
                "P105",
                f"section id {excerpt(section.id)} {reserved}",
                source.at(path),
                f"sections[{index}].id",
                "choose another id; reserved: " + ", ".join(sorted(RESERVED_SECTION_IDS))
                if section.id in RESERVED_SECTION_IDS
                else "choose another id; ids starting with " + ", ".join(RESERVED_SECTION_PREFIXES) + " are reserved",
            )
        elif section.id in sections:
            message = f"section id {excerpt(section.id)} is already used by sections[{sections[section.id]}]"
            yield Diagnostic("P105", message, source.at(path), format_path(path), "give every section its own id")
        else:
            sections[section.id] = index


def _references(version: VersionFile, library: Library) -> Iterator[Diagnostic]:
    source, doc = version.source, version.doc
    regimen_ids = [r.id for r in doc.regimens]
    for index, regimen in enumerate(doc.regimens):
        if regimen.drug not in library.drugs and regimen.drug not in library.invalid.get("drugs", ()):
            known = ", ".join(excerpt(drug, quoted=False) for drug in sorted(library.drugs)[:20]) or "none"
            yield Diagnostic(
                "P211",
                f"drug {excerpt(regimen.drug)} is not in drugs.yaml",
                source.at(("regimens", index, "drug")),
                f"regimens[{index}].drug",
                f"add it to _library/drugs.yaml or use a known drug ({known})",
            )
    tabled: dict[str, int] = {}
    for index, table in enumerate(doc.dose_tables):
        if table.regimen in tabled:
            yield Diagnostic(
                "P210",
                f"regimen {excerpt(table.regimen)} already has a dose table (dose_tables[{tabled[table.regimen]}])",
                source.at(("dose_tables", index, "regimen")),
                f"dose_tables[{index}].regimen",
                "keep one table per regimen: widen its weights instead",
            )
        tabled.setdefault(table.regimen, index)
    for kind, items in (("phases", doc.phases), ("dose_tables", doc.dose_tables)):
        for index, item in enumerate(items):
            if item.regimen not in regimen_ids:
                known = ", ".join(excerpt(regimen, quoted=False) for regimen in regimen_ids[:20]) or "none"
                yield Diagnostic(
                    "P211",
                    f"regimen {excerpt(item.regimen)} is not defined in this version",
                    source.at((kind, index, "regimen")),
                    f"{kind}[{index}].regimen",
                    f"use the id of one of this version's regimens ({known})",
                )


def _handbooks(library: Library) -> Iterator[Diagnostic]:
    source = library.source("_library", "handbooks.yaml")
    if source is None:
        return
    seen: set[str] = set()
    for index, handbook in enumerate(library.handbooks):
        if handbook.id in seen:
            yield Diagnostic(
                "P105",
                f"handbook id {excerpt(handbook.id)} is already used",
                source.at((index, "id")),
                f"[{index}].id",
                "give every handbook its own id",
            )
        seen.add(handbook.id)
        for position, protocol_id in enumerate(handbook.protocols):
            if protocol_id not in library.protocols:
                yield Diagnostic(
                    "P303",
                    f"handbook {excerpt(handbook.id)} lists unknown protocol {excerpt(protocol_id)}",
                    source.at((index, "protocols", position)),
                    f"[{index}].protocols[{position}]",
                    "use the id (folder name) of a protocol in this library",
                )


def check(library: Library, context: CheckContext) -> Iterator[Diagnostic]:
    for protocol in library.protocols.values():
        for version in protocol.ordered():
            yield from _unique_ids(version)
            yield from _references(version, library)
    yield from _handbooks(library)
