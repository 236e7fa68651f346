"""Protocol text on one page: the bridge between the page renderers and generator.text.inline (author
Markdown arrives on a page as sanitized HTML, placed as a block between blank lines).

One `PageProse` per page, because citations are numbered per page by first use: render the page's
texts in the order they appear on the page, then ask for `references()`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from generator.approvals.publication import Publication
from generator.approvals.site_links import SiteLinks
from generator.load.library import Library
from generator.model.schema import VersionDoc
from generator.render.inline_render import PageContext, render_cite_list, render_markdown, unwrap_paragraph
from generator.text.citations import reference_page_html


@dataclass(frozen=True)
class ReferenceEntry:
    number: int
    id: str
    text_md: str  # the formatted entry (AMA style), sanitized HTML placed in a Markdown list item


class PageProse:
    """Renders the Markdown fields of one page with generator.text.inline, numbering citations by first use."""

    def __init__(self, library: Library, links: SiteLinks, doc: VersionDoc | None, page: str,
                 rendered: dict[tuple[str, ...], str] | None = None) -> None:
        self.library = library
        self.context = PageContext(path=page, links=links, doc=doc)
        self.rendered = {} if rendered is None else rendered  # Publication.rendered: entries once per build

    def use_doc(self, doc: VersionDoc | None, doc_page: str = "") -> None:
        """Resolve placeholders and [[#section]] links in `doc` from now on; citation numbers carry on.

        `doc_page`: the page holding `doc`'s sections when this page does not (history)."""
        self.context.doc = doc
        self.context.doc_page = doc_page

    def markdown(self, text: str) -> str:
        """One Markdown field as sanitized block HTML (`inline_render.render_markdown`)."""
        return render_markdown(text, self.context)

    def item(self, text: str) -> str:
        """A Markdown field shown as a list item (an algorithm step, a change): one paragraph unwrapped."""
        return unwrap_paragraph(self.markdown(text))

    def cite(self, reference_ids: Sequence[str]) -> str:
        """A structured `cite:` list, numbered with the page's prose."""
        return render_cite_list(list(reference_ids), self.context)

    def references(self) -> list[ReferenceEntry]:
        entries = []
        for number, reference_id in enumerate(self.context.citations.ordered(), start=1):
            key = ("reference", reference_id)
            if key not in self.rendered:
                self.rendered[key] = reference_page_html(self.library.references[reference_id])
            entries.append(ReferenceEntry(number, reference_id, self.rendered[key]))
        return entries


def site_links(library: Library, publication: Publication) -> SiteLinks:
    return SiteLinks(library, publication)


def page_prose(library: Library, publication: Publication, doc: VersionDoc | None, page: str) -> PageProse:
    """`page`: the page the text is for ("" for a text shown on several pages: its links are root-relative
    whatever the page)."""
    return PageProse(library, site_links(library, publication), doc, page, publication.rendered)
