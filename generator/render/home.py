"""The home page: the protocols table, the handbooks and, in the reviewer site, what awaits approval."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from generator.approvals.publication import STATE_WORDS, Publication
from generator.load.library import Library
from generator.model import page_paths as paths
from generator.model.field_types import UNPUBLISHED_STATUSES
from generator.render.html_page import html_page
from generator.render.page_dates import upcoming_on_site
from generator.render.templates import render_template

SITE_TITLE = "Clinical protocols"
_INDEXES = (
    ("What's new", paths.WHATS_NEW),
    ("Drugs A to Z", paths.DRUG_INDEX),
    ("Bibliography", paths.BIBLIOGRAPHY),
    ("Review dashboard", paths.DASHBOARD),
)


# The home page's protocol tables, in page order: (group, heading, anchor). A protocol is in use when a
# version is current on the build date; a retired one is never listed as in use.
PROTOCOL_GROUPS = (
    ("in-use", "Protocols in use", "protocols"),
    ("not-yet", "Protocols not yet in use", "not-yet-in-use"),
    ("retired", "Retired protocols", "retired"),
)


def _protocol_row(publication: Publication, protocol_id: str) -> dict[str, Any]:
    info = publication.protocols[protocol_id]
    shown = info.canonical
    assert shown is not None  # a protocol without a canonical version is not in the publication
    status = "retired" if info.retired else STATE_WORDS[shown.state]
    return {
        "group": "retired" if info.retired else "in-use" if info.current is not None else "not-yet",
        "title": shown.file.doc.title,
        "link": paths.href(paths.canonical(protocol_id)),
        "version": shown.version,
        "status": status,
        "effective": shown.file.doc.effective,
    }


def _handbooks(
    library: Library, publication: Publication, prose_markdown: Any, site_pages: set[str]
) -> list[dict[str, Any]]:
    handbooks = []
    for handbook in library.handbooks:
        rows = [_protocol_row(publication, pid) for pid in handbook.protocols if pid in publication.protocols]
        if not rows:
            continue
        handbooks.append(
            {
                "id": handbook.id,
                "title": handbook.title,
                "link": paths.href(paths.handbook(handbook.id)) if paths.handbook(handbook.id) in site_pages else "",
                "description_html": Markup(prose_markdown(handbook.description)) if handbook.description else "",
                "protocols": rows,
            }
        )
    return handbooks


def _pending(publication: Publication) -> list[dict[str, Any]]:
    rows = []
    for protocol_id, info in publication.protocols.items():
        for version in info.versions:
            if version.state in UNPUBLISHED_STATUSES:
                rows.append(
                    {
                        "title": version.file.doc.title,
                        "link": paths.href(paths.version_page(protocol_id, version.version)),
                        "version": version.version,
                        "status": version.state,
                        "missing": version.missing_approvals,
                    }
                )
    return rows


def render_home(library: Library, publication: Publication, prose_markdown: Any, site_pages: set[str]) -> str:
    """`prose_markdown(text) -> HTML` renders a handbook description (library Markdown); handbook
    titles link to their pages when `site_pages` has them."""
    body = render_template(
        "home.html.j2",
        as_of=publication.as_of,
        upcoming_json=upcoming_on_site(publication),
        reviewer=publication.reviewer,
        protocols=[_protocol_row(publication, pid) for pid in publication.protocols],
        groups=PROTOCOL_GROUPS,
        handbooks=_handbooks(library, publication, prose_markdown, site_pages),
        pending=_pending(publication) if publication.reviewer else [],
        indexes=[(title, paths.href(path)) for title, path in _INDEXES if path in site_pages],
        audit_link=paths.href(paths.AUDIT_FILE),
    )
    return html_page(SITE_TITLE, body)
