"""`protocols status`: versions in use, reviews due, upcoming versions, drafts and what they still need."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import VERSION, run, signed_ledger, write_library

SAMPLE = Path(__file__).resolve().parents[2] / "protocols"

APPROVED = VERSION.replace("status: draft", "status: approved\neffective: 2024-01-01")
DRAFT = (
    VERSION.replace('version: "1.0"', 'version: "1.1"')
    .replace("changes: []", "changes: [wording of safety]")
    .replace("Monitor blood pressure.", "Monitor blood pressure and pulse ([[#nowhere]]).")
)


def overdue_library(tmp_path: Path) -> Path:
    """1.0 in use since 2024-01-01 (review due 2026-01-01); draft 1.1 with a broken cross-reference, signed
    by the pharmacist only."""
    root = write_library(tmp_path, {"ketamine-trd/1.0.yaml": APPROVED, "ketamine-trd/1.1.yaml": DRAFT})
    ledger = signed_ledger(root, "ketamine-trd", [
        ("1.0", "Ann Lee", "pharmacist", "2023-12-01"),
        ("1.0", "Bo Chan", "psychiatrist", "2023-12-02"),
        ("1.1", "Ann Lee", "pharmacist", "2026-05-01"),
    ])
    (root / "ketamine-trd" / "approvals.yaml").write_text(ledger, encoding="utf-8")
    return root


def test_status_text_names_the_overdue_review_and_what_the_draft_needs(tmp_path: Path) -> None:
    root = overdue_library(tmp_path)
    status, out, err = run("status", "--as-of", "2026-06-01", str(root))
    assert (status, err) == (0, "")
    assert out == (
        f"status of {root} on 2026-06-01\n"
        "\n"
        "ketamine-trd: IV ketamine for treatment-resistant depression\n"
        "  in use: 1.0, effective 2024-01-01\n"
        "  review: OVERDUE since 2026-01-01 (151 days)\n"
        "  draft 1.1: needs\n"
        "    1 more distinct reviewer\n"
        "    role psychiatrist, by a reviewer who fills no other required role; may sign: Bo Chan, Cy Dee\n"
        "    fixes for 1 check error:\n"
        f"      {root}/ketamine-trd/1.1.yaml:30:45: error P303: cross-reference [[#nowhere]]: no section "
        '"nowhere" in ketamine-trd 1.1 (sections[0].body)\n'
        "          sections: safety; generated: summary, dosing, schedule, dose-table, algorithm, changes, "
        "references, versions, approvals\n"
        "\n"
        "1 protocol: 1 review(s) overdue, 0 due within 60 days, 1 draft(s) or version(s) in review, "
        "0 upcoming version(s), 1 check error\n"
    )


def test_status_json_of_the_same_library(tmp_path: Path) -> None:
    root = overdue_library(tmp_path)
    status, out, err = run("status", "--format", "json", "--as-of", "2026-06-01", str(root))
    assert (status, err) == (0, "")
    file = f"{root}/ketamine-trd/1.1.yaml"
    assert json.loads(out) == {
        "as_of": "2026-06-01",
        "review_warning_days": 60,
        "library_errors": [],
        "protocols": [{
            "id": "ketamine-trd",
            "title": "IV ketamine for treatment-resistant depression",
            "retired": False,
            "in_use": {"version": "1.0", "effective": "2024-01-01", "review_due": "2026-01-01", "review": "overdue"},
            "upcoming": [],
            "pending": [{
                "version": "1.1",
                "status": "draft",
                "file": file,
                "errors": [{
                    "file": file, "line": 30, "col": 45, "level": "error", "code": "P303",
                    "message": 'cross-reference [[#nowhere]]: no section "nowhere" in ketamine-trd 1.1',
                    "path": "sections[0].body",
                    "hint": "sections: safety; generated: summary, dosing, schedule, dose-table, algorithm, changes, "
                            "references, versions, approvals",
                }],
                "reviewers_needed": 1,
                "roles_needed": [{"role": "psychiatrist", "may_sign": ["Bo Chan", "Cy Dee"]}],
                "ready": False,
            }],
            "other_errors": [],
        }],
        "summary": {"protocols": 1, "reviews_overdue": 1, "reviews_due": 0, "pending": 1, "upcoming": 0,
                    "check_errors": 1},
    }


def test_a_sign_off_of_older_content_does_not_count(tmp_path: Path) -> None:
    """Editing the draft after the pharmacist signed it: both roles are missing again (P402's rule)."""
    root = overdue_library(tmp_path)
    draft = root / "ketamine-trd" / "1.1.yaml"
    draft.write_text(draft.read_text().replace("and pulse", "and heart rate"), encoding="utf-8")
    status, out, _ = run("status", "--format", "json", "--as-of", "2026-06-01", str(root))
    pending = json.loads(out)["protocols"][0]["pending"][0]
    assert status == 0
    assert (pending["reviewers_needed"], pending["roles_needed"]) == (2, [
        {"role": "pharmacist", "may_sign": ["Ann Lee", "Cy Dee"]},
        {"role": "psychiatrist", "may_sign": ["Bo Chan", "Cy Dee"]},
    ])


@pytest.mark.parametrize(("as_of", "line"), [
    ("2025-11-02", "  review: due 2026-01-01 (in 60 days)"),  # the 60th day is within the warning
    ("2025-11-01", "  review: due 2026-01-01"),  # the 61st is not
    ("2026-01-01", "  review: due 2026-01-01 (in 0 days)"),  # due today is not yet overdue (as P407)
    ("2026-01-02", "  review: OVERDUE since 2026-01-01 (1 day)"),
])
def test_review_warning_boundaries(tmp_path: Path, as_of: str, line: str) -> None:
    root = overdue_library(tmp_path)
    out = run("status", "--as-of", as_of, str(root))[1]
    assert out.splitlines()[4] == line


def test_ready_draft_and_invalid_version(tmp_path: Path) -> None:
    root = write_library(tmp_path, {"ketamine-trd/1.1.yaml": "id: [\n"})
    ledger = signed_ledger(root, "ketamine-trd", [("1.0", "Ann Lee", "pharmacist", "2026-01-01"),
                                                  ("1.0", "Bo Chan", "psychiatrist", "2026-01-02")])
    (root / "ketamine-trd" / "approvals.yaml").write_text(ledger, encoding="utf-8")
    status, out, _ = run("status", "--as-of", "2026-06-01", str(root))
    lines = out.splitlines()
    assert status == 0
    assert lines[3:6] == ["  in use: none on this date", "  draft 1.0: ready to be approved",
                          "  1.1: the file does not validate"]
    assert lines[6] == "    fixes for 1 check error:"
    assert lines[7].startswith(f"      {root}/ketamine-trd/1.1.yaml:")
    pending = json.loads(run("status", "--format", "json", "--as-of", "2026-06-01", str(root))[1])
    assert [(p["version"], p["status"], p["ready"]) for p in pending["protocols"][0]["pending"]] == [
        ("1.0", "draft", True), ("1.1", "invalid", False)]


def test_status_of_the_sample_library() -> None:
    status, out, err = run("status", "--as-of", "2026-11-30", str(SAMPLE))
    assert (status, err) == (0, "")
    assert out == (
        f"status of {SAMPLE} on 2026-11-30\n"
        "\n"
        "esketamine-trd: Intranasal esketamine for treatment-resistant depression\n"
        "  in use: 1.1, effective 2026-05-04\n"
        "  review: due 2028-05-04\n"
        "\n"
        "ketamine-crps: IV ketamine infusion for complex regional pain syndrome\n"
        "  in use: 1.0, effective 2026-04-01\n"
        "  review: due 2028-04-01\n"
        "  upcoming: 1.1, takes effect 2027-01-04\n"
        "\n"
        "ketamine-trd: IV ketamine for treatment-resistant depression\n"
        "  in use: 1.0, effective 2026-02-11\n"
        "  review: due 2028-02-11\n"
        "  draft 1.1: needs\n"
        "    2 more distinct reviewers\n"
        "    role pharmacist, by a reviewer who fills no other required role; may sign: Sam Example\n"
        "    role psychiatrist, by a reviewer who fills no other required role; may sign: Dr Aoife Sample\n"
        "\n"
        "ketamine-trd-twice-weekly: IV ketamine twice weekly for treatment-resistant depression (retired)\n"
        "  in use: none (retired)\n"
        "\n"
        "4 protocols: 0 review(s) overdue, 0 due within 60 days, 1 draft(s) or version(s) in review, "
        "1 upcoming version(s), 0 check errors\n"
    )


def test_sample_library_json_after_the_upcoming_version_takes_effect() -> None:
    status, out, _ = run("status", "--format", "json", "--as-of", "2027-12-20", str(SAMPLE))
    report = json.loads(out)
    by_id = {p["id"]: p for p in report["protocols"]}
    assert status == 0
    assert by_id["ketamine-crps"]["in_use"] == {
        "version": "1.1", "effective": "2027-01-04", "review_due": "2029-01-04", "review": "ok"}
    assert by_id["ketamine-crps"]["upcoming"] == []
    assert by_id["ketamine-trd"]["in_use"]["review"] == "due"  # 2028-02-11 is 53 days away
    assert by_id["ketamine-trd-twice-weekly"]["in_use"] is None
    assert report["summary"] == {"protocols": 4, "reviews_overdue": 0, "reviews_due": 1, "pending": 1,
                                 "upcoming": 0, "check_errors": 0}


def test_status_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = write_library(tmp_path)
    assert run("status", "--as-of", "2026-02-30", str(root)) == (
        2, "", 'protocols: error: --as-of "2026-02-30" is not a day of the calendar; write YYYY-MM-DD\n')
    assert run("status", "--format", "yaml", str(root))[:2] == (2, "")
    assert capsys.readouterr().err.splitlines()[-1] == (
        "protocols status: error: argument --format: invalid choice: 'yaml' (choose from 'text', 'json')")


def test_status_of_a_missing_folder(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    assert run("status", str(missing)) == (
        2, "", f"protocols: error: no protocols folder at {missing}: pass the folder holding your protocols\n")


def test_errors_outside_drafts_are_shown_where_they_are(tmp_path: Path) -> None:
    """An approved version edited after its sign-offs (P402) and a broken library file are not drafts' errors,
    but status must not look clean while the site cannot be built."""
    root = overdue_library(tmp_path)
    approved = root / "ketamine-trd" / "1.0.yaml"
    approved.write_text(approved.read_text().replace("Monitor blood", "Watch blood"), encoding="utf-8")
    (root / "_library" / "drugs.yaml").write_text("ketamine: [\n", encoding="utf-8")
    status, out, err = run("status", "--format", "json", "--as-of", "2026-06-01", str(root))
    report = json.loads(out)
    assert (status, err) == (0, "")
    assert [d["code"] for d in report["protocols"][0]["other_errors"]] == ["P402", "P402"]
    assert {d["file"] for d in report["protocols"][0]["other_errors"]} == {f"{root}/ketamine-trd/approvals.yaml"}
    assert [(d["file"], d["code"]) for d in report["library_errors"]] == [(f"{root}/_library/drugs.yaml", "P100")]
    text = run("status", "--as-of", "2026-06-01", str(root))[1].splitlines()
    assert text[2] == "library files: nothing is built until you fix 1 check error:"
    assert text[3].startswith(f"  {root}/_library/drugs.yaml:2:1: error P100: ")
    assert "  published versions or approvals.yaml: fix 2 check errors:" in text
    assert text[-1].endswith(f", {report['summary']['check_errors']} check errors")


def test_a_protocol_whose_only_version_does_not_validate(tmp_path: Path) -> None:
    root = write_library(tmp_path, {"ketamine-trd/1.0.yaml": "id: [\n"})
    lines = run("status", "--as-of", "2026-06-01", str(root))[1].splitlines()
    assert lines[2:6] == ["ketamine-trd", "  in use: none on this date", "  1.0: the file does not validate",
                          "    fixes for 1 check error:"]
    assert lines[6].startswith(f"      {root}/ketamine-trd/1.0.yaml:2:1: error P100: not valid YAML")
