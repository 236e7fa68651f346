"""The dates a protocol page carries for site_templates/assets/page-dates.js (issue 16).

A built site never rebuilds itself: a page built before an upcoming version takes effect, or before its
review falls due, would keep its build-day status forever. The page therefore carries, as data
attributes of its status line, the build date, the effective date of the version it shows (when that is
upcoming), the effective dates of the protocol's later versions that were upcoming on the build date and
the review date of the version in use. page-dates.js compares them with the reader's own date and says
at the top of the page what has changed since the build; nothing is fetched.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from generator.approvals.publication import ProtocolInfo, Publication, VersionInfo
from generator.load.library import version_key
from generator.render import paths
from generator.render.page_fragments import PageFragments


@dataclass(frozen=True)
class PageDates:
    effective: str  # the shown version's effective date when it is upcoming on the build date, else ""
    review_due: str  # the shown version's review date when it is in use and not yet due, else ""
    later: str  # JSON list of {"version", "effective", "href"}: later versions upcoming on the build date


def url_of(link: str) -> str:
    """A relative page link ("../1.1/index.md") as the built site's URL ("../1.1/"): data attributes are
    not rewritten by MkDocs as Markdown links are."""
    if link.endswith("index.md"):
        return link[: -len("index.md")] or "./"
    return link


def served_page(page: str) -> str:
    """Where a page is served with directory URLs: "whats-new.md" is whats-new/index.html, so links in data
    attributes (not rewritten by MkDocs) are made from "whats-new/index.md"."""
    if page.endswith(".md") and page != "index.md" and not page.endswith("/index.md"):
        return page[: -len(".md")] + "/index.md"
    return page


def _later(info: ProtocolInfo, version: VersionInfo, fragments: PageFragments) -> str:
    """JSON of the later versions upcoming on the build date. Written by hand: the link is a page fragment
    (a marker until the page is known), which json.dumps would escape; a relative URL needs no escaping."""
    entries = []
    for other in info.versions:
        effective = other.file.doc.effective
        if (other.state == "upcoming" and effective is not None
                and version_key(other.version) > version_key(version.version)):
            target = paths.version_page(info.id, other.version)
            href = fragments.text(lambda page, target=target: url_of(paths.relative(served_page(page), target)))
            entries.append(f'{{"version":{json.dumps(other.version)},"effective":"{effective.isoformat()}",'
                           f'"href":"{href}"}}')
    return f"[{','.join(entries)}]" if entries else ""


def page_dates(info: ProtocolInfo, version: VersionInfo, as_of: dt.date, fragments: PageFragments) -> PageDates:
    """What the status line of `version`'s page carries (retired protocols carry nothing: none takes effect)."""
    if info.retired:
        return PageDates("", "", "")
    effective = version.file.doc.effective
    shown_effective = effective.isoformat() if version.state == "upcoming" and effective is not None else ""
    review_due = ""
    if version.state == "current" and version.review_due is not None and version.review_due >= as_of:
        review_due = version.review_due.isoformat()
    later = _later(info, version, fragments) if version.state in ("current", "upcoming") else ""
    return PageDates(shown_effective, review_due, later)


def upcoming_on_site(publication: Publication, page: str) -> str:
    """JSON for a list page (home, What's new) built on the build date: every version upcoming then, with
    the link from `page` to its version page, so page-dates.js can say which have taken effect since."""
    entries = []
    for info in publication.protocols.values():
        for version in info.versions:
            effective = version.file.doc.effective
            if version.state == "upcoming" and effective is not None:
                entries.append({"title": version.file.doc.title, "version": version.version,
                                "effective": effective.isoformat(),
                                "href": url_of(paths.relative(served_page(page),
                                                              paths.version_page(info.id, version.version)))})
    entries.sort(key=lambda entry: (entry["effective"], entry["title"], entry["version"]))
    return json.dumps(entries, ensure_ascii=False, separators=(",", ":")) if entries else ""
