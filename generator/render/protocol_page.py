"""Protocol pages: the canonical page `protocols/<id>/index.md` (the version in use on the build date)
and one permanent page per published version `protocols/<id>/<version>/index.md`.

The bottom line comes first: the title, one status line, the "Dose for this patient" panel (which names
the version's status), then the summary, the dose tables and the version box (approvals, fingerprint,
versions), then the doses, the schedule and the author's sections. Protocol text is rendered by
generator.text.inline (citations numbered by first use, so sections render in page order).

A version's page is rendered once (`SharedProtocolText`) for every page that shows it: its own version
page, the canonical page while it is in use, handbook print views. Its links are root-relative, so they
read right on each (the site adapter makes them relative per page); what differs between those pages
(the version switcher, "Referenced by", the "Versions" section: navigation, on the protocol's own pages
only) is left as slots, filled per page.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from generator.approvals.publication import STATE_WORDS, ProtocolInfo, Publication, VersionInfo
from generator.dosing import dose_engine as dosing
from generator.load.library import Library, version_key
from generator.model import page_paths as paths
from generator.model.field_types import UNPUBLISHED_STATUSES
from generator.model.schema import VersionDoc
from generator.render.dose_card import render_dose_card
from generator.render.dose_panel import (
    LABELS_ATTRIBUTE,
    SPEC_ATTRIBUTE,
    STATUS_WORDS,
    dose_panel,
    panel_context,
)
from generator.render.dose_tables import render_dose_tables
from generator.render.fields import dose_statement, drug_name, phase_facts, regimen_facts
from generator.render.html_page import html_page
from generator.render.nowrap import keep_together
from generator.render.page_dates import page_dates
from generator.render.page_prose import PageProse, page_prose
from generator.render.referenced_by import Referrer, render_referenced_by
from generator.render.schedule_svg import render_schedule_svg
from generator.render.templates import iso_date, render_template
from generator.render.version_switcher import render_version_switcher


@dataclass(frozen=True)
class Banner:
    kind: str  # admonition type: "danger", "warning", "info"
    title: str
    body_html: Markup  # a paragraph, links root-relative


def _schedule_svg(publication: Publication, protocol_id: str, doc: VersionDoc) -> str:
    """The version's timeline figure: the same on its canonical, version and print pages, and on every
    version of the protocol with the same phases (most new versions keep the schedule)."""
    key = ("schedule", protocol_id, *(phase.model_dump_json() for phase in doc.phases))
    if key not in publication.rendered:
        publication.rendered[key] = render_schedule_svg(protocol_id, doc.phases)
    return publication.rendered[key]


def _link(target: str, text: str) -> str:
    """An HTML link to page path `target` (root-relative) with plain `text`."""
    return f'<a href="{paths.href(target)}">{Markup.escape(text)}</a>'


def _pending_banner(info: ProtocolInfo, version: VersionInfo, site_pages: set[str]) -> Banner | None:
    """Reviewer site: on a published version's page, the later versions waiting for approval."""
    later = [
        pending
        for pending in info.versions
        if pending.state in UNPUBLISHED_STATUSES and version_key(pending.version) > version_key(version.version)
    ]
    if not later or version.state in UNPUBLISHED_STATUSES:
        return None
    items = []
    for pending in later:
        item = f"{_link(paths.version_page(info.id, pending.version), f'version {pending.version}')} "
        item += f"({STATE_WORDS[pending.state]})"
        diff = paths.diff_page(info.id, pending.version)
        if diff in site_pages:
            item += f", {_link(diff, 'its changes')}"
        items.append(item)
    body = Markup(f"<p>Not yet approved: {'; '.join(items)}.</p>")
    return Banner("info", "Newer version in preparation", body)


def _banners(
    info: ProtocolInfo, version: VersionInfo, publication: Publication, site_pages: set[str]
) -> list[Banner]:
    """Below the dose panel, which names the version's status itself: an overdue review and, on the
    reviewer site, the versions in preparation."""
    banners: list[Banner] = []
    if version.review_overdue(publication.as_of):
        banners.append(
            Banner(
                "warning",
                "Review overdue",
                Markup(f"<p>This version was due for review on {iso_date(version.review_due)}. "
                       "Check with the protocol owner that it still applies.</p>"),
            )
        )
    pending = _pending_banner(info, version, site_pages) if publication.reviewer else None
    if pending is not None:
        banners.append(pending)
    return banners


def shown_state(info: ProtocolInfo, version: VersionInfo) -> str:
    """The state a page shows: every version of a retired protocol is shown as retired."""
    return "retired" if info.retired else version.state


def _status_html(info: ProtocolInfo, version: VersionInfo) -> str:
    """What the dose panel and the dose table say after the status word, for a version not in use (HTML
    text, no block)."""
    state = shown_state(info, version)
    current = info.current
    in_use = ""
    if current is not None and current is not version:
        in_use = _link(paths.canonical(info.id), f"version {current.version}")
    number = version.version
    if state == "retired":
        if info.retired:
            return "This protocol has been retired and must not be used for new treatment."
        return f"Version {number} has been retired and must not be used." + (f" Use {in_use}." if in_use else "")
    if state == "superseded" and current is not None:
        return (f"Version {number} is no longer in use: use {in_use}, in use since "
                f"{iso_date(current.file.doc.effective)}.")
    if state == "upcoming":
        effective = version.file.doc.effective
        when = f"on {iso_date(effective)}" if effective is not None else "once it has an effective date"
        until = f"{in_use} is in use." if in_use else "no version is in use."
        return f"Version {number} takes effect {when}. Until then, {until}"
    if state in UNPUBLISHED_STATUSES:
        what = "a draft" if state == "draft" else "waiting for approval"
        text = f"Version {number} is {what}: not approved for clinical use."
        return text + (f" The version in use is {in_use}." if in_use else "")
    return ""


_TABLE_WARNING_KINDS = {"superseded": "warning", "upcoming": "warning"}
_TABLE_NOTES = {
    "superseded": "Superseded: this table is version {version}'s, not the version in use.",
    "upcoming": "Upcoming: this table is version {version}'s, not yet in use.",
    "retired": "Retired: this table is kept for the record and must not be used.",
    "draft": "Draft: this table is not approved for clinical use.",
    "in-review": "In review: this table is not approved for clinical use.",
}


def _table_note(info: ProtocolInfo, version: VersionInfo) -> str:
    """Above each dose table of a version not in use (plain text; the table template escapes it)."""
    return _TABLE_NOTES.get(shown_state(info, version), "").format(version=version.version)


def _table_warning(info: ProtocolInfo, version: VersionInfo, status_html: str) -> Banner | None:
    """Beside the dose table, for whoever lands on #dose-table of a version that is not in use."""
    state = shown_state(info, version)
    if state == "current" or not status_html:
        return None
    title = f"{STATUS_WORDS[state]}: not the dose table of the version in use"
    return Banner(_TABLE_WARNING_KINDS.get(state, "danger"), title, Markup(f"<p>{status_html}</p>"))


def _weight_based(regimen: Any) -> bool:
    try:
        return dosing.is_weight_based(regimen)
    except dosing.DoseError:
        return False


def _regimen_views(doc: Any, library: Library, prose: PageProse) -> list[dict[str, Any]]:
    views = []
    for regimen in doc.regimens:
        statement = dose_statement(regimen, library.drugs)
        views.append(
            {
                "id": regimen.id,
                "heading": f"{drug_name(regimen, library.drugs)} {regimen.route}",
                "statement": statement,
                "facts": regimen_facts(regimen, library.drugs),
                "cite_html": Markup(prose.cite(regimen.cite)),
                "notes_html": Markup(prose.markdown(regimen.notes)) if regimen.notes else "",
                "card_html": Markup(render_dose_card(regimen, doc.phases, library.drugs)),
            }
        )
    return views


def _phase_views(doc: Any, library: Library, prose: PageProse) -> list[dict[str, Any]]:
    regimens = {regimen.id: regimen for regimen in doc.regimens}
    views = []
    for phase in doc.phases:
        regimen = regimens.get(phase.regimen)
        views.append(
            {
                "id": phase.id,
                "name": phase.name,
                "regimen_id": phase.regimen,
                "regimen_statement": dose_statement(regimen, library.drugs) if regimen is not None else phase.regimen,
                "facts": phase_facts(phase),
                "cite_html": Markup(prose.cite(phase.cite)),
                "notes_html": Markup(prose.markdown(phase.notes)) if phase.notes else "",
            }
        )
    return views


# The version switcher, the "Versions" section and "Referenced by" are navigation: they are on the
# protocol's own pages only, not where a protocol is shown elsewhere (handbook print views).


def _own_page(info: ProtocolInfo, page: str) -> bool:
    return page.startswith(paths.protocol_folder(info.id))


def _switcher(info: ProtocolInfo, shown: VersionInfo, page: str) -> str:
    if not _own_page(info, page):
        return ""
    return render_version_switcher(info, shown, page == paths.canonical(info.id)) + "\n"


def _versions_section(info: ProtocolInfo, shown: VersionInfo, site_pages: set[str], page: str) -> str:
    """The "Versions" section for `page`: on the version's own page that version is "this page"."""
    if not _own_page(info, page):
        return ""
    canonical_page = page == paths.canonical(info.id)
    entries = []
    for version in reversed(info.versions):
        diff = paths.diff_page(info.id, version.version)
        entries.append(
            {
                "version": version.version,
                "state_words": STATE_WORDS[version.state],
                "effective": version.file.doc.effective,
                "is_this": version.version == shown.version and not canonical_page,
                "link": paths.href(paths.version_page(info.id, version.version)),
                "diff_link": paths.href(diff) if diff in site_pages else "",
            }
        )
    history = paths.history(info.id)
    context = {
        "version_links": entries,
        "canonical_link": "" if canonical_page else paths.href(paths.canonical(info.id)),
        "history_link": paths.href(history) if history in site_pages else "",
    }
    return render_template("protocol_versions.html.j2", p=context)


def _referenced_by_section(info: ProtocolInfo, referrers: list[Referrer], page: str) -> str:
    if not referrers or not _own_page(info, page):
        return ""
    return render_referenced_by(referrers)


# Where the page-dependent parts go in the shared text: HTML comments, which neither escaped data nor
# sanitized author HTML (comments stripped) can hold, so the text splits at exactly these.
_SLOTS = ("switcher", "referenced_by", "versions")
_SLOT_MARKS = {name: Markup(f"<!-- protocols: {name} -->") for name in _SLOTS}
PagePart = Callable[[str], str]  # page path -> that part of the page


def render_protocol_text(
    library: Library,
    publication: Publication,
    info: ProtocolInfo,
    version: VersionInfo,
    site_pages: set[str],
    referenced_by: Sequence[Referrer] = (),
) -> tuple[str, list[str], list[PagePart]]:
    """A protocol page showing `version` for every page that shows it: the page's title, then the body's
    pieces between the slots, and for each slot what it holds on a given page."""
    doc = version.file.doc
    prose = page_prose(library, publication, doc, "")
    summary_html = prose.markdown(doc.summary) if doc.summary else "<p>This version has no summary.</p>"
    regimens = _regimen_views(doc, library, prose)
    phases = _phase_views(doc, library, prose)
    dose_tables_html = (render_dose_tables(info.id, doc, library.drugs, publication.dose_rows,
                                           status_note=_table_note(info, version)) if doc.dose_tables else "")
    status_html = _status_html(info, version)
    panel = dose_panel(info.id, doc, library.drugs, version.state, info.retired, status_html)
    sections = [{"id": s.id, "title": s.title, "body_html": Markup(prose.markdown(s.body))} for s in doc.sections]
    algorithm_html = [Markup(prose.item(step)) for step in doc.algorithm]
    changes_html = [Markup(prose.item(change)) for change in doc.changes]
    history = paths.history(info.id)
    referrers = list(referenced_by)
    state = shown_state(info, version)
    context = {
        "title": doc.title,
        "version": doc.version,
        "state": state,
        "state_words": STATE_WORDS[state],
        "retired": state == "retired",
        "built": publication.as_of,
        "dates": page_dates(info, version, publication.as_of),
        "effective": doc.effective,
        "review_due": version.review_due,
        "owner": doc.owner,
        "approvals": version.approvals,
        "missing_approvals": version.missing_approvals,
        "short_fingerprint": version.short_fingerprint,
        "banners": _banners(info, version, publication, site_pages),
        "summary_html": Markup(summary_html),
        "regimens": regimens,
        "phases": phases,
        "schedule_svg": Markup(_schedule_svg(publication, info.id, doc)),
        "dose_tables_html": Markup(dose_tables_html),
        "table_warning": _table_warning(info, version, status_html),
        "all_fixed": all(not _weight_based(regimen) for regimen in doc.regimens),
        "sections": sections,
        "algorithm_html": algorithm_html,
        "changes_html": changes_html,
        "references": [{"id": ref.id, "text_html": Markup(ref.text_md)} for ref in prose.references()],
        "history_link": paths.href(history) if history in site_pages else "",
    }
    body = render_template("protocol.html.j2", p=context, panel=panel_context(panel), slots=_SLOT_MARKS,
                           spec_attribute=SPEC_ATTRIBUTE, labels_attribute=LABELS_ATTRIBUTE)
    pieces = _split_at_slots(body)
    parts: list[PagePart] = [
        lambda page: _switcher(info, version, page),
        lambda page: _referenced_by_section(info, referrers, page),
        lambda page: _versions_section(info, version, site_pages, page),
    ]
    return doc.title, pieces, parts


def _split_at_slots(body: str) -> list[str]:
    pieces = []
    rest = body
    for name in _SLOTS:
        before, mark, rest = rest.partition(_SLOT_MARKS[name])
        if not mark or _SLOT_MARKS[name] in rest:
            raise RuntimeError(f"protocol.html.j2 must place slot {name!r} once, after the slots before it")
        pieces.append(before)
    pieces.append(rest)
    return pieces


@dataclass
class SharedProtocolText:
    """A version's protocol page rendered once for every page that shows it: its own version page, the
    canonical page while it is in use, handbook print views. `page(path)` is the page text for that path
    (generator/render/html_page.py); `body(path)` its HTML body; `title` the version's title.
    `kept_together`: the body's quantities and dates wrapped (generator/render/nowrap.py) once for every page
    that shows the text, so placing each page (generator/render/placed_page.py) need not wrap it again."""

    library: Library
    publication: Publication
    info: ProtocolInfo
    version: VersionInfo
    site_pages: set[str]
    referenced_by: Sequence[Referrer] = ()
    kept_together: bool = False
    title: str = ""
    pieces: list[str] = field(default_factory=list)
    parts: list[PagePart] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.title, self.pieces, self.parts = render_protocol_text(
            self.library, self.publication, self.info, self.version, self.site_pages, self.referenced_by)
        if self.kept_together:  # the slots lie between elements, so piece by piece is as the whole body
            self.pieces = [keep_together(piece) for piece in self.pieces]

    def body(self, page: str) -> str:
        filled = [self.pieces[0]]
        for part, piece in zip(self.parts, self.pieces[1:], strict=True):
            filled += [keep_together(part(page)) if self.kept_together else part(page), piece]
        return "".join(filled)

    def page(self, page: str) -> str:
        retired = shown_state(self.info, self.version) == "retired"
        return html_page(self.title, self.body(page), " (retired)" if retired else "")


def render_protocol_page(
    library: Library,
    publication: Publication,
    info: ProtocolInfo,
    version: VersionInfo,
    page: str,
    site_pages: set[str],
    referenced_by: Sequence[Referrer] = (),
) -> str:
    """The text of one protocol page showing `version`, written to `page` (a pages-dict key)."""
    return SharedProtocolText(library, publication, info, version, site_pages, referenced_by).page(page)
