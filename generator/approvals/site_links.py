"""Cross-reference targets of one site: where `[[protocol-id@version#section]]` leads on the clinician or
reviewer site, given what that site publishes. The xrefs check (P303) and the page renderer
(`generator.render.inline_render`) use this one resolver, so a link that checks is a link that renders.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from generator.approvals.publication import site_versions
from generator.diagnostics import excerpt
from generator.model import page_paths
from generator.text.inline import GENERATED_SECTIONS, CrossReference


@dataclass(frozen=True)
class LinkTarget:
    path: str  # page path in the pages dict, e.g. "protocols/ketamine-trd/index.md"
    anchor: str  # section id, "" for the top of the page
    text: str  # default link text: the target's title, ": " and the section's title when there is one


class LinkError(ValueError):
    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


def _section_title(doc: Any, section: str) -> str | None:
    if section in GENERATED_SECTIONS:
        return GENERATED_SECTIONS[section]
    return next((s.title for s in doc.sections if s.id == section), None)


def _known_sections(doc: Any) -> str:
    own = [excerpt(s.id, quoted=False) for s in doc.sections]  # author ids: bounded like any quoted value
    return ("sections: " + ", ".join(own) + "; " if own else "") + "generated: " + ", ".join(GENERATED_SECTIONS)


class SiteLinks:
    """Cross-reference targets of one site (clinician or reviewer) on one build date.

    `publication` is `generator.approvals.publication`'s `Publication` or `SiteVersions` (any object with
    `reviewer`, `protocols[id].canonical.file` and `protocols[id].by_version[version].file`).
    A link without @version goes to the protocol's canonical page, so its #section must exist in the
    version that page shows; a link with @version goes to that version's permanent page.
    """

    def __init__(self, library: Any, publication: Any) -> None:
        self.library = library
        self.publication = publication

    @classmethod
    def for_build(cls, library: Any, as_of: dt.date, reviewer: bool) -> SiteLinks:
        """The links of the site `protocols build` makes: which versions it shows is all they need
        (`site_versions`, without the fingerprints and sign-offs that `publication` adds for the pages)."""
        return cls(library, site_versions(library, as_of, reviewer))

    def resolve(self, xref: CrossReference, source_doc: Any | None) -> LinkTarget:
        """Where `xref`, written in `source_doc` (None outside a version), leads; LinkError (P303) if nowhere."""
        if xref.error:
            raise LinkError(xref.error, "write [[protocol-id]], [[protocol-id#section]], [[protocol-id@1.0#section]] "
                            "or [[#section]], optionally with |label text")
        if not xref.protocol:
            if source_doc is None:
                raise LinkError(f"cross-reference {xref.raw}: a #section link needs a protocol page",
                                "write [[protocol-id#section]]")
            return self._section_target("", source_doc, xref.section, "", xref.raw)
        protocol = self.library.protocols.get(xref.protocol)
        if protocol is None:
            known = ", ".join(sorted(self.library.protocols)) or "none"
            raise LinkError(f'cross-reference {xref.raw}: no protocol "{xref.protocol}" in this library',
                            f"use a protocol id (its folder name): {known}")
        info = self.publication.protocols.get(xref.protocol)
        site = "the reviewer site" if self.publication.reviewer else "the clinician site"
        if xref.version:
            if xref.version not in protocol.versions and xref.version not in protocol.invalid_versions:
                known = ", ".join(protocol.versions) or "none"
                raise LinkError(f"cross-reference {xref.raw}: {xref.protocol} has no version {xref.version}",
                                f"versions of {xref.protocol}: {known}")
            version_info = info.by_version.get(xref.version) if info is not None else None
            if version_info is None:
                status = protocol.versions[xref.version].doc.status if xref.version in protocol.versions else "invalid"
                raise LinkError(f"cross-reference {xref.raw}: version {xref.version} of {xref.protocol} is {status}, "
                                f"not published on {site}",
                                "link to an approved or retired version, or to the protocol without @version")
            doc, path = version_info.file.doc, page_paths.version_page(xref.protocol, xref.version)
            title = f"{doc.title} (version {xref.version})"
        else:
            if info is None or info.canonical is None:
                raise LinkError(f"cross-reference {xref.raw}: {xref.protocol} has no version published on {site}",
                                f"approve a version of {xref.protocol} first, or remove the link")
            doc, path = info.canonical.file.doc, page_paths.canonical(xref.protocol)
            title = doc.title
        if not xref.section:
            return LinkTarget(path, "", title)
        return self._section_target(path, doc, xref.section, title, xref.raw)

    @staticmethod
    def _section_target(path: str, doc: Any, section: str, title: str, raw: str) -> LinkTarget:
        section_title = _section_title(doc, section)
        if section_title is None:
            raise LinkError(f'cross-reference {raw}: no section "{section}" in {doc.id} {doc.version}',
                            _known_sections(doc))
        return LinkTarget(path, section, f"{title}: {section_title}" if title else section_title)
