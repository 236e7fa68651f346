"""Ways around the approvals (issue 13), each tried and refused with the exact code, text and location:
the register (P105), sign-offs that count for nothing (P406), one reviewer per required role (P401),
the fingerprint over drug and reference entries (P402), dose changes through an unapproved draft (P404),
withdrawals."""

from __future__ import annotations

from pathlib import Path

from helpers import DRUGS, OTHER_KEY, POLICY, REFERENCES, REVIEWER_KEYS, signed_entry
from test_approval_rules import APPROVED, F10, LEDGER, at, fp, ledger, lines, signed, version_text

from generator.approvals.sshsig import ed25519_public_line, parse_public_key

POLICY_FILE = "protocols/_library/policy.yaml"
F12 = "protocols/ketamine-trd/1.2.yaml"
ANN_PRINT = parse_public_key(ed25519_public_line(REVIEWER_KEYS["Ann Lee"])).fingerprint
OTHER_PRINT = parse_public_key(ed25519_public_line(OTHER_KEY)).fingerprint


def line_of(text: str, prefix: str, occurrence: int = 0) -> int:
    """1-based number of the `occurrence`-th line starting with `prefix`."""
    return [n for n, line in enumerate(text.splitlines(), 1) if line.startswith(prefix)][occurrence]


def approved_files(ledger_text: str) -> dict[str, str]:
    return {"ketamine-trd/1.0.yaml": APPROVED, "ketamine-trd/approvals.yaml": ledger_text}


# --- P406: sign-offs that count for nothing -----------------------------------------------------------


def test_forged_entry_with_the_formula_fingerprint_but_no_signature(tmp_path: Path) -> None:
    forged = "".join(
        f'- version: "1.0"\n  reviewer: {name}\n  role: {role}\n  date: 2026-01-05\n  fingerprint: "{fp(APPROVED)}"\n'
        for name, role in (("Ann Lee", "pharmacist"), ("Bo Chan", "psychiatrist"))
    )
    assert lines(tmp_path, approved_files(forged), "P401", "P406") == [
        f"{F10}:{at(APPROVED, 'status: ')}: error P401: version 1.0 is approved without the approvals the policy "
        "asks for: 2 more distinct reviewers (has 0 of 2); no approval in roles pharmacist, psychiatrist (status)",
        f"{LEDGER}:1:3: error P406: sign-off by Ann Lee (pharmacist) counts for nothing: it is not signed, and the "
        "policy requires signatures ([0])",
        f"{LEDGER}:6:3: error P406: sign-off by Bo Chan (psychiatrist) counts for nothing: it is not signed, and the "
        "policy requires signatures ([1])",
    ]


def test_forged_entry_signed_with_a_key_the_register_does_not_give_that_reviewer(tmp_path: Path) -> None:
    text = signed_entry("1.0", "Ann Lee", "pharmacist", fp(APPROVED), key=OTHER_KEY)
    text += signed_entry("1.0", "Bo Chan", "psychiatrist", fp(APPROVED), key=REVIEWER_KEYS["Cy Dee"])
    cy_print = parse_public_key(ed25519_public_line(REVIEWER_KEYS["Cy Dee"])).fingerprint
    assert lines(tmp_path, approved_files(text), "P406") == [
        f"{LEDGER}:{line_of(text, '  signature:')}:14: error P406: sign-off by Ann Lee (pharmacist) counts for "
        f"nothing: its signature does not verify: it was made with key {OTHER_PRINT}, which the register does not "
        "list for this reviewer ([0].signature)",
        f"{LEDGER}:{line_of(text, '  signature:', 1)}:14: error P406: sign-off by Bo Chan (psychiatrist) counts for "
        f"nothing: its signature does not verify: it was made with key {cy_print}, which the register does not list "
        "for this reviewer ([1].signature)",
    ]


def test_unregistered_reviewer_in_an_unknown_role(tmp_path: Path) -> None:
    text = ledger(*signed(APPROVED)) + signed_entry("1.0", "Front Desk", "receptionist", fp(APPROVED))
    assert lines(tmp_path, approved_files(text), "P401", "P406") == [
        f"{LEDGER}:{line_of(text, '  reviewer:', 2)}:13: error P406: sign-off by \"Front Desk\" counts for nothing: "
        "no reviewer of that name is in the register (_library/policy.yaml reviewers) ([2].reviewer)",
    ]


def test_role_the_register_does_not_give_the_reviewer(tmp_path: Path) -> None:
    text = ledger(("1.0", "Ann Lee", "pharmacist", fp(APPROVED)), ("1.0", "Ann Lee", "psychiatrist", fp(APPROVED)))
    assert lines(tmp_path, approved_files(text), "P401", "P406") == [
        f"{F10}:{at(APPROVED, 'status: ')}: error P401: version 1.0 is approved without the approvals the policy "
        "asks for: 1 more distinct reviewer (has 1 of 2); no approval in role psychiatrist (status)",
        f"{LEDGER}:{line_of(text, '  role:', 1)}:9: error P406: sign-off by Ann Lee as \"psychiatrist\" counts for "
        "nothing: the register gives Ann Lee the role pharmacist ([1].role)",
    ]


def test_homoglyph_zero_width_and_empty_names_in_the_ledger_are_nobody(tmp_path: Path) -> None:
    names = ["\u0410nn Lee", "Ann\u200b Lee", '""']  # Cyrillic capital A; a zero-width space; empty
    text = ledger(("1.0", "Bo Chan", "psychiatrist", fp(APPROVED)))
    text += "".join(signed_entry("1.0", name, "pharmacist", fp(APPROVED), key=REVIEWER_KEYS["Ann Lee"])
                    for name in names)
    shown = ['"\u0410nn Lee"', '"Ann\\u200B Lee"', '""']  # invisible characters quoted as escapes (diagnostics.excerpt)
    assert lines(tmp_path, approved_files(text), "P401", "P406") == [
        f"{F10}:{at(APPROVED, 'status: ')}: error P401: version 1.0 is approved without the approvals the policy "
        "asks for: 1 more distinct reviewer (has 1 of 2); no approval in role pharmacist (status)",
        *(f"{LEDGER}:{line_of(text, '  reviewer:', n + 1)}:13: error P406: sign-off by {shown[n]} counts for "
          f"nothing: no reviewer of that name is in the register (_library/policy.yaml reviewers) ([{n + 1}].reviewer)"
          for n in range(3)),
    ]


def test_edited_date_no_longer_verifies(tmp_path: Path) -> None:
    good = ledger(*signed(APPROVED))
    edited = good.replace("date: 2026-01-05", "date: 2026-01-04", 1)
    assert lines(tmp_path, approved_files(good), "P401", "P406") == []
    assert lines(tmp_path, approved_files(edited), "P401", "P406") == [
        f"{F10}:{at(APPROVED, 'status: ')}: error P401: version 1.0 is approved without the approvals the policy "
        "asks for: 1 more distinct reviewer (has 1 of 2); no approval in role pharmacist (status)",
        f"{LEDGER}:{line_of(edited, '  signature:')}:14: error P406: sign-off by Ann Lee (pharmacist) counts for "
        "nothing: its signature does not verify: it does not match the entry: the entry was changed after it was "
        "signed, or the signature belongs to another entry ([0].signature)",
    ]


def test_signature_copied_to_another_version_or_role_does_not_verify(tmp_path: Path) -> None:
    good = signed_entry("1.0", "Cy Dee", "pharmacist", fp(APPROVED))
    copied = good + good.replace("role: pharmacist", "role: psychiatrist")
    found = lines(tmp_path, approved_files(copied), "P406")
    assert found == [
        f"{LEDGER}:{line_of(copied, '  signature:', 1)}:14: error P406: sign-off by Cy Dee (psychiatrist) counts for "
        "nothing: its signature does not verify: it does not match the entry: the entry was changed after it was "
        "signed, or the signature belongs to another entry ([1].signature)"
    ]


def test_unsigned_entries_count_where_the_policy_makes_signatures_optional(tmp_path: Path) -> None:
    optional = POLICY.replace("required_roles: [pharmacist, psychiatrist]",
                              "required_roles: [pharmacist, psychiatrist]\n  signatures: optional")
    unsigned = "".join(
        f'- version: "1.0"\n  reviewer: {name}\n  role: {role}\n  date: 2026-01-05\n  fingerprint: "{fp(APPROVED)}"\n'
        for name, role in (("Ann Lee", "pharmacist"), ("Bo Chan", "psychiatrist"))
    )
    files = {**approved_files(unsigned), "_library/policy.yaml": optional}
    assert lines(tmp_path, files, "P401", "P406") == []
    bad = unsigned + signed_entry("1.0", "Cy Dee", "pharmacist", fp(APPROVED), key=OTHER_KEY)
    assert [line.split(": error ")[1][:4] for line in lines(tmp_path, {**files, "ketamine-trd/approvals.yaml": bad},
                                                            "P401", "P406")] == ["P406"]


# --- P105: the register -------------------------------------------------------------------------------


def test_register_refuses_mixed_scripts_empty_and_duplicate_names_shared_and_bad_keys(tmp_path: Path) -> None:
    ann_key = ed25519_public_line(REVIEWER_KEYS["Ann Lee"])
    extra = (
        "  - name: Sam Ex\u0430mple\n    roles: [pharmacist]\n"  # Cyrillic small a
        "  - name: \"  \"\n    roles: [pharmacist]\n"
        "  - name: \"ANN  LEE\"\n    roles: [psychiatrist]\n"
        f"  - name: Di Eff\n    roles: [pharmacist]\n    keys: [{ann_key}, ssh-ed25519 AAAA]\n"
        "  - name: Gee Aitch\n    roles: []\n"
        "  - name: \u0392\u03bf Chan\n    roles: [pharmacist]\n"  # Greek capital Beta and omicron
    )
    policy = POLICY + extra
    first = len(POLICY.splitlines()) + 1
    found = lines(tmp_path, {"_library/policy.yaml": policy}, "P105")
    assert found == [
        f"{POLICY_FILE}:{first}:11: error P105: reviewer name \"Sam Ex\u0430mple\" mixes Latin and Cyrillic letters "
        "(reviewers[3].name)",
        f"{POLICY_FILE}:{first + 2}:11: error P105: reviewer name is empty (reviewers[4].name)",
        f"{POLICY_FILE}:{first + 4}:11: error P105: reviewer name \"ANN  LEE\" is the same name as reviewers[0] "
        "(reviewers[5].name)",
        f"{POLICY_FILE}:{first + 8}:12: error P105: key {ANN_PRINT} is also listed for reviewers[0] "
        "(reviewers[6].keys[0])",
        f"{POLICY_FILE}:{first + 8}:{12 + len(ann_key) + 2}: error P105: malformed SSH public key: the key cannot be "
        "read: truncated (reviewers[6].keys[1])",
        f"{POLICY_FILE}:{first + 10}:12: error P105: reviewer \"Gee Aitch\" has no roles (reviewers[7].roles)",
        f"{POLICY_FILE}:{first + 11}:11: error P105: reviewer name \"\u0392\u03bf Chan\" mixes Greek and Latin letters "
        "(reviewers[8].name)",
    ]
    # a name in one other script is a name like any other
    assert lines(tmp_path, {"_library/policy.yaml": POLICY + "  - name: \u0392\u03bf\n    roles: [x]\n"},
                 "P105") == []


def test_a_key_listed_for_two_reviewers_signs_for_neither(tmp_path: Path) -> None:
    ann_key = ed25519_public_line(REVIEWER_KEYS["Ann Lee"])
    policy = POLICY + f"  - name: Di Eff\n    roles: [pharmacist]\n    keys: [{ann_key}]\n"
    text = ledger(*signed(APPROVED))
    found = lines(tmp_path, {**approved_files(text), "_library/policy.yaml": policy}, "P406")
    assert found == [
        f"{LEDGER}:{line_of(text, '  signature:')}:14: error P406: sign-off by Ann Lee (pharmacist) counts for "
        f"nothing: its signature does not verify: it was made with key {ANN_PRINT}, which the register does not list "
        "for this reviewer ([0].signature)"
    ]


# --- P402: drug and reference entries are part of what was approved ------------------------------------


def test_drug_name_edited_after_approval(tmp_path: Path) -> None:
    text = ledger(*signed(APPROVED))
    files = {**approved_files(text), "_library/drugs.yaml": DRUGS.replace("name: ketamine", "name: esketamine")}
    found = lines(tmp_path, files, "P402")
    assert [line.split(": error ")[0] for line in found] == [
        f"{LEDGER}:{line_of(text, '  fingerprint:')}:16", f"{LEDGER}:{line_of(text, '  fingerprint:', 1)}:16"
    ]
    assert all("P402: approval of 1.0 by" in line and "the version, or a drug or reference entry it uses, changed "
               "after it was approved" in line for line in found)


def test_reference_doi_edited_after_approval(tmp_path: Path) -> None:
    text = ledger(*signed(APPROVED))
    edited = REFERENCES.replace("doi: 10.1176/appi.ajp.2018.18070834", "doi: 10.1176/appi.ajp.2018.18070835")
    found = lines(tmp_path, {**approved_files(text), "_library/references.yaml": edited}, "P402")
    assert len(found) == 2 and all(" error P402: approval of 1.0 by " in line for line in found)


def test_an_uncited_reference_or_unused_drug_edited_changes_nothing(tmp_path: Path) -> None:
    text = ledger(*signed(APPROVED))
    references = REFERENCES + "other-2020:\n  type: book\n  title: Other\n  publisher: P\n  year: 2020\n"
    drugs = DRUGS + "lithium:\n  name: lithium\n"
    files = {**approved_files(text), "_library/references.yaml": references, "_library/drugs.yaml": drugs}
    assert lines(tmp_path, files, "P401", "P402", "P406") == []


# --- P404: a dose changed through an unapproved draft ------------------------------------------------


def test_dose_changed_through_an_unapproved_draft_must_be_named(tmp_path: Path) -> None:
    first = version_text("1.0", "approved", "2026-01-10")
    draft = version_text("1.1", "draft", None, "[ketamine-iv dose raised to 0.7 mg/kg.]",
                         **{"dose: 0.5 mg/kg": "dose: 0.7 mg/kg"})
    approved = version_text("1.2", "approved", "2026-03-01", "[Typo fixed.]", **{"dose: 0.5 mg/kg": "dose: 0.7 mg/kg"})
    files = {"ketamine-trd/1.0.yaml": first, "ketamine-trd/1.1.yaml": draft, "ketamine-trd/1.2.yaml": approved}
    assert lines(tmp_path, files, "P404") == [
        f"{F12}:{at(approved, '    dose: ')}: error P404: dose of regimen ketamine-iv changed from 0.5 mg/kg in 1.0 "
        "(the latest published version before it) to 0.7 mg/kg, but no entry of changes names ketamine-iv "
        "(regimens[0].dose)"
    ]
    named = approved.replace("[Typo fixed.]", "[Typo fixed; ketamine-iv dose raised in 1.1.]")
    assert lines(tmp_path, {**files, "ketamine-trd/1.2.yaml": named}, "P404") == []
    in_review = approved.replace("status: approved", "status: in-review")  # compared with 1.1 only until published
    assert lines(tmp_path, {**files, "ketamine-trd/1.2.yaml": in_review}, "P404") == []


def test_one_change_found_by_both_comparisons_is_reported_once(tmp_path: Path) -> None:
    first = version_text("1.0", "approved", "2026-01-10")
    draft = version_text("1.1", "draft", None, "[Wording.]")
    approved = version_text("1.2", "approved", "2026-03-01", "[Typo fixed.]", **{"dose: 0.5 mg/kg": "dose: 0.7 mg/kg"})
    files = {"ketamine-trd/1.0.yaml": first, "ketamine-trd/1.1.yaml": draft, "ketamine-trd/1.2.yaml": approved}
    assert lines(tmp_path, files, "P404") == [
        f"{F12}:{at(approved, '    dose: ')}: error P404: dose of regimen ketamine-iv changed from 0.5 mg/kg in 1.1 "
        "to 0.7 mg/kg, but no entry of changes names ketamine-iv (regimens[0].dose)"
    ]


# --- withdrawals -------------------------------------------------------------------------------------


def test_withdrawal_cancels_the_sign_off_and_the_version_loses_its_approval(tmp_path: Path) -> None:
    text = ledger(*signed(APPROVED))
    assert lines(tmp_path, approved_files(text), "P401", "P406") == []
    withdrawn = text + signed_entry("1.0", "Ann Lee", "pharmacist", fp(APPROVED), date="2026-01-06", withdrawn=True)
    assert lines(tmp_path, approved_files(withdrawn), "P401", "P406") == [
        f"{F10}:{at(APPROVED, 'status: ')}: error P401: version 1.0 is approved without the approvals the policy "
        "asks for: 1 more distinct reviewer (has 1 of 2); no approval in role pharmacist (status)",
    ]
    again = withdrawn + signed_entry("1.0", "Ann Lee", "pharmacist", fp(APPROVED), date="2026-01-07")
    assert lines(tmp_path, approved_files(again), "P401", "P406") == []


def test_a_forged_withdrawal_cancels_nothing(tmp_path: Path) -> None:
    text = ledger(*signed(APPROVED))
    forged = text + signed_entry("1.0", "Ann Lee", "pharmacist", fp(APPROVED), withdrawn=True,
                                 key=REVIEWER_KEYS["Bo Chan"])
    bo_print = parse_public_key(ed25519_public_line(REVIEWER_KEYS["Bo Chan"])).fingerprint
    assert lines(tmp_path, approved_files(forged), "P401", "P406") == [
        f"{LEDGER}:{line_of(forged, '  signature:', 2)}:14: error P406: withdrawal by Ann Lee (pharmacist) counts for "
        f"nothing: its signature does not verify: it was made with key {bo_print}, which the register does not list "
        "for this reviewer ([2].signature)",
    ]


def test_a_withdrawal_signed_as_an_approval_does_not_verify(tmp_path: Path) -> None:
    text = ledger(*signed(APPROVED))
    approval_text = signed_entry("1.0", "Ann Lee", "pharmacist", fp(APPROVED), date="2026-01-06")
    turned = approval_text.replace("  fingerprint:", "  withdrawn: true\n  fingerprint:")
    found = lines(tmp_path, approved_files(text + turned), "P401", "P406")
    assert [line.split(": error ")[1][:4] for line in found] == ["P406"]
    assert "withdrawal by Ann Lee (pharmacist) counts for nothing: its signature does not verify" in found[0]


# --- hostile input: coded diagnostics, never a traceback ----------------------------------------------


def test_hostile_ledger_and_register_values_give_coded_diagnostics(tmp_path: Path) -> None:
    entry = signed_entry("1.0", "Ann Lee", "pharmacist", fp(APPROVED))
    signature_lines = entry[entry.index("  signature: |"):]
    hostile_ledgers = [
        entry.replace(signature_lines, "  signature: 12\n"),
        entry.replace(signature_lines, "  signature: [a, b]\n"),
        entry.replace(signature_lines, '  signature: ""\n'),
        entry.replace(signature_lines, "  signature: |\n    -----BEGIN SSH SIGNATURE-----\n    " + "QUFB" * 5000
                      + "\n    -----END SSH SIGNATURE-----\n"),
        entry.replace("  fingerprint:", "  withdrawn: \"yes\"\n  fingerprint:"),
        entry.replace("  fingerprint:", "  withdrawn: 1\n  fingerprint:"),
    ]
    expected_codes = [{"P104"}, {"P104"}, {"P406"}, {"P406"}, {"P104"}, {"P104"}]
    for text, codes in zip(hostile_ledgers, expected_codes, strict=True):
        found = lines(tmp_path, approved_files(text), "P104", "P406")
        assert {line.split(": error ")[1][:4] for line in found} == codes, (text[-200:], found)
    hostile_policies = [
        POLICY.replace("keys: [", "keys: [12, ", 1),
        POLICY.replace("name: Ann Lee", "name: 123"),
        POLICY.replace("roles: [pharmacist]", "roles: pharmacist", 1),
        POLICY.replace("  required_roles: [pharmacist, psychiatrist]", "  signatures: sometimes"),
        POLICY + "  - just text\n",
    ]
    for policy in hostile_policies:
        found = lines(tmp_path, {"_library/policy.yaml": policy}, "P102", "P103", "P104", "P105")
        assert found and all(": error P10" in line for line in found), (policy, found)
