"""`protocols diff`, `approve`, `withdraw`, `new`: output, exit status, and what they write."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from helpers import OTHER_KEY, REVIEWER_KEYS, VERSION, check_lines, run, write_key, write_library

from generator.approvals import signoffs
from generator.approvals.sshsig import ed25519_public_line, parse_public_key
from generator.approvals.versions import LEDGER_HEADER, version_fingerprint
from generator.load.library import load_library
from generator.model.build_date import today_utc

OUTSIDER_PRINT = parse_public_key(ed25519_public_line(OTHER_KEY)).fingerprint

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


def approve(root: Path, reviewer: str | None, *options: str, command: str = "approve",
            version: str = "1.0") -> tuple[int, str, str]:
    key = ["--key", str(write_key(root.parent, reviewer))] if reviewer else []
    return run(command, "ketamine-trd", version, *key, *options, "--dir", str(root))


def test_approve_signs_and_appends_with_the_current_fingerprint(tmp_path: Path) -> None:
    root = write_library(tmp_path)
    library = load_library(root)
    fingerprint = version_fingerprint(library.protocols["ketamine-trd"].versions["1.0"], library)
    status, out, err = approve(root, "Ann Lee", "--role", "Pharmacist", "--date", "2026-02-02")
    assert (status, err) == (0, "")
    text = (root / "ketamine-trd" / "approvals.yaml").read_text()
    head = f"- version: '1.0'\n  reviewer: Ann Lee\n  role: pharmacist\n  date: 2026-02-02\n" \
           f"  fingerprint: {fingerprint}\n  signature: |\n    -----BEGIN SSH SIGNATURE-----\n"
    assert text.startswith(LEDGER_HEADER + head)
    assert out == (f"appended to {root}/ketamine-trd/approvals.yaml:\n{text[len(LEDGER_HEADER):]}"
                   "ketamine-trd 1.0 still needs: 1 more distinct reviewer; role psychiatrist, each by a reviewer "
                   "who fills no other required role\n")
    status, out, _ = approve(root, "Bo Chan", "--role", "psychiatrist", "--date", "2026-02-03")
    assert status == 0
    assert out.endswith("ketamine-trd 1.0 now has the approvals the policy asks for\n")
    library = load_library(root)
    judged = signoffs.ledger(library.protocols["ketamine-trd"], library)
    assert [(s.name, s.role, s.counts, s.key is not None) for s in judged.signoffs] == [
        ("Ann Lee", "pharmacist", True, True), ("Bo Chan", "psychiatrist", True, True)
    ]


def test_approve_date_defaults_to_today(tmp_path: Path) -> None:
    root = write_library(tmp_path)
    assert approve(root, "Ann Lee", "--role", "pharmacist")[0] == 0
    (approval,) = load_library(root).protocols["ketamine-trd"].approvals
    assert approval.date == today_utc()  # UTC, like the build date


def test_approve_refuses_bad_input_and_writes_nothing(tmp_path: Path) -> None:
    root = write_library(tmp_path)
    ledger = root / "ketamine-trd" / "approvals.yaml"
    tomorrow = (today_utc() + dt.timedelta(days=1)).isoformat()
    outsider = write_key(tmp_path, "Eve Outsider", OTHER_KEY)
    cases = [
        (["nothing", "1.0"], 'no protocol "nothing" in ' + str(root) + " (protocols: ketamine-trd)"),
        (["ketamine-trd", "1.1"], "protocol ketamine-trd has no version 1.1 (versions: 1.0)"),
        (["ketamine-trd", "1.0", "--date", "2026-02-30"],
         '--date "2026-02-30" is not a day of the calendar; write YYYY-MM-DD'),
        (["ketamine-trd", "1.0", "--date", "20260211"], '--date "20260211" is not a date; write YYYY-MM-DD'),
        (["ketamine-trd", "1.0", "--date", "2026-W50-3"], '--date "2026-W50-3" is not a date; write YYYY-MM-DD'),
        (["ketamine-trd", "1.0", "--date", "1899-12-31"],
         "--date 1899-12-31 is 1899-12-31: the date of a sign-off must be from 1900 to 2199"),
        (["ketamine-trd", "1.0", "--date", tomorrow], f"--date {tomorrow} is not possible: a sign-off is dated "
                                                      "when it is given"),
        (["ketamine-trd", "1.0", "--role", "pharmacst"], 'Ann Lee does not hold the role "pharmacst" in the register '
                                                         "(roles: pharmacist); did you mean --role pharmacist? Nothing "
                                                         "was appended"),
        (["ketamine-trd", "1.0", "--role", "receptionist"], 'Ann Lee does not hold the role "receptionist" in the '
                                                            "register (roles: pharmacist); did you mean --role "
                                                            "pharmacist? Nothing was appended"),
        (["ketamine-trd", "1.0", "--key", str(tmp_path / "absent")],
         f"key file {tmp_path}/absent does not exist or is not a file"),
        (["ketamine-trd", "1.0", "--key", str(root / "ketamine-trd" / "1.0.yaml")],
         f"{root}/ketamine-trd/1.0.yaml is not an OpenSSH key: key type \"id:\" is not supported (use ssh-ed25519, "
         "ecdsa-sha2-nistp256, ecdsa-sha2-nistp384, ecdsa-sha2-nistp521, ssh-rsa, sk-ssh-ed25519@openssh.com, "
         "sk-ecdsa-sha2-nistp256@openssh.com)"),
        (["ketamine-trd", "1.0", "--key", str(outsider)],
         f"key {OUTSIDER_PRINT} ({outsider}) is not in the reviewer register: add it to _library/policy.yaml "
         "reviewers in a reviewed change first"),
    ]
    key = str(write_key(tmp_path, "Ann Lee"))
    for arguments, message in cases:
        defaults = {"--role": "pharmacist", "--key": key}
        options = dict(zip(arguments[2::2], arguments[3::2], strict=True))
        argv = ["approve", *arguments[:2]]
        for option, value in (defaults | options).items():
            argv += [option, value]
        assert run(*argv, "--dir", str(root)) == (2, "", f"protocols: error: {message}\n"), arguments
    assert not ledger.exists()


def test_approve_refuses_a_second_sign_off_in_the_same_role(tmp_path: Path) -> None:
    root = write_library(tmp_path)
    assert approve(root, "Ann Lee", "--role", "pharmacist", "--date", "2026-02-02")[0] == 0
    before = (root / "ketamine-trd" / "approvals.yaml").read_bytes()
    assert approve(root, "Ann Lee", "--role", "pharmacist", "--date", "2026-02-03") == (
        2, "", "protocols: error: Ann Lee already approved ketamine-trd 1.0 as pharmacist on 2026-02-02; nothing was "
        "appended\n")
    assert (root / "ketamine-trd" / "approvals.yaml").read_bytes() == before


def test_approve_refuses_a_version_with_check_errors_and_leaves_the_ledger_byte_identical(tmp_path: Path) -> None:
    broken = VERSION.replace("dose: 0.5 mg/kg", "dose: 0.9 mg/kg")  # outside dose_range: P201
    root = write_library(tmp_path, {"ketamine-trd/1.0.yaml": broken})
    assert approve(root, "Ann Lee", "--role", "pharmacist", "--date", "2026-02-02")[0] == 2  # no ledger yet
    assert not (root / "ketamine-trd" / "approvals.yaml").exists()
    good = write_library(tmp_path / "good")
    assert approve(good, "Ann Lee", "--role", "pharmacist", "--date", "2026-02-02")[0] == 0
    (good / "ketamine-trd" / "1.0.yaml").write_text(broken)
    before = (good / "ketamine-trd" / "approvals.yaml").read_bytes()
    line = [n for n, text in enumerate(broken.splitlines(), 1) if text.startswith("    dose: 0.9")][0]
    assert approve(good, "Bo Chan", "--role", "psychiatrist", "--date", "2026-02-03") == (
        2, "", f"protocols: error: ketamine-trd 1.0 has 1 check error (first: {good}/ketamine-trd/1.0.yaml:{line}:11 "
        "P201): a version with errors cannot be approved; nothing was appended\n")
    assert (good / "ketamine-trd" / "approvals.yaml").read_bytes() == before


def test_approve_refuses_a_ledger_it_cannot_extend(tmp_path: Path) -> None:
    root = write_library(tmp_path, {"ketamine-trd/approvals.yaml": "[]\n"})
    status, out, err = approve(root, "Ann Lee", "--role", "pharmacist")
    assert (status, out) == (2, "")
    assert err == (f"protocols: error: {root}/ketamine-trd/approvals.yaml is not a plain block list of approvals; "
                   "nothing was appended\n")


def test_approve_when_ssh_keygen_fails_prints_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = write_library(tmp_path)
    key = write_key(tmp_path, "Ann Lee")
    key.chmod(0o644)  # ssh-keygen refuses a private key others can read
    key.with_name(key.name + ".pub").unlink()  # and so cannot derive its public half either
    status, out, err = approve(root, None, "--key", str(key), "--role", "pharmacist")
    assert (status, out) == (2, "")
    assert err.startswith(f"protocols: error: cannot read the public half of {key}: ") and err.count("\n") == 1
    key.chmod(0o600)
    key.with_name(key.name + ".pub").write_text(ed25519_public_line(REVIEWER_KEYS["Ann Lee"]) + "\n")
    key.chmod(0o644)
    status, out, err = approve(root, None, "--key", str(key), "--role", "pharmacist")
    assert (status, out) == (2, "")
    assert err.startswith("protocols: error: ssh-keygen could not sign: ") and err.count("\n") == 1
    assert err.endswith("; nothing was appended\n")
    monkeypatch.setenv("PATH", str(tmp_path / "no-bin"))
    status, out, err = approve(root, None, "--key", str(key), "--role", "pharmacist")
    assert (status, err) == (2, "protocols: error: ssh-keygen was not found: install OpenSSH (8.2 or later) to sign "
                                "sign-offs; nothing was appended\n")
    assert not (root / "ketamine-trd" / "approvals.yaml").exists()


def test_withdraw_appends_a_signed_withdrawal_that_cancels_the_sign_off(tmp_path: Path) -> None:
    root = write_library(tmp_path)
    assert approve(root, "Ann Lee", "--role", "pharmacist", "--date", "2026-02-02")[0] == 0
    assert approve(root, "Bo Chan", "--role", "psychiatrist", "--date", "2026-02-02")[0] == 0
    status, out, err = approve(root, "Ann Lee", "--role", "pharmacist", "--date", "2026-02-04", command="withdraw")
    assert (status, err) == (0, "")
    assert out.endswith("Ann Lee's sign-off as pharmacist no longer counts\n")
    assert "  withdrawn: true\n" in out
    library = load_library(root)
    protocol = library.protocols["ketamine-trd"]
    judged = signoffs.ledger(protocol, library)
    assert [s.name for s in judged.standing("1.0")] == ["Bo Chan"]
    assert judged.withdrawn("1.0") == {0}
    assert approve(root, "Ann Lee", "--role", "pharmacist", command="withdraw") == (
        2, "", "protocols: error: Ann Lee has no standing sign-off of ketamine-trd 1.0 as pharmacist to withdraw; "
        "nothing was appended\n")
    assert approve(root, "Ann Lee", "--role", "pharmacist", "--date", "2026-02-05")[0] == 0  # signs again


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


def test_new_refuses_a_bad_id_or_source_version(tmp_path: Path) -> None:
    root = write_library(tmp_path)
    assert run("new", "Nothing!", "--dir", str(root)) == (
        2, "", 'protocols: error: "Nothing!" is not a protocol id: use 2 to 64 lower-case letters, digits and '
        "hyphens, starting with a letter\n"
    )
    assert run("new", "nothing", "--from", "1.0", "--dir", str(root)) == (
        2, "", f'protocols: error: no protocol "nothing" in {root} to copy version 1.0 from\n'
    )
    assert run("new", "ketamine-trd", "--from", "0.9", "--dir", str(root)) == (
        2, "", "protocols: error: protocol ketamine-trd has no version 0.9 (versions: 1.0)\n"
    )
    assert sorted(p.name for p in (root / "ketamine-trd").iterdir()) == ["1.0.yaml"]
    assert not (root / "nothing").exists()


def test_new_starts_a_protocol_at_1_0_that_checks_clean(tmp_path: Path) -> None:
    root = write_library(tmp_path)
    status, out, err = run("new", "lithium-bipolar", "--dir", str(root))
    assert (status, err) == (0, "")
    assert out.startswith(f"created {root}/lithium-bipolar/1.0.yaml: a new protocol's first draft\n")
    assert [line for line in check_lines(root) if "lithium-bipolar" in line] == []
    assert run("new", "lithium-bipolar", "--dir", str(root))[1].startswith(
        f"created {root}/lithium-bipolar/1.1.yaml: draft copied from 1.0")
