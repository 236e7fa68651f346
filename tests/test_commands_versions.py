"""`protocols diff`, `protocols approve`, `protocols new`: output, exit status, and what they write."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from helpers import VERSION, run, write_library

from generator.library import load_library
from generator.versions import LEDGER_HEADER, version_fingerprint

LATER = VERSION.replace('version: "1.0"', 'version: "1.1"').replace("changes: []", "changes: [ketamine-iv dose]")
LATER = LATER.replace("dose: 0.5 mg/kg", "dose: 0.6 mg/kg")


def test_diff_prints_dosing_changes_first(tmp_path: Path) -> None:
    root = write_library(tmp_path, {"ketamine-trd/1.1.yaml": LATER})
    status, out, err = run("diff", "ketamine-trd", "1.0", "1.1", "--dir", str(root))
    assert (status, err) == (0, "")
    assert out == (
        "ketamine-trd 1.0 -> 1.1\n\nDosing changes:\n"
        "  item                 field  change\n"
        "  regimen ketamine-iv  dose   0.5 mg/kg -> 0.6 mg/kg\n\n"
        "Text changes: none\n\nReferences added: none\nReferences removed: none\n"
    )


def test_diff_refuses_unknown_protocol_and_version(tmp_path: Path) -> None:
    root = write_library(tmp_path, {"ketamine-trd/1.1.yaml": LATER, "ketamine-trd/1.2.yaml": "id: [\n"})
    assert run("diff", "nothing", "1.0", "1.1", "--dir", str(root)) == (
        2, "", f'protocols: error: no protocol "nothing" in {root} (protocols: ketamine-trd)\n'
    )
    assert run("diff", "ketamine-trd", "1.0", "2.0", "--dir", str(root)) == (
        2, "", "protocols: error: protocol ketamine-trd has no version 2.0 (versions: 1.0, 1.1)\n"
    )
    assert run("diff", "ketamine-trd", "1.2", "1.0", "--dir", str(root)) == (
        2, "", f"protocols: error: version 1.2 of ketamine-trd does not validate: run `protocols check {root}`\n"
    )
    assert run("diff", "ketamine-trd", "1.0", "1.1", "--dir", str(tmp_path / "missing"))[0] == 2


def test_approve_appends_with_the_current_fingerprint(tmp_path: Path) -> None:
    root = write_library(tmp_path)
    fingerprint = version_fingerprint(load_library(root).protocols["ketamine-trd"].versions["1.0"])
    status, out, err = run("approve", "ketamine-trd", "1.0", "--reviewer", "Dr  Ann Lee", "--role", "Pharmacist",
                           "--date", "2026-02-02", "--dir", str(root))
    entry = (
        f"- version: '1.0'\n  reviewer: Dr Ann Lee\n  role: pharmacist\n  date: 2026-02-02\n"
        f"  fingerprint: {fingerprint}\n"
    )
    assert (status, err) == (0, "")
    assert out == (
        f"appended to {root}/ketamine-trd/approvals.yaml:\n{entry}"
        "ketamine-trd 1.0 still needs: 1 more distinct reviewer; role psychiatrist\n"
    )
    assert (root / "ketamine-trd" / "approvals.yaml").read_text() == LEDGER_HEADER + entry

    status, out, _ = run("approve", "ketamine-trd", "1.0", "--reviewer", "Bo Chan", "--role", "psychiatrist",
                         "--date", "2026-02-03", "--dir", str(root))
    assert status == 0
    assert out.endswith("ketamine-trd 1.0 now has the approvals the policy asks for\n")
    (first, second) = load_library(root).protocols["ketamine-trd"].approvals
    assert (first.reviewer, second.reviewer, second.fingerprint) == ("Dr Ann Lee", "Bo Chan", fingerprint)


def test_approve_date_defaults_to_today(tmp_path: Path) -> None:
    root = write_library(tmp_path)
    assert run("approve", "ketamine-trd", "1.0", "--reviewer", "A", "--role", "pharmacist", "--dir", str(root))[0] == 0
    (approval,) = load_library(root).protocols["ketamine-trd"].approvals
    assert approval.date == dt.date.today()


def test_approve_refuses_bad_input_and_writes_nothing(tmp_path: Path) -> None:
    root = write_library(tmp_path)
    ledger = root / "ketamine-trd" / "approvals.yaml"
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    cases = [
        (["nothing", "1.0"], 'no protocol "nothing" in ' + str(root) + " (protocols: ketamine-trd)"),
        (["ketamine-trd", "1.1"], "protocol ketamine-trd has no version 1.1 (versions: 1.0)"),
        (["ketamine-trd", "1.0", "--reviewer", " "], "--reviewer is empty"),
        (["ketamine-trd", "1.0", "--reviewer", "A\x1b[2J"], "--reviewer 'A\\x1b[2J' contains control characters"),
        (["ketamine-trd", "1.0", "--date", "2026-02-30"], '--date "2026-02-30" is not a date; write YYYY-MM-DD'),
        (["ketamine-trd", "1.0", "--date", tomorrow], f"--date {tomorrow} is in the future: a sign-off is dated "
                                                      "when it is given"),
    ]
    for arguments, message in cases:
        defaults = {"--reviewer": "Ann", "--role": "pharmacist"}
        options = dict(zip(arguments[2::2], arguments[3::2], strict=True))
        argv = ["approve", *arguments[:2]]
        for key, value in (defaults | options).items():
            argv += [key, value]
        assert run(*argv, "--dir", str(root)) == (2, "", f"protocols: error: {message}\n"), arguments
    assert not ledger.exists()


def test_approve_refuses_an_identical_second_sign_off(tmp_path: Path) -> None:
    root = write_library(tmp_path)
    argv = ["approve", "ketamine-trd", "1.0", "--reviewer", "Ann", "--role", "pharmacist", "--date", "2026-02-02",
            "--dir", str(root)]
    assert run(*argv)[0] == 0
    before = (root / "ketamine-trd" / "approvals.yaml").read_bytes()
    assert run(*argv) == (2, "", "protocols: error: Ann already approved ketamine-trd 1.0 as pharmacist on "
                                 "2026-02-02 with the current fingerprint; nothing was appended\n")
    assert (root / "ketamine-trd" / "approvals.yaml").read_bytes() == before


def test_approve_refuses_a_ledger_it_cannot_extend(tmp_path: Path) -> None:
    root = write_library(tmp_path, {"ketamine-trd/approvals.yaml": "[]\n"})
    status, out, err = run("approve", "ketamine-trd", "1.0", "--reviewer", "Ann", "--role", "pharmacist",
                           "--dir", str(root))
    assert (status, out) == (2, "")
    assert err == (f"protocols: error: {root}/ketamine-trd/approvals.yaml is not a plain block list of approvals; "
                   "nothing was appended\n")


def test_new_creates_the_next_draft_and_says_what_it_dropped(tmp_path: Path) -> None:
    approved = VERSION.replace("status: draft", "status: approved\neffective: 2026-01-10")
    root = write_library(tmp_path, {"ketamine-trd/1.0.yaml": approved})
    status, out, err = run("new", "ketamine-trd", "--dir", str(root))
    assert (status, err) == (0, "")
    assert out == (
        f"created {root}/ketamine-trd/1.1.yaml: draft copied from 1.0\n"
        "  removed effective: a draft has none until it is approved\n"
        "  next: edit the draft and list in `changes` what changed, naming each regimen or phase whose dosing "
        "changed\n"
    )
    assert (root / "ketamine-trd" / "1.1.yaml").read_text() == VERSION.replace('version: "1.0"', 'version: "1.1"')
    status, out, _ = run("new", "ketamine-trd", "--from", "1.0", "--dir", str(root))
    assert (status, out.splitlines()[0]) == (0, f"created {root}/ketamine-trd/1.2.yaml: draft copied from 1.0")


def test_new_refuses_unknown_protocol_or_source_version(tmp_path: Path) -> None:
    root = write_library(tmp_path)
    assert run("new", "nothing", "--dir", str(root)) == (
        2, "", f'protocols: error: no protocol "nothing" in {root} (protocols: ketamine-trd)\n'
    )
    assert run("new", "ketamine-trd", "--from", "0.9", "--dir", str(root)) == (
        2, "", "protocols: error: protocol ketamine-trd has no version 0.9 (versions: 1.0)\n"
    )
    assert sorted(p.name for p in (root / "ketamine-trd").iterdir()) == ["1.0.yaml"]


def test_approve_accepts_a_role_the_policy_does_not_require_with_a_note(tmp_path: Path) -> None:
    root = write_library(tmp_path)
    status, out, err = run("approve", "ketamine-trd", "1.0", "--reviewer", "Ann", "--role", "nurse",
                           "--dir", str(root))
    assert (status, err) == (0, "")
    assert 'note: role "nurse" is not one the policy requires (pharmacist, psychiatrist)\n' in out
    (approval,) = load_library(root).protocols["ketamine-trd"].approvals
    assert approval.role == "nurse"
