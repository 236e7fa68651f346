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
from generator.model import page_paths as paths


@dataclass(frozen=True)
class PageDates:
    effective: str  # the shown version's effective date when it is upcoming on the build date, else ""
    review_due: str  # the shown version's review date when it is in use and not yet due, else ""
    later: str  # JSON list of {"version", "effective", "href"}: later versions upcoming on the build date


def _later(info: ProtocolInfo, version: VersionInfo) -> str:
    """JSON of the later versions upcoming on the build date, each "href" root-relative (made relative for
    the page that shows it by generator.render.page_links, which looks for exactly `"href":"/`)."""
    entries = []
    for other in info.versions:
        effective = other.file.doc.effective
        if (other.state == "upcoming" and effective is not None
                and version_key(other.version) > version_key(version.version)):
            target = paths.version_page(info.id, other.version)
            entries.append({"version": other.version, "effective": effective.isoformat(),
                            "href": paths.href(target)})
    return json.dumps(entries, ensure_ascii=False, separators=(",", ":")) if entries else ""


def page_dates(info: ProtocolInfo, version: VersionInfo, as_of: dt.date) -> PageDates:
    """What the status line of `version`'s page carries (retired protocols carry nothing: none takes effect)."""
    if info.retired:
        return PageDates("", "", "")
    effective = version.file.doc.effective
    shown_effective = effective.isoformat() if version.state == "upcoming" and effective is not None else ""
    review_due = ""
    if version.state == "current" and version.review_due is not None and version.review_due >= as_of:
        review_due = version.review_due.isoformat()
    later = _later(info, version) if version.state in ("current", "upcoming") else ""
    return PageDates(shown_effective, review_due, later)


def upcoming_on_site(publication: Publication) -> str:
    """JSON for a list page (home, What's new) built on the build date: every version upcoming then, with
    the link to its version page (root-relative, like `_later`'s), so page-dates.js can say which have
    taken effect since."""
    entries = []
    for info in publication.protocols.values():
        for version in info.versions:
            effective = version.file.doc.effective
            if version.state == "upcoming" and effective is not None:
                entries.append({"title": version.file.doc.title, "version": version.version,
                                "effective": effective.isoformat(),
                                "href": paths.href(paths.version_page(info.id, version.version))})
    entries.sort(key=lambda entry: (entry["effective"], entry["title"], entry["version"]))
    return json.dumps(entries, ensure_ascii=False, separators=(",", ":")) if entries else ""
