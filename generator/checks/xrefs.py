"""Cross-references resolve (P303), with the resolver the render layer uses (`SiteLinks`).

Which site a link is checked against: a version is checked against each site it appears on. An
approved or retired version appears on the clinician site, so without --reviewer its links must reach
a published protocol, version and section; drafts and versions in review appear only on the reviewer
site, so their links are checked against it in both modes (a draft may link to another protocol's
draft without blocking the clinician build). With --reviewer every link is checked against the
reviewer site.

A link without @version goes to the target's canonical page, so its #section must exist in the version
that page shows on the build date (the current version; else as `render.publication` decides).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from generator.approvals.site_links import LinkError, SiteLinks
from generator.checks import CheckContext
from generator.diagnostics import DataPath, Diagnostic, format_path
from generator.load.library import Library
from generator.load.yaml_source import SourceFile
from generator.model.field_types import PUBLISHED_STATUSES
from generator.text.inline import CrossReference, library_markdown_fields, markdown_fields, tokenize


def _links_in(source: SourceFile, path: DataPath, text: str, doc: Any | None, links: SiteLinks,
              library: Library) -> Iterator[Diagnostic]:
    for token in tokenize(text):
        if not isinstance(token, CrossReference):
            continue
        try:
            links.resolve(token, doc)
        except LinkError as error:
            target = library.protocols.get(token.protocol)
            if target is not None and target.invalid_versions and not token.error:
                continue  # a version file of the target is broken and reported already
            yield Diagnostic("P303", error.message, source.text_at(path, token.start), format_path(path), error.hint)


def check(library: Library, context: CheckContext) -> Iterator[Diagnostic]:
    shown = context.shown_sites(library)
    sites: dict[bool, SiteLinks] = {}

    def site(reviewer: bool) -> SiteLinks:
        if reviewer not in sites:
            sites[reviewer] = SiteLinks(library, shown.site(reviewer))
        return sites[reviewer]

    for protocol in library.protocols.values():
        for version in protocol.ordered():
            reviewer = context.reviewer or version.doc.status not in PUBLISHED_STATUSES
            for path, text in markdown_fields(version.doc):
                if "[[" in text:
                    yield from _links_in(version.source, path, text, version.doc, site(reviewer), library)
    for file_name, path, text in library_markdown_fields(library):
        source = library.source("_library", file_name)
        if source is not None and "[[" in text:
            yield from _links_in(source, path, text, None, site(context.reviewer), library)
