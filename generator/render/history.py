"""The history page of a protocol: every published version with its state, dates, approvals and changes."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from generator.approvals.publication import STATE_WORDS, ProtocolInfo, Publication
from generator.load.library import Library
from generator.model import page_paths as paths
from generator.render.html_page import html_page
from generator.render.page_prose import page_prose
from generator.render.templates import render_template


def render_history(library: Library, publication: Publication, info: ProtocolInfo, site_pages: set[str]) -> str:
    page = paths.history(info.id)
    entries: list[dict[str, Any]] = []
    prose = page_prose(library, publication, None, page)
    for version in reversed(info.versions):
        prose.use_doc(version.file.doc, paths.version_page(info.id, version.version))
        diff = paths.diff_page(info.id, version.version)
        entries.append(
            {
                "version": version.version,
                "anchor": version.version.replace(".", "-"),
                "link": paths.href(paths.version_page(info.id, version.version)),
                "state_words": STATE_WORDS[version.state],
                "effective": version.file.doc.effective,
                "review_due": version.review_due,
                "short_fingerprint": version.short_fingerprint,
                "diff_link": paths.href(diff) if diff in site_pages else "",
                "approvals": version.approvals,
                "signoffs": version.signoffs,
                "missing": version.missing_approvals,
                "changes_html": [Markup(prose.item(change)) for change in version.file.doc.changes],
            }
        )
    assert info.canonical is not None
    body = render_template(
        "history.html.j2",
        canonical_link=paths.href(paths.canonical(info.id)),
        versions=entries,
        references=[{"id": ref.id, "text_html": Markup(ref.text_md)} for ref in prose.references()],
    )
    return html_page(f"{info.canonical.file.doc.title}: history", body)
