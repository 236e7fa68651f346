"""Cross-references (P303): unknown protocol, version or section; unpublished targets in the clinician build."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from helpers import write_files

from generator.checks import CheckContext
from generator.checks import xrefs as xref_rules
from generator.load.library import Library, load_library


def version(protocol: str, number: str, status: str, effective: str = "", sections: str = "safety",
            text: str = "Fine.") -> str:
    lines = [f"id: {protocol}", f'version: "{number}"', f"title: Title of {protocol} {number}", f"status: {status}"]
    if effective:
        lines.append(f"effective: {effective}")
    lines.append("sections:")
    for section in sections.split():
        lines += [f"  - id: {section}", f"    title: {section.capitalize()}", "    body: |", f"      {text}"]
    return "\n".join(lines) + "\n"


SOURCE = "protocols/ketamine-trd/1.0.yaml"
LINE, COL = 10, 7  # where the text of the first section body of a version with `effective` stands


def write(tmp_path: Path, text: str, source_status: str = "approved", handbook: str = "Fine.") -> Library:
    files = {
        "_library/references.yaml": "{}\n",
        "_library/drugs.yaml": "{}\n",
        "_library/policy.yaml": "approval:\n  minimum: 1\n",
        "_library/handbooks.yaml": f"- id: all\n  title: All\n  description: {handbook}\n  protocols: [ketamine-trd]\n",
        "ketamine-trd/1.0.yaml": version("ketamine-trd", "1.0", source_status, "2026-02-11", text=text),
        "ketamine-trd/1.1.yaml": version("ketamine-trd", "1.1", "draft", sections="safety new-section"),
        "ketamine-crps/1.0.yaml": version("ketamine-crps", "1.0", "approved", "2026-04-01", "evidence"),
        "future-protocol/1.0.yaml": version("future-protocol", "1.0", "approved", "2027-01-01"),
        "draft-protocol/1.0.yaml": version("draft-protocol", "1.0", "draft"),
    }
    write_files(tmp_path / "protocols", files)
    library = load_library(tmp_path / "protocols", "protocols")
    assert library.diagnostics == []
    return library


def lines(library: Library, reviewer: bool = False) -> list[str]:
    diagnostics = xref_rules.check(library, CheckContext(as_of=dt.date(2026, 6, 1), reviewer=reviewer))
    return [d.format_text() for d in sorted(diagnostics, key=lambda d: d.sort_key())]


@pytest.mark.parametrize("reviewer", [False, True])
def test_links_that_resolve(tmp_path: Path, reviewer: bool) -> None:
    text = (
        "[[#safety]] [[#dose-table]] [[ketamine-crps]] [[ketamine-crps#evidence|the evidence]]"
        " [[ketamine-crps@1.0#approvals]] [[ketamine-trd#safety]] [[future-protocol#safety]]"
    )
    assert lines(write(tmp_path, text), reviewer) == []


@pytest.mark.parametrize(
    ("text", "offset", "message", "hint"),
    [
        ("See [[#nope]].", 4, 'cross-reference [[#nope]]: no section "nope" in ketamine-trd 1.0',
         "sections: safety; generated: summary, dosing, schedule, dose-table, algorithm, changes, references,"
         " versions, approvals"),
        ("[[nosuch]]", 0, 'cross-reference [[nosuch]]: no protocol "nosuch" in this library',
         "use a protocol id (its folder name): draft-protocol, future-protocol, ketamine-crps, ketamine-trd"),
        ("x [[ketamine-crps@2.0]]", 2, "cross-reference [[ketamine-crps@2.0]]: ketamine-crps has no version 2.0",
         "versions of ketamine-crps: 1.0"),
        ("[[ketamine-crps#nope|label]]", 0,
         'cross-reference [[ketamine-crps#nope|label]]: no section "nope" in ketamine-crps 1.0',
         "sections: evidence; generated: summary, dosing, schedule, dose-table, algorithm, changes, references,"
         " versions, approvals"),
        ("[[ketamine-trd#new-section]]", 0,
         'cross-reference [[ketamine-trd#new-section]]: no section "new-section" in ketamine-trd 1.0',
         "sections: safety; generated: summary, dosing, schedule, dose-table, algorithm, changes, references,"
         " versions, approvals"),
        ("[[Bad Id]]", 0, 'malformed cross-reference "[[Bad Id]]"',
         "write [[protocol-id]], [[protocol-id#section]], [[protocol-id@1.0#section]] or [[#section]],"
         " optionally with |label text"),
    ],
)
@pytest.mark.parametrize("reviewer", [False, True])
def test_p303_unknown_targets_in_both_builds(tmp_path: Path, text: str, offset: int, message: str, hint: str,
                                             reviewer: bool) -> None:
    assert lines(write(tmp_path, text), reviewer) == [
        f"{SOURCE}:{LINE}:{COL + offset}: error P303: {message} (sections[0].body)\n    {hint}"
    ]


@pytest.mark.parametrize(
    ("text", "message", "hint"),
    [
        ("[[draft-protocol]]", "cross-reference [[draft-protocol]]: draft-protocol has no version published on"
         " the clinician site", "approve a version of draft-protocol first, or remove the link"),
        ("[[ketamine-trd@1.1#new-section]]", "cross-reference [[ketamine-trd@1.1#new-section]]: version 1.1 of"
         " ketamine-trd is draft, not published on the clinician site",
         "link to an approved or retired version, or to the protocol without @version"),
    ],
)
def test_p303_unpublished_targets_only_in_the_clinician_build(tmp_path: Path, text: str, message: str,
                                                              hint: str) -> None:
    library = write(tmp_path, text)
    assert lines(library) == [f"{SOURCE}:{LINE}:{COL}: error P303: {message} (sections[0].body)\n    {hint}"]
    assert lines(library, reviewer=True) == []


def test_a_draft_may_link_to_a_draft_without_blocking_the_clinician_build(tmp_path: Path) -> None:
    library = write(tmp_path, "[[draft-protocol]] [[ketamine-trd@1.1#new-section]]", source_status="draft")
    assert lines(library) == []


def test_a_section_link_outside_a_protocol(tmp_path: Path) -> None:
    assert lines(write(tmp_path, "Fine.", handbook="See [[#safety]] and [[ketamine-trd#safety]].")) == [
        "protocols/_library/handbooks.yaml:3:20: error P303: cross-reference [[#safety]]: a #section link needs"
        " a protocol page ([0].description)\n    write [[protocol-id#section]]"
    ]
