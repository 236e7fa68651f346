"""Protocol text on one page: the bridge between the page renderers and generator.inline.

One `PageProse` per page, because citations are numbered per page by first use: render the page's
texts in the order they appear on the page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from generator.library import Library, Protocol, VersionFile
from generator.render.publication import Publication


@dataclass(frozen=True)
class ReferenceEntry:
    number: int
    id: str
    text_md: str  # the formatted entry (AMA style), Markdown


class PageProse:
    """Renders a page's Markdown fields; interim: shown as written until generator.inline lands."""

    def __init__(
        self, library: Library, publication: Publication, protocol: Protocol, version: VersionFile, page: str
    ) -> None:
        self.library = library
        self.publication = publication
        self.protocol = protocol
        self.version = version
        self.page = page

    def markdown(self, text: str) -> str:
        return text.strip()

    def cite(self, reference_ids: Sequence[str]) -> str:
        """A citation of the references given in a `cite` list, numbered like the prose's."""
        if not reference_ids:
            return ""
        return self.markdown("[" + "; ".join(f"@{ref}" for ref in reference_ids) + "]")

    def references(self) -> list[ReferenceEntry]:
        return []


def page_prose(
    library: Library, publication: Publication, protocol: Protocol, version: VersionFile, page: str
) -> PageProse:
    return PageProse(library, publication, protocol, version, page)
