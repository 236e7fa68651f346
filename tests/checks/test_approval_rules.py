"""Rules of §4: P401 to P405 and P407, each broken once and kept once, with exact text and location."""

from __future__ import annotations

from pathlib import Path

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


def test_minimal_library_has_no_version_diagnostics(tmp_path: Path) -> None:
    assert lines(tmp_path, {}, "P401", "P402", "P403", "P404", "P405", "P407") == []


def test_p401_approved_with_one_reviewer(tmp_path: Path) -> None:
    files = {"ketamine-trd/1.0.yaml": APPROVED, "ketamine-trd/approvals.yaml": ledger(signed(APPROVED)[0])}
    assert lines(tmp_path, files, "P401") == [
        f"{F10}:{at(APPROVED, 'status: ')}: error P401: version 1.0 is approved without the approvals the policy "
        "asks for: 1 more distinct reviewer (has 1 of 2); no approval in role psychiatrist (status)"
    ]
    assert hints(tmp_path, files) == [
        "each missing reviewer signs with their own key: `protocols approve ketamine-trd 1.0 --role ROLE` "
        "(roles still needed: psychiatrist); or set status: in-review"
    ]


def test_p401_approved_without_any_approval(tmp_path: Path) -> None:
    assert lines(tmp_path, {"ketamine-trd/1.0.yaml": APPROVED}, "P401") == [
        f"{F10}:{at(APPROVED, 'status: ')}: error P401: version 1.0 is approved without the approvals the policy "
        "asks for: 2 more distinct reviewers (has 0 of 2); no approval in roles pharmacist, psychiatrist (status)"
    ]


def test_p401_one_person_in_both_roles_is_one_reviewer(tmp_path: Path) -> None:
    # Cy Dee holds both roles in the register and signed in both: one person fills one required role
    entries = [("1.0", "Cy Dee", "pharmacist", fp(APPROVED)), ("1.0", "cy  DEE", "psychiatrist", fp(APPROVED))]
    files = {"ketamine-trd/1.0.yaml": APPROVED, "ketamine-trd/approvals.yaml": ledger(*entries)}
    assert lines(tmp_path, files, "P401", "P406") == [
        f"{F10}:{at(APPROVED, 'status: ')}: error P401: version 1.0 is approved without the approvals the policy "
        "asks for: 1 more distinct reviewer (has 1 of 2); role psychiatrist signed only by a reviewer who fills "
        "another required role: each required role needs a different reviewer (status)"
    ]


def test_p401_p402_pass_with_two_current_approvals_covering_the_roles(tmp_path: Path) -> None:
    files = {"ketamine-trd/1.0.yaml": APPROVED, "ketamine-trd/approvals.yaml": ledger(*signed(APPROVED))}
    assert lines(tmp_path, files, "P401", "P402", "P405", "P407") == []


def test_p402_content_changed_after_approval(tmp_path: Path) -> None:
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


def test_p402_status_change_keeps_the_fingerprint(tmp_path: Path) -> None:
    in_review = version_text("1.0", "in-review", "2026-01-10")
    files = {"ketamine-trd/1.0.yaml": APPROVED, "ketamine-trd/approvals.yaml": ledger(*signed(in_review))}
    assert lines(tmp_path, files, "P401", "P402") == []


def test_p402_re_approval_supersedes_the_stale_entry(tmp_path: Path) -> None:
    draft = version_text("1.0", "in-review", "2026-01-10", **{"title: Safety": "title: Safety first"})
    entries = [*signed(draft), *signed(APPROVED)]
    files = {"ketamine-trd/1.0.yaml": APPROVED, "ketamine-trd/approvals.yaml": ledger(*entries)}
    assert lines(tmp_path, files, "P401", "P402") == []


def test_p402_not_for_a_draft_still_in_review(tmp_path: Path) -> None:
    files = {"ketamine-trd/approvals.yaml": ledger(("1.0", "Ann Lee", "pharmacist", "sha256:0123"))}
    assert lines(tmp_path, files, "P401", "P402") == []


def test_p402_approval_for_a_version_that_does_not_exist(tmp_path: Path) -> None:
    files = {"ketamine-trd/approvals.yaml": ledger(("2.0", "Ann Lee", "pharmacist", "sha256:0123"))}
    assert lines(tmp_path, files, "P402") == [
        f"{LEDGER}:1:12: error P402: approval by Ann Lee (pharmacist) is for version 2.0, which ketamine-trd "
        "does not have ([0].version)"
    ]


def test_p403_later_version_without_changes(tmp_path: Path) -> None:
    later = version_text("1.1")
    assert lines(tmp_path, {"ketamine-trd/1.1.yaml": later}, "P403") == [
        f"{F11}:{at(later, 'changes: ')}: error P403: version 1.1 has no changes: every version after the first "
        "must say what changed since 1.0 (changes)"
    ]


def test_p403_blank_entries_or_no_key_count_as_no_changes(tmp_path: Path) -> None:
    blank = version_text("1.1", changes='[" "]')
    assert lines(tmp_path, {"ketamine-trd/1.1.yaml": blank}, "P403") == [
        f"{F11}:{at(blank, 'changes: ')}: error P403: version 1.1 has no changes: every version after the first "
        "must say what changed since 1.0 (changes)"
    ]
    absent = version_text("1.1").replace("changes: []\n", "")
    assert lines(tmp_path, {"ketamine-trd/1.1.yaml": absent}, "P403") == [
        f"{F11}:{at(absent, 'status: ')}: error P403: version 1.1 has no changes: every version after the first "
        "must say what changed since 1.0 (changes)"
    ]


def test_p403_passes_with_changes_and_for_the_first_version(tmp_path: Path) -> None:
    files = {"ketamine-trd/1.1.yaml": version_text("1.1", changes="[Safety section reworded.]")}
    assert lines(tmp_path, files, "P403", "P404") == []


def test_p404_dose_change_not_named_in_changes(tmp_path: Path) -> None:
    later = version_text("1.1", changes="[Dose raised.]", **{"dose: 0.5 mg/kg": "dose: 0.6 mg/kg"})
    assert lines(tmp_path, {"ketamine-trd/1.1.yaml": later}, "P404") == [
        f"{F11}:{at(later, '    dose: ')}: error P404: dose of regimen ketamine-iv changed from 0.5 mg/kg in 1.0 "
        "to 0.6 mg/kg, but no entry of changes names ketamine-iv (regimens[0].dose)"
    ]
    assert hints(tmp_path, {"ketamine-trd/1.1.yaml": later}) == [
        "add an entry to changes that names ketamine-iv and says what changed: no silent dose changes"
    ]


def test_p404_id_inside_a_longer_id_does_not_name_it(tmp_path: Path) -> None:
    later = version_text("1.1", changes="[ketamine-iv-old retired; induction-x]",
                         **{"frequency: 3 per week": "frequency: 2 per week", "doses: 6": "doses: 4"})
    assert lines(tmp_path, {"ketamine-trd/1.1.yaml": later}, "P404") == [
        f"{F11}:{at(later, '    frequency: ')}: error P404: frequency of phase induction changed from "
        "3 times per week in 1.0 to twice per week, but no entry of changes names induction (phases[0].frequency)",
        f"{F11}:{at(later, '    doses: ')}: error P404: doses of phase induction changed from 6 in 1.0 to 4, "
        "but no entry of changes names induction (phases[0].doses)",
    ]


def test_p404_added_and_removed_phases(tmp_path: Path) -> None:
    later = version_text("1.1", changes="[Schedule renamed.]", **{"- id: induction": "- id: course"})
    found = lines(tmp_path, {"ketamine-trd/1.1.yaml": later}, "P404")
    phase_line = later.splitlines().index("  - id: course") + 1
    assert found == [
        f"{F11}:{phase_line}:3: error P404: phase induction of 1.0 was removed, but no entry of changes "
        "names induction (phases)",
        f"{F11}:{phase_line}:9: error P404: phase course is new since 1.0, but no entry of changes names course "
        "(phases[0].id)",
    ]


def test_p404_passes_when_changes_names_each_changed_item(tmp_path: Path) -> None:
    later = version_text(
        "1.1", changes='["ketamine-iv: dose raised.", "Schedule of `induction` shortened."]',
        **{"dose: 0.5 mg/kg": "dose: 0.6 mg/kg", "length: 2 weeks\n    doses: 6": "length: 1 week\n    doses: 3"},
    )
    assert lines(tmp_path, {"ketamine-trd/1.1.yaml": later}, "P404") == []


def test_p405_approved_without_effective(tmp_path: Path) -> None:
    undated = version_text("1.0", "approved")
    files = {"ketamine-trd/1.0.yaml": undated, "ketamine-trd/approvals.yaml": ledger(*signed(undated))}
    assert lines(tmp_path, files, "P405") == [
        f"{F10}:{at(undated, 'status: ')}: error P405: version 1.0 is approved but has no effective date (status)"
    ]


def test_p405_effective_dates_out_of_version_order(tmp_path: Path) -> None:
    first = version_text("1.0", "retired", "2026-03-01")
    later = version_text("1.1", "approved", "2026-02-01", changes="[Safety reworded.]")
    files = {"ketamine-trd/1.0.yaml": first, "ketamine-trd/1.1.yaml": later,
             "ketamine-trd/approvals.yaml": ledger(*signed(first), *signed(later, "1.1"))}
    assert lines(tmp_path, files, "P401", "P402", "P405") == [
        f"{F11}:{at(later, 'effective: ')}: error P405: effective 2026-02-01 of 1.1 is before 2026-03-01, the "
        "effective date of 1.0: effective dates must follow version order (effective)"
    ]


def test_p405_same_day_is_in_order(tmp_path: Path) -> None:
    first = version_text("1.0", "approved", "2026-03-01")
    later = version_text("1.1", "approved", "2026-03-01", changes="[Safety reworded.]")
    files = {"ketamine-trd/1.0.yaml": first, "ketamine-trd/1.1.yaml": later}
    assert lines(tmp_path, files, "P405") == []


def test_p407_review_overdue_for_the_current_version(tmp_path: Path) -> None:
    old = version_text("1.0", "approved", "2024-01-10")
    files = {"ketamine-trd/1.0.yaml": old, "ketamine-trd/approvals.yaml": ledger(*signed(old))}
    assert lines(tmp_path, files, "P407") == [
        f"{F10}:{at(old, 'effective: ')}: warning P407: review of ketamine-trd 1.0 was due on 2026-01-10 "
        "(2024-01-10 + 24 months); the build date is 2026-06-01 (effective)"
    ]
    assert lines(tmp_path, files, "P407", as_of="2026-01-10") == []


def test_p407_uses_a_written_review_due(tmp_path: Path) -> None:
    dated = version_text("1.0", "approved", "2026-01-10", **{"owner:": "review_due: 2026-05-31\nowner:"})
    assert lines(tmp_path, {"ketamine-trd/1.0.yaml": dated}, "P407") == [
        f"{F10}:{at(dated, 'review_due: ')}: warning P407: review of ketamine-trd 1.0 was due on 2026-05-31; "
        "the build date is 2026-06-01 (review_due)"
    ]
    assert lines(tmp_path, {"ketamine-trd/1.0.yaml": dated}, "P407", as_of="2026-05-31") == []


def test_p407_not_for_a_retired_protocol(tmp_path: Path) -> None:
    retired = version_text("1.0", "retired", "2020-01-10")
    assert lines(tmp_path, {"ketamine-trd/1.0.yaml": retired}, "P407") == []


def test_check_exit_status_reflects_p401_error_and_p407_warning(tmp_path: Path) -> None:
    root = write_library(tmp_path, {"ketamine-trd/1.0.yaml": APPROVED})
    assert run("check", "--as-of", "2026-06-01", str(root))[0] == 1
    overdue = version_text("1.0", "approved", "2024-01-10")
    root = write_library(tmp_path, {"ketamine-trd/1.0.yaml": overdue,
                                    "ketamine-trd/approvals.yaml": ledger(*signed(overdue))})
    assert run("check", "--as-of", "2026-06-01", str(root))[0] == 0
    assert run("check", "--strict", "--as-of", "2026-06-01", str(root))[0] == 1
