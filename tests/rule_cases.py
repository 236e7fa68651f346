"""Rule cases as data: each case edits the minimal library of tests/helpers.py and names the exact lines
`protocols check` prints for one rule code (file:line:col: level CODE: message (data path)), or none.

A failing case (`expected` not empty) breaks the rule; a passing case (`expected` empty) is the nearest
input that must NOT trigger it. tests/base/test_rule_catalog_cases.py runs every case and fails for any code of
diagnostics.RULES without at least one of each. Edits are (file, old, new): `old` must occur exactly once
in that file of the minimal library, so a case cannot silently stop breaking anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from helpers import VERSION

V = "ketamine-trd/1.0.yaml"
V11 = "ketamine-trd/1.1.yaml"
REFS = "_library/references.yaml"
DRUGS = "_library/drugs.yaml"
POLICY = "_library/policy.yaml"
FV = "protocols/ketamine-trd/1.0.yaml"
FV11 = "protocols/ketamine-trd/1.1.yaml"
FREFS = "protocols/_library/references.yaml"
FDRUGS = "protocols/_library/drugs.yaml"
FLEDGER = "protocols/ketamine-trd/approvals.yaml"

APPROVE = ("status: draft", "status: approved\neffective: 2026-01-10")
BOTH_ROLES = (("Ann Lee", "pharmacist"), ("Bo Chan", "psychiatrist"))
SECOND_REFERENCE = """\
rush-2006:
  type: article
  authors: [Rush AJ]
  title: STAR*D
  journal: Am J Psychiatry
  year: 2006
"""

PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082")


def later(changes: str, dose: str = "0.5 mg/kg") -> str:
    """Version 1.1 of the minimal protocol with `changes` (YAML flow text) and its dose."""
    return (VERSION.replace('version: "1.0"', 'version: "1.1"').replace("changes: []", f"changes: {changes}")
            .replace("    dose: 0.5 mg/kg", f"    dose: {dose}"))


@dataclass(frozen=True)
class RuleCase:
    id: str
    code: str
    edits: tuple[tuple[str, str, str], ...] = ()  # (file, old, new) in the minimal library
    files: dict[str, str | bytes] = field(default_factory=dict)  # files added (or replaced whole)
    expected: tuple[str, ...] = ()  # every line of `code`, exactly; () = the code must not be reported
    # Approvals of ketamine-trd 1.0 signed into approvals.yaml: (reviewer, role); signed over the version
    # as edited, or over the minimal version with `signed_edits` when they are given (a stale approval).
    ledger: tuple[tuple[str, str], ...] = ()
    signed_edits: tuple[tuple[str, str, str], ...] | None = None
    as_of: str = "2026-06-01"


CASES: tuple[RuleCase, ...] = (
    # --- files and YAML -----------------------------------------------------------------------------
    RuleCase("tab-indentation", "P100", edits=((V, "    route: IV", "\troute: IV"),),
             expected=(
                 f'{FV}:12:1: error P100: a tab character at 12:1: YAML indents with spaces only; replace the tab '
                 'with spaces',
             )),
    RuleCase("colon-in-a-quoted-title", "P100",
             edits=((V, "title: IV ketamine", 'title: "IV ketamine: TRD'),
                    (V, "treatment-resistant depression\nstatus", 'treatment-resistant depression"\nstatus'))),
    RuleCase("duplicate-route", "P101", edits=((V, "    route: IV\n", "    route: IV\n    route: IM\n"),),
             expected=(
                 f'{FV}:13:5: error P101: key "route" appears twice in one mapping (first at line 12)',
             )),
    RuleCase("same-key-in-two-mappings", "P101",
             edits=((V, "    body: Monitor blood pressure.\n",
                     "    body: Monitor blood pressure.\n  - id: consent\n    title: Consent\n    body: Ask.\n"),)),
    RuleCase("unknown-top-level-key", "P102", edits=((V, "owner: Department", "colour: red\nowner: Department"),),
             expected=(
                 f'{FV}:5:1: error P102: unknown key "colour" (colour)',
             )),
    RuleCase("optional-key-present", "P102",
             edits=((V, "    duration: 40 min", "    max_dose: 60 mg\n    duration: 40 min"),)),
    RuleCase("title-missing", "P103", edits=((V, "title: IV ketamine for treatment-resistant depression\n", ""),),
             expected=(
                 f'{FV}:1:1: error P103: missing required key "title"',
             )),
    RuleCase("optional-owner-absent", "P103", edits=((V, "owner: Department of Psychiatry\n", ""),)),
    RuleCase("doses-as-a-word", "P104", edits=((V, "    doses: 6", "    doses: six"),), expected=(
                 f'{FV}:23:12: error P104: expected a whole number, got text "six" (phases[0].doses)',
             )),
    RuleCase("doses-as-a-number", "P104", edits=((V, "    doses: 6", "    doses: 006"),)),
    RuleCase("section-id-with-a-capital", "P105", edits=((V, "  - id: safety", "  - id: Safety"),
                                                         (V, "([[#safety]])", "([[#Safety]])")),
             expected=(
                 f'{FV}:28:9: error P105: malformed id "Safety" (sections[0].id)',
             )),
    RuleCase("reserved-section-id", "P105", edits=((V, "  - id: safety", "  - id: summary"),
                                                  (V, "([[#safety]])", "([[#summary]])")),
             expected=(
                 f'{FV}:28:9: error P105: section id "summary" is reserved for a generated section (sections[0].id)',
             )),
    RuleCase("section-id-with-digits-and-hyphens", "P105", edits=((V, "  - id: safety", "  - id: safety-2"),
                                                                  (V, "([[#safety]])", "([[#safety-2]])"))),
    RuleCase("id-not-the-folder", "P106", edits=((V, "id: ketamine-trd\n", "id: ketamine-trdx\n"),),
             expected=(
                 f'{FV}:1:5: error P106: id "ketamine-trdx" differs from the folder name "ketamine-trd" (id)',
             )),
    RuleCase("id-is-the-folder", "P106", edits=((V, "id: ketamine-trd\n", "id: 'ketamine-trd'\n"),)),
    RuleCase("version-not-the-file-name", "P107", edits=((V, 'version: "1.0"', 'version: "1.1"'),),
             expected=(
                 f'{FV}:2:10: error P107: version "1.1" differs from the file name "1.0.yaml" (version)',
             )),
    RuleCase("version-in-single-quotes", "P107", edits=((V, 'version: "1.0"', "version: '1.0'"),)),
    RuleCase("unknown-unit", "P108", edits=((V, "    dose: 0.5 mg/kg", "    dose: 0.5 mgg/kg"),), expected=(
                 f'{FV}:13:11: error P108: unknown unit "mgg/kg" in "0.5 mgg/kg" (regimens[0].dose)',
             )),
    RuleCase("micrograms-as-mcg", "P108", edits=((V, "    dose: 0.5 mg/kg", "    dose: 500 mcg/kg"),)),
    RuleCase("micrograms-as-ug", "P109", edits=((V, "    dose: 0.5 mg/kg", "    dose: 500 ug/kg"),), expected=(
                 f'{FV}:13:11: error P109: unsafe unit spelling "ug/kg" in "500 ug/kg": write "500 mcg/kg" '
                 '(regimens[0].dose)',
             )),
    RuleCase("micrograms-as-mcg-is-safe", "P109", edits=((V, "    dose: 0.5 mg/kg", "    dose: 500 mcg/kg"),)),
    RuleCase("zero-width-space-in-title", "P110", edits=((V, "title: IV ketamine", "title: IV ket\u200bamine"),),
             expected=(
                 f'{FV}:3:14: error P110: invisible character U+200B (ZERO WIDTH SPACE) in the text',
             )),
    RuleCase("accented-letter-in-title", "P110", edits=((V, "title: IV ketamine", "title: IV kétamine"),)),
    RuleCase("stray-file-in-a-protocol-folder", "P111", files={"ketamine-trd/notes.txt": "todo\n"},
             expected=(
                 'protocols/ketamine-trd/notes.txt:1:1: warning P111: "notes.txt" is neither a version file '
                 'nor approvals.yaml: it is ignored',
             )),
    RuleCase("approvals-file-in-a-protocol-folder", "P111", files={"ketamine-trd/approvals.yaml": "[]\n"}),
    # --- dosing -------------------------------------------------------------------------------------
    RuleCase("dose-above-its-range", "P201", edits=((V, "    dose: 0.5 mg/kg", "    dose: 0.9 mg/kg"),),
             expected=(
                 f'{FV}:13:11: error P201: dose 0.9 mg/kg lies outside dose_range 0.1 to 0.75 mg/kg '
                 '(regimens[0].dose)',
             )),
    RuleCase("dose-at-the-top-of-its-range", "P201", edits=((V, "    dose: 0.5 mg/kg", "    dose: 0.75 mg/kg"),)),
    RuleCase("cap-below-the-lowest-row", "P203",
             edits=((V, "    duration: 40 min", "    max_dose: 15 mg\n    duration: 40 min"),), expected=(
                 f"{FV}:15:15: error P203: max_dose 15 mg is below the dose at the dose table's lowest weight (0.5 "
                 'mg/kg x 40 kg = 20 mg): every row of the dose table would be capped (regimens[0].max_dose)',
             )),
    RuleCase("cap-reached-exactly-by-the-lowest-row", "P203",
             edits=((V, "    duration: 40 min", "    max_dose: 20 mg\n    duration: 40 min"),)),
    RuleCase("range-above-the-drug-ceiling", "P204",
             edits=((V, "    duration: 40 min", "    max_dose: 60 mg\n    duration: 40 min"),
                    (DRUGS, "  class: NMDA receptor antagonist\n",
                     "  class: NMDA receptor antagonist\n  ceiling: 50 mg\n")),
             expected=(
                 f'{FV}:15:15: error P204: max_dose 60 mg is above the ceiling of ketamine, 50 mg per '
                 'administration (regimens[0].max_dose)',
             )),
    RuleCase("cap-at-the-drug-ceiling", "P204",
             edits=((V, "    duration: 40 min", "    max_dose: 60 mg\n    duration: 40 min"),
                    (DRUGS, "  class: NMDA receptor antagonist\n",
                     "  class: NMDA receptor antagonist\n  ceiling: 60 mg\n"))),
    RuleCase("doses-not-frequency-times-length", "P205", edits=((V, "    doses: 6", "    doses: 7"),),
             expected=(
                 f'{FV}:23:12: error P205: doses 7 differs from frequency x length: 3 times per week for 2 weeks is '
                 '6 doses (phases[0].doses)',
             )),
    RuleCase("doses-in-weeks-and-days", "P205",
             edits=((V, "    length: 2 weeks", "    length: 14 days"),)),
    RuleCase("duration-in-milligrams", "P206", edits=((V, "    duration: 40 min", "    duration: 40 mg"),),
             expected=(
                 f'{FV}:15:15: error P206: duration 40 mg (mass) is not a time (regimens[0].duration)',
             )),
    RuleCase("range-in-another-mass-unit", "P206",
             edits=((V, "{min: 0.1 mg/kg,", "{min: 100 mcg/kg,"),)),
    RuleCase("fixed-dose-not-a-whole-number-of-devices", "P207",
             edits=((V, "    dose: 0.5 mg/kg", "    dose: 56 mg\n    unit_dose: 30 mg"),
                    (V, "{min: 0.1 mg/kg, max: 0.75 mg/kg}", "{min: 56 mg, max: 84 mg}"),
                    (V, "dose_tables:\n  - regimen: ketamine-iv\n    weights: {from: 40 kg, to: 120 kg, step: 5 kg}\n",
                     "")),
             expected=(
                 f'{FV}:13:11: error P207: dose 56 mg is not a whole multiple of unit_dose 30 mg (regimens[0].dose)',
             )),
    RuleCase("fixed-dose-of-two-devices", "P207",
             edits=((V, "    dose: 0.5 mg/kg", "    dose: 56 mg\n    unit_dose: 28 mg"),
                    (V, "{min: 0.1 mg/kg, max: 0.75 mg/kg}", "{min: 56 mg, max: 84 mg}"),
                    (V, "dose_tables:\n  - regimen: ketamine-iv\n    weights: {from: 40 kg, to: 120 kg, step: 5 kg}\n",
                     ""))),
    RuleCase("prose-dose-not-in-the-data", "P208",
             edits=((V, "    body: Monitor blood pressure.", "    body: Never give more than 0.9 mg/kg."),),
             expected=(
                 f'{FV}:30:32: error P208: dose "0.9 mg/kg" matches no quantity of this version\'s data '
                 '(sections[0].body)',
             )),
    RuleCase("prose-dose-of-the-data", "P208",
             edits=((V, "    body: Monitor blood pressure.", "    body: Never give more than 0.75 mg/kg."),)),
    RuleCase("naked-decimal-point", "P209",
             edits=((V, "    body: Monitor blood pressure.", "    body: The usual dose is .5 mg/kg."),),
             expected=(
                 f'{FV}:30:29: error P209: missing leading zero in ".5 mg/kg": write "0.5 mg/kg" (sections[0].body)',
             )),
    RuleCase("leading-zero", "P209",
             edits=((V, "    body: Monitor blood pressure.", "    body: The usual dose is 0.5 mg/kg."),)),
    RuleCase("dose-table-of-801-rows", "P210",
             edits=((V, "step: 5 kg}", "step: 0.1 kg}"),), expected=(
                 f'{FV}:26:46: error P210: dose table from 40 kg to 120 kg in steps of 0.1 kg has 801 rows, more '
                 'than 200 (dose_tables[0].weights.step)',
             )),
    RuleCase("dose-table-of-81-rows", "P210", edits=((V, "step: 5 kg}", "step: 1 kg}"),)),
    RuleCase("phase-of-an-unknown-regimen", "P211",
             edits=((V, "    regimen: ketamine-iv\n    frequency", "    regimen: ketamine-im\n    frequency"),),
             expected=(
                 f'{FV}:20:14: error P211: regimen "ketamine-im" is not defined in this version (phases[0].regimen)',
             )),
    RuleCase("phase-of-its-regimen", "P211",
             edits=((V, "    regimen: ketamine-iv\n    frequency", "    regimen: 'ketamine-iv'\n    frequency"),)),
    RuleCase("rounding-step-coarser-than-the-range", "P212",
             edits=((V, "    duration: 40 min", "    rounding: 100 mg\n    duration: 40 min"),), expected=(
                 f'{FV}:27:14: error P212: regimen ketamine-iv has no dose at 40 kg in its dose table: no multiple '
                 "of the rounding step of 100 mg lies in the range 4 to 30 mg (17 of the table's 17 rows have "
                 'no dose) (dose_tables[0].weights)',
             )),
    RuleCase("rounding-step-of-one-milligram", "P212",
             edits=((V, "    duration: 40 min", "    rounding: 1 mg\n    duration: 40 min"),)),
    # --- references, links, placeholders -----------------------------------------------------------
    RuleCase("citation-of-an-unknown-reference", "P301",
             edits=((V, "    body: Monitor blood pressure.", "    body: Monitor blood pressure [@rush-2006]."),),
             expected=(
                 f'{FV}:30:36: error P301: citation of unknown reference "rush-2006" (sections[0].body)',
             )),
    RuleCase("citation-of-a-known-reference", "P301",
             edits=((V, "    body: Monitor blood pressure.", "    body: Monitor blood pressure [@rush-2006]."),
                    (REFS, "phillips-2019:", SECOND_REFERENCE + "phillips-2019:"))),
    RuleCase("reference-nothing-cites", "P302", edits=((REFS, "phillips-2019:", SECOND_REFERENCE + "phillips-2019:"),),
             expected=(
                 f'{FREFS}:1:1: warning P302: reference "rush-2006" is not cited by any protocol',
             )),
    RuleCase("reference-cited-once", "P302",
             edits=((V, "    body: Monitor blood pressure.", "    body: Monitor blood pressure [@rush-2006]."),
                    (REFS, "phillips-2019:", SECOND_REFERENCE + "phillips-2019:"))),
    RuleCase("cross-reference-to-an-unknown-section", "P303", edits=((V, "([[#safety]])", "([[#dosage]])"),),
             expected=(
                 f'{FV}:32:35: error P303: cross-reference [[#dosage]]: no section "dosage" in ketamine-trd 1.0 '
                 '(algorithm[0])',
             )),
    RuleCase("cross-reference-to-a-generated-section", "P303", edits=((V, "([[#safety]])", "([[#dose-table]])"),)),
    RuleCase("unknown-placeholder-field", "P304",
             edits=((V, "over {{ ketamine-iv.duration }}", "over {{ ketamine-iv.length }}"),), expected=(
                 f'{FV}:7:60: error P304: placeholder {{{{ ketamine-iv.length }}}}: "length" is not a regimen field '
                 '(summary)',
             )),
    RuleCase("placeholder-of-a-phase", "P304",
             edits=((V, "over {{ ketamine-iv.duration }}", "over {{ induction.length }}"),)),
    RuleCase("javascript-link", "P305",
             edits=((V, "    body: Monitor blood pressure.", "    body: See [the policy](javascript:alert(1))."),),
             expected=(
                 f'{FV}:30:28: error P305: link destination "javascript:alert(1)" is not https, http or mailto '
                 '(sections[0].body)',
             )),
    RuleCase("mailto-link", "P305",
             edits=((V, "    body: Monitor blood pressure.", "    body: Ask [pharmacy](mailto:rx@example.org)."),)),
    RuleCase("doi-without-its-prefix", "P306",
             edits=((REFS, "doi: 10.1176/appi.ajp.2018.18070834", "doi: appi.ajp.2018.18070834"),), expected=(
                 f'{FREFS}:10:8: error P306: malformed DOI "appi.ajp.2018.18070834" in reference phillips-2019 '
                 '(phillips-2019.doi)',
             )),
    RuleCase("doi-in-capitals", "P306",
             edits=((REFS, "doi: 10.1176/appi.ajp.2018.18070834", "doi: 10.1176/APPI.AJP.2018.18070834"),)),
    # --- approvals ----------------------------------------------------------------------------------
    RuleCase("approved-without-approvals", "P401", edits=((V, *APPROVE),), expected=(
                 f'{FV}:4:9: error P401: version 1.0 is approved without the approvals the policy asks for: 2 more '
                 'distinct reviewers (has 0 of 2); no approval in roles pharmacist, psychiatrist (status)',
             )),
    RuleCase("approved-by-both-roles", "P401", edits=((V, *APPROVE),), ledger=BOTH_ROLES),
    RuleCase("approval-of-other-content", "P402", edits=((V, *APPROVE), (V, "Monitor blood", "Watch blood")),
             ledger=BOTH_ROLES, signed_edits=((V, *APPROVE),), expected=(
                 f'{FLEDGER}:5:16: error P402: approval of 1.0 by Ann Lee (pharmacist, 2026-01-05) carries fingerprint '
                 'sha256:c3890dcbb24d... but the content now has sha256:cd40e7d1090c...: the version, or a '
                 'drug or reference entry it uses, changed after it was approved ([0].fingerprint)',
                 f'{FLEDGER}:17:16: error P402: approval of 1.0 by Bo Chan (psychiatrist, 2026-01-05) carries '
                 'fingerprint sha256:c3890dcbb24d... but the content now has sha256:cd40e7d1090c...: the '
                 'version, or a drug or reference entry it uses, changed after it was approved '
                 '([1].fingerprint)',
             )),
    RuleCase("approval-of-this-content", "P402", edits=((V, *APPROVE), (V, "Monitor blood", "Watch blood")),
             ledger=BOTH_ROLES),
    RuleCase("later-version-without-changes", "P403", files={V11: later("[]")}, expected=(
                 f'{FV11}:8:10: error P403: version 1.1 has no changes: every version after the first must say what '
                 'changed since 1.0 (changes)',
             )),
    RuleCase("later-version-with-changes", "P403", files={V11: later("[Monitoring reworded.]")}),
    RuleCase("dose-change-not-named", "P404", files={V11: later("[Monitoring reworded.]", "0.6 mg/kg")},
             expected=(
                 f'{FV11}:13:11: error P404: dose of regimen ketamine-iv changed from 0.5 mg/kg in 1.0 to 0.6 mg/kg, '
                 'but no entry of changes names ketamine-iv (regimens[0].dose)',
             )),
    RuleCase("dose-change-named", "P404",
             files={V11: later("[Dose of ketamine-iv raised from 0.5 mg/kg to 0.6 mg/kg.]", "0.6 mg/kg")}),
    RuleCase("approved-without-effective-date", "P405",
             edits=((V, "status: draft", "status: approved"),), ledger=BOTH_ROLES, expected=(
                 f'{FV}:4:9: error P405: version 1.0 is approved but has no effective date (status)',
             )),
    RuleCase("approved-with-effective-date", "P405", edits=((V, *APPROVE),), ledger=BOTH_ROLES),
    RuleCase("approval-by-an-unregistered-reviewer", "P406", edits=((V, *APPROVE),),
             ledger=(("Ann Lee", "pharmacist"), ("Bo Chan", "psychiatrist"), ("Pat Pharm", "pharmacist")),
             expected=(
                 f'{FLEDGER}:26:13: error P406: sign-off by "Pat Pharm" counts for nothing: no reviewer of that name '
                 'is in the register (_library/policy.yaml reviewers) ([2].reviewer)',
             )),
    RuleCase("approval-by-a-registered-reviewer-in-a-second-role", "P406", edits=((V, *APPROVE),),
             ledger=(("Ann Lee", "pharmacist"), ("Cy Dee", "psychiatrist"))),
    RuleCase("review-overdue", "P407", edits=((V, "status: draft", "status: approved\neffective: 2024-01-10"),),
             ledger=BOTH_ROLES, expected=(
                 f'{FV}:5:12: warning P407: review of ketamine-trd 1.0 was due on 2026-01-10 (2024-01-10 + 24 '
                 'months); the build date is 2026-06-01 (effective)',
             )),
    RuleCase("review-due-next-year", "P407", edits=((V, "status: draft", "status: approved\neffective: 2025-01-10"),),
             ledger=BOTH_ROLES),
    # --- Markdown and YAML features -----------------------------------------------------------------
    RuleCase("raw-html-in-a-section", "P501",
             edits=((V, "    body: Monitor blood pressure.", "    body: Monitor <b>blood</b> pressure."),),
             expected=(
                 f'{FV}:30:19: error P501: raw HTML "<b>" in Markdown (sections[0].body)',
                 f'{FV}:30:27: error P501: raw HTML "</b>" in Markdown (sections[0].body)',
             )),
    RuleCase("emphasis-and-a-less-than-sign", "P501",
             edits=((V, "    body: Monitor blood pressure.", "    body: Monitor **blood** pressure if HR < 50."),)),
    RuleCase("yaml-anchor", "P502", edits=((V, "    route: IV", "    route: &r IV"),), expected=(
                 f'{FV}:12:12: error P502: anchor &r is not allowed',
             )),
    RuleCase("ampersand-in-text", "P502", edits=((V, "title: IV ketamine", "title: IV & ketamine"),)),
    RuleCase("image-from-another-site", "P503",
             edits=((V, "    body: Monitor blood pressure.", "    body: '![Chart](https://example.org/c.png)'"),),
             expected=(
                 f'{FV}:30:12: error P503: image "https://example.org/c.png" is not a file under protocols/_assets/ '
                 '(sections[0].body)',
             )),
    RuleCase("image-from-the-assets-folder", "P503",
             edits=((V, "    body: Monitor blood pressure.", "    body: '![Chart](_assets/c.png)'"),),
             files={"_assets/c.png": PNG}),
)
