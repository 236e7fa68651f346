"""Rules of §4: P401 to P405 and P407, each broken once and kept once, with exact text and location (a case table)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest
from helpers import VERSION, fingerprint_of, run, signed_entry, write_library

F10 = "protocols/ketamine-trd/1.0.yaml"
F11 = "protocols/ketamine-trd/1.1.yaml"
LEDGER = "protocols/ketamine-trd/approvals.yaml"


def version_text(number: str = "1.0", status: str = "draft", effective: str | None = None,
                 changes: str = "[]", **edits: str) -> str:
    text = VERSION.replace('version: "1.0"', f'version: "{number}"').replace("changes: []", f"changes: {changes}")
    text = text.replace("status: draft", f"status: {status}" + (f"\neffective: {effective}" if effective else ""))
    for before, after in edits.items():
        assert before in text
        text = text.replace(before, after)
    return text


def at(text: str, prefix: str) -> str:
    """line:col of the value written after `prefix` at the start of a line."""
    (line,) = [number for number, content in enumerate(text.splitlines(), 1) if content.startswith(prefix)]
    return f"{line}:{len(prefix) + 1}"


def fp(text: str) -> str:
    return fingerprint_of(text)


def ledger(*entries: tuple[str, str, str, str]) -> str:
    """Entries signed by each reviewer's test key, as `protocols approve` writes them."""
    return "".join(signed_entry(v, r, role, f) for v, r, role, f in entries)


def signed(text: str, number: str = "1.0") -> list[tuple[str, str, str, str]]:
    return [(number, "Ann Lee", "pharmacist", fp(text)), (number, "Bo Chan", "psychiatrist", fp(text))]


def lines(tmp_path: Path, files: dict[str, str], *codes: str, as_of: str = "2026-06-01") -> list[str]:
    """Diagnostic lines of `protocols check` (the rules named by `codes`), paths relative to tmp_path."""
    root = write_library(tmp_path, files)
    _status, out, _err = run("check", "--as-of", as_of, str(root))
    found = [line.replace(f"{tmp_path}/", "") for line in out.splitlines()[:-1]]
    return [line for line in found if any(f" {code}: " in line for code in codes)]


def hints(tmp_path: Path, files: dict[str, str]) -> list[str]:
    root = write_library(tmp_path, files)
    _status, out, _err = run("check", "--as-of", "2026-06-01", str(root))
    return [line.strip() for line in out.splitlines() if line.startswith("    ")]


APPROVED = version_text("1.0", "approved", "2026-01-10")
STATUS_P401 = (
    f"{F10}:{at(APPROVED, 'status: ')}: error P401: version 1.0 is approved without the approvals the policy asks for"
)
NO_CHANGES = "must say what changed since 1.0 (changes)"

Entry = tuple[str, str, str, str]  # version, reviewer, role, and the version text signed (or a "sha256:" fingerprint)


@dataclass(frozen=True)
class ApprovalCase:
    """Version files and a ledger, and the §4 diagnostics `protocols check` must print for them.

    `ledger` entries are signed by each reviewer's test key over the fingerprint of the text they name (in
    ketamine-trd/approvals.yaml). `expected` is every diagnostic line of the rules `codes`, "file:line:col:
    level CODE: message (path)" relative to the test folder (() = a passing case); `hints`, when not None, is
    every hint line `protocols check` prints for the library.
    """

    id: str
    codes: tuple[str, ...]
    expected: tuple[str, ...] = ()
    files: dict[str, str] = field(default_factory=dict)
    ledger: tuple[Entry, ...] = ()
    hints: tuple[str, ...] | None = None
    as_of: str = "2026-06-01"

    def library_files(self) -> dict[str, str]:
        entries = [(v, r, role, text if text.startswith("sha256:") else fp(text)) for v, r, role, text in self.ledger]
        return self.files | ({"ketamine-trd/approvals.yaml": ledger(*entries)} if entries else {})


def both(text: str, number: str = "1.0") -> tuple[Entry, Entry]:
    """The pharmacist's and the psychiatrist's sign-offs of `text`."""
    return (number, "Ann Lee", "pharmacist", text), (number, "Bo Chan", "psychiatrist", text)


def v11(text: str, codes: tuple[str, ...], *expected: str, id: str, **fields: object) -> ApprovalCase:
    """A case with version 1.1 `text` next to the minimal 1.0."""
    return ApprovalCase(id, codes, expected, files={"ketamine-trd/1.1.yaml": text}, **fields)  # type: ignore[arg-type]


BLANK_CHANGES = version_text("1.1", changes='[" "]')
NO_CHANGES_KEY = version_text("1.1").replace("changes: []\n", "")
FIRST_LATER = version_text("1.1")
DOSE_RAISED = version_text("1.1", changes="[Dose raised.]", **{"dose: 0.5 mg/kg": "dose: 0.6 mg/kg"})
LONGER_ID = version_text("1.1", changes="[ketamine-iv-old retired; induction-x]",
                         **{"frequency: 3 per week": "frequency: 2 per week", "doses: 6": "doses: 4"})
RENAMED_PHASE = version_text("1.1", changes="[Schedule renamed.]", **{"- id: induction": "- id: course"})
PHASE_LINE = RENAMED_PHASE.splitlines().index("  - id: course") + 1
IN_REVIEW = version_text("1.0", "in-review", "2026-01-10")
RETITLED_IN_REVIEW = version_text("1.0", "in-review", "2026-01-10", **{"title: Safety": "title: Safety first"})
UNDATED = version_text("1.0", "approved")
RETIRED_FIRST = version_text("1.0", "retired", "2026-03-01")
EARLIER_LATER = version_text("1.1", "approved", "2026-02-01", changes="[Safety reworded.]")
OVERDUE = version_text("1.0", "approved", "2024-01-10")
REVIEW_DUE = version_text("1.0", "approved", "2026-01-10", **{"owner:": "review_due: 2026-05-31\nowner:"})
ALL = ("P401", "P402", "P403", "P404", "P405", "P407")

CASES = [
    ApprovalCase("minimal-library-clean", ALL),
    # P401: approvals the policy asks for
    ApprovalCase("p401-one-reviewer", ("P401",), (
        f"{STATUS_P401}: 1 more distinct reviewer (has 1 of 2); no approval in role psychiatrist (status)",
    ), files={"ketamine-trd/1.0.yaml": APPROVED}, ledger=both(APPROVED)[:1], hints=(
        "each missing reviewer signs with their own key: `protocols approve ketamine-trd 1.0 --role ROLE` "
        "(roles still needed: psychiatrist); or set status: in-review",
    )),
    ApprovalCase("p401-no-approval", ("P401",), (
        f"{STATUS_P401}: 2 more distinct reviewers (has 0 of 2); no approval in roles pharmacist, psychiatrist"
        " (status)",
    ), files={"ketamine-trd/1.0.yaml": APPROVED}),
    # Cy Dee holds both roles in the register and signed in both: one person fills one required role
    ApprovalCase("p401-one-person-in-both-roles", ("P401", "P406"), (
        f"{STATUS_P401}: 1 more distinct reviewer (has 1 of 2); role psychiatrist signed only by a reviewer who"
        " fills another required role: each required role needs a different reviewer (status)",
    ), files={"ketamine-trd/1.0.yaml": APPROVED},
        ledger=(("1.0", "Cy Dee", "pharmacist", APPROVED), ("1.0", "cy  DEE", "psychiatrist", APPROVED))),
    ApprovalCase("p401-p402-two-current-approvals", ("P401", "P402", "P405", "P407"),
                 files={"ketamine-trd/1.0.yaml": APPROVED}, ledger=both(APPROVED)),
    # P402: approvals of other content
    ApprovalCase("p402-status-change-keeps-the-fingerprint", ("P401", "P402"),
                 files={"ketamine-trd/1.0.yaml": APPROVED}, ledger=both(IN_REVIEW)),
    ApprovalCase("p402-re-approval-supersedes-the-stale-entry", ("P401", "P402"),
                 files={"ketamine-trd/1.0.yaml": APPROVED},
                 ledger=(*both(RETITLED_IN_REVIEW), *both(APPROVED))),
    ApprovalCase("p402-not-for-a-draft-in-review", ("P401", "P402"),
                 ledger=(("1.0", "Ann Lee", "pharmacist", "sha256:0123"),)),
    ApprovalCase("p402-version-that-does-not-exist", ("P402",), (
        f"{LEDGER}:1:12: error P402: approval by Ann Lee (pharmacist) is for version 2.0, which ketamine-trd "
        "does not have ([0].version)",
    ), ledger=(("2.0", "Ann Lee", "pharmacist", "sha256:0123"),)),
    # P403: a later version says what changed
    v11(FIRST_LATER, ("P403",), f"{F11}:{at(FIRST_LATER, 'changes: ')}: error P403: version 1.1 has no changes:"
        f" every version after the first {NO_CHANGES}", id="p403-no-changes"),
    v11(BLANK_CHANGES, ("P403",), f"{F11}:{at(BLANK_CHANGES, 'changes: ')}: error P403: version 1.1 has no changes:"
        f" every version after the first {NO_CHANGES}", id="p403-blank-entry"),
    v11(NO_CHANGES_KEY, ("P403",), f"{F11}:{at(NO_CHANGES_KEY, 'status: ')}: error P403: version 1.1 has no"
        f" changes: every version after the first {NO_CHANGES}", id="p403-no-changes-key"),
    v11(version_text("1.1", changes="[Safety section reworded.]"), ("P403", "P404"), id="p403-p404-with-changes"),
    # P404: dose changes named in changes
    v11(DOSE_RAISED, ("P404",), f"{F11}:{at(DOSE_RAISED, '    dose: ')}: error P404: dose of regimen ketamine-iv"
        " changed from 0.5 mg/kg in 1.0 to 0.6 mg/kg, but no entry of changes names ketamine-iv (regimens[0].dose)",
        id="p404-dose-change-not-named",
        hints=("add an entry to changes that names ketamine-iv and says what changed: no silent dose changes",)),
    v11(LONGER_ID, ("P404",),
        f"{F11}:{at(LONGER_ID, '    frequency: ')}: error P404: frequency of phase induction changed from "
        "3 times per week in 1.0 to twice per week, but no entry of changes names induction (phases[0].frequency)",
        f"{F11}:{at(LONGER_ID, '    doses: ')}: error P404: doses of phase induction changed from 6 in 1.0 to 4, "
        "but no entry of changes names induction (phases[0].doses)", id="p404-id-inside-a-longer-id"),
    v11(RENAMED_PHASE, ("P404",),
        f"{F11}:{PHASE_LINE}:3: error P404: phase induction of 1.0 was removed, but no entry of changes "
        "names induction (phases)",
        f"{F11}:{PHASE_LINE}:9: error P404: phase course is new since 1.0, but no entry of changes names course "
        "(phases[0].id)", id="p404-added-and-removed-phases"),
    v11(version_text("1.1", changes='["ketamine-iv: dose raised.", "Schedule of `induction` shortened."]',
                     **{"dose: 0.5 mg/kg": "dose: 0.6 mg/kg",
                        "length: 2 weeks\n    doses: 6": "length: 1 week\n    doses: 3"}),
        ("P404",), id="p404-changes-name-each-item"),
    # P405: effective dates
    ApprovalCase("p405-approved-without-effective", ("P405",), (
        f"{F10}:{at(UNDATED, 'status: ')}: error P405: version 1.0 is approved but has no effective date (status)",
    ), files={"ketamine-trd/1.0.yaml": UNDATED}, ledger=both(UNDATED)),
    ApprovalCase("p405-effective-dates-out-of-order", ("P401", "P402", "P405"), (
        f"{F11}:{at(EARLIER_LATER, 'effective: ')}: error P405: effective 2026-02-01 of 1.1 is before 2026-03-01,"
        " the effective date of 1.0: effective dates must follow version order (effective)",
    ), files={"ketamine-trd/1.0.yaml": RETIRED_FIRST, "ketamine-trd/1.1.yaml": EARLIER_LATER},
        ledger=(*both(RETIRED_FIRST), *both(EARLIER_LATER, "1.1"))),
    ApprovalCase("p405-same-day-is-in-order", ("P405",), files={
        "ketamine-trd/1.0.yaml": version_text("1.0", "approved", "2026-03-01"),
        "ketamine-trd/1.1.yaml": version_text("1.1", "approved", "2026-03-01", changes="[Safety reworded.]"),
    }),
    # P407: reviews due
    ApprovalCase("p407-review-overdue", ("P407",), (
        f"{F10}:{at(OVERDUE, 'effective: ')}: warning P407: review of ketamine-trd 1.0 was due on 2026-01-10 "
        "(2024-01-10 + 24 months); the build date is 2026-06-01 (effective)",
    ), files={"ketamine-trd/1.0.yaml": OVERDUE}, ledger=both(OVERDUE)),
    ApprovalCase("p407-review-due-that-day", ("P407",), files={"ketamine-trd/1.0.yaml": OVERDUE},
                 ledger=both(OVERDUE), as_of="2026-01-10"),
    ApprovalCase("p407-written-review-due", ("P407",), (
        f"{F10}:{at(REVIEW_DUE, 'review_due: ')}: warning P407: review of ketamine-trd 1.0 was due on 2026-05-31; "
        "the build date is 2026-06-01 (review_due)",
    ), files={"ketamine-trd/1.0.yaml": REVIEW_DUE}),
    ApprovalCase("p407-written-review-due-that-day", ("P407",), files={"ketamine-trd/1.0.yaml": REVIEW_DUE},
                 as_of="2026-05-31"),
    ApprovalCase("p407-not-for-a-retired-protocol", ("P407",),
                 files={"ketamine-trd/1.0.yaml": version_text("1.0", "retired", "2020-01-10")}),
]


def test_case_ids_are_unique() -> None:
    assert len({case.id for case in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_approval_rule_case(tmp_path: Path, case: ApprovalCase) -> None:
    files = case.library_files()
    assert lines(tmp_path, files, *case.codes, as_of=case.as_of) == list(case.expected)
    if case.hints is not None:
        assert hints(tmp_path, files) == list(case.hints)


def test_p402_content_changed_after_approval(tmp_path: Path) -> None:
    # the message quotes both fingerprints, computed here
    edited = APPROVED.replace("body: Monitor blood pressure.", "body: Monitor blood pressure and pulse.")
    files = {"ketamine-trd/1.0.yaml": edited, "ketamine-trd/approvals.yaml": ledger(*signed(APPROVED))}
    old, new = fp(APPROVED)[:19], fp(edited)[:19]
    assert lines(tmp_path, files, "P401", "P402") == [
        f"{LEDGER}:5:16: error P402: approval of 1.0 by Ann Lee (pharmacist, 2026-01-05) carries fingerprint "
        f"{old}... but the content now has {new}...: the version, or a drug or reference entry it uses, changed "
        "after it was approved ([0].fingerprint)",
        f"{LEDGER}:17:16: error P402: approval of 1.0 by Bo Chan (psychiatrist, 2026-01-05) carries fingerprint "
        f"{old}... but the content now has {new}...: the version, or a drug or reference entry it uses, changed "
        "after it was approved ([1].fingerprint)",
    ]
    assert hints(tmp_path, files) == [
        "check what changed with `protocols diff`; each reviewer who agrees signs the version again with their own "
        "key (`protocols approve ketamine-trd 1.0 --role pharmacist`)",
        "check what changed with `protocols diff`; each reviewer who agrees signs the version again with their own "
        "key (`protocols approve ketamine-trd 1.0 --role psychiatrist`)",
    ]


def test_check_exit_status_reflects_p401_error_and_p407_warning(tmp_path: Path) -> None:
    root = write_library(tmp_path, {"ketamine-trd/1.0.yaml": APPROVED})
    assert run("check", "--as-of", "2026-06-01", str(root))[0] == 1
    overdue = version_text("1.0", "approved", "2024-01-10")
    root = write_library(tmp_path, {"ketamine-trd/1.0.yaml": overdue,
                                    "ketamine-trd/approvals.yaml": ledger(*signed(overdue))})
    assert run("check", "--as-of", "2026-06-01", str(root))[0] == 0
    assert run("check", "--strict", "--as-of", "2026-06-01", str(root))[0] == 1
