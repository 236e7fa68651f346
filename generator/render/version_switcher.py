"""The version switcher at the top of every protocol page: every version this site shows, each link
carrying the anchors its page has, so that assets/version-switcher.js can keep the reader's section
(`../1.0/#dosing`) when that section exists in the other version. Without the script the links still
work and open the other version at its top.
"""

from __future__ import annotations

from typing import Any

from generator.approvals.publication import STATE_WORDS, ProtocolInfo, VersionInfo
from generator.model import page_paths as paths
from generator.render.templates import render_template
from generator.text.inline import GENERATED_SECTIONS, anchor


def page_anchors(doc: Any) -> list[str]:
    """The anchors a protocol page of this version has (format §3.5 and ARCHITECTURE.md): the generated
    sections, then the anchors of its regimens, phases, dose tables and own sections."""
    anchors = list(GENERATED_SECTIONS)
    anchors += [anchor("regimen", regimen.id) for regimen in doc.regimens]
    anchors += [anchor("phase", phase.id) for phase in doc.phases]
    anchors += [anchor("dose_table", table.regimen) for table in doc.dose_tables]
    anchors += [section.id for section in doc.sections]
    return anchors


def render_version_switcher(info: ProtocolInfo, shown: VersionInfo, canonical_page: bool) -> str:
    """HTML of the switcher; on a version's own page that version is named, not linked. Links
    are root-relative (paths.href)."""
    entries = []
    for version in reversed(info.versions):
        is_this = version.version == shown.version
        entries.append(
            {
                "version": version.version,
                "state_words": STATE_WORDS[version.state],
                "is_this": is_this and not canonical_page,
                "shown_here": is_this and canonical_page,
                "link": paths.href(paths.version_page(info.id, version.version)),
                "anchors": " ".join(page_anchors(version.file.doc)),
            }
        )
    # The diff page of the version shown: the diff family renders one for every version but the first.
    position = [v.version for v in info.versions].index(shown.version)
    diff_link = None
    if position > 0:
        diff = paths.href(paths.diff_page(info.id, shown.version))
        diff_link = {"from": info.versions[position - 1].version, "link": diff}
    return render_template("version_switcher.html.j2", entries=entries, diff=diff_link).strip()

