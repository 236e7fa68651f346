"""docs/rules.md is generated from the rule catalog and kept fresh; its examples are real messages.

Each example of generator/rules.yaml is checked against `protocols check` over the minimal library of
tests/helpers.py with one thing broken (CASES), except P402 (NO_CASE), whose message shows fingerprints of
the test library: its example follows the form of tests/checks/test_approval_rules.py with made-up fingerprints.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import DRUGS, REFERENCES, VERSION, fingerprint_of, run, signed_entry, write_library

from generator.diagnostics import RULES
from generator.rule_docs import EXAMPLES, rules_markdown

REPO_ROOT = Path(__file__).resolve().parents[2]
RULES_DOC = REPO_ROOT / "docs" / "rules.md"
VERSION_FILE = "ketamine-trd/1.0.yaml"


def edited(*replacements: tuple[str, str], base: str = VERSION) -> str:
    text = base
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


FIXED = edited(
    ("    dose: 0.5 mg/kg\n", "    dose: 56 mg\n"),
    ("{min: 0.1 mg/kg, max: 0.75 mg/kg}", "{min: 56 mg, max: 84 mg}"),
    ("dose_tables:\n  - regimen: ketamine-iv\n    weights: {from: 40 kg, to: 120 kg, step: 5 kg}\n", ""),
)
NEXT = edited(('version: "1.0"', 'version: "1.1"'))
UNCITED = (
    "singh-2016:\n  type: article\n  authors: [Singh JB]\n  title: A trial\n  journal: Am J Psychiatry\n  year: 2016\n"
)
OWNER = "owner: Department of Psychiatry\n"
LEDGER = "ketamine-trd/approvals.yaml"
APPROVED = edited(("status: draft\n", "status: approved\neffective: 2026-01-10\n"))
OVERDUE = edited(("status: draft\n", "status: approved\neffective: 2024-01-10\n"))

# code -> the files (relative to protocols/) that break the minimal library in that one way.
CASES: dict[str, dict[str, str]] = {
    "P100": {VERSION_FILE: edited(("title: IV ketamine", "title: [IV ketamine"))},
    "P101": {VERSION_FILE: edited((OWNER, OWNER + "owner: Pharmacy\n"))},
    "P102": {VERSION_FILE: edited((OWNER, OWNER + "author: Sam Example\n"))},
    "P103": {VERSION_FILE: edited(("title: IV ketamine for treatment-resistant depression\n", ""))},
    "P104": {VERSION_FILE: edited(('version: "1.0"', "version: 1.0"))},
    "P105": {VERSION_FILE: edited(("  - id: safety\n", "  - id: dosing\n"), ("[[#safety]]", "[[#dosing]]"))},
    "P106": {VERSION_FILE: edited(("id: ketamine-trd\n", "id: ketamine-tr\n"))},
    "P107": {VERSION_FILE: NEXT},
    "P108": {VERSION_FILE: edited(("    duration: 40 min\n", "    duration: 40\n"))},
    "P109": {VERSION_FILE: edited(("    duration: 40 min\n", "    duration: 40 minutes\n"))},
    "P201": {VERSION_FILE: edited(("    dose: 0.5 mg/kg\n", "    dose: 0.9 mg/kg\n"))},
    "P203": {VERSION_FILE: edited(("    duration: 40 min\n", "    duration: 40 min\n    max_dose: 15 mg\n"))},
    "P204": {"_library/drugs.yaml": DRUGS + "  ceiling: 0.6 mg/kg\n"},
    "P205": {VERSION_FILE: edited(("    doses: 6\n", "    doses: 5\n"))},
    "P206": {VERSION_FILE: edited(("    duration: 40 min\n", "    duration: 40 mg\n"))},
    "P207": {
        VERSION_FILE: edited(
            ("    duration: 40 min\n", "    duration: 40 min\n    unit_dose: 28 mg\n    options: [56 mg, 70 mg]\n"),
            base=FIXED,
        )
    },
    "P208": {VERSION_FILE: edited(("Monitor blood pressure.", "Monitor blood pressure after 35 mg/kg."))},
    "P209": {VERSION_FILE: edited(("    duration: 40 min\n", "    duration: 40.0 min\n"))},
    "P210": {VERSION_FILE: edited(("{from: 40 kg, to: 120 kg, step: 5 kg}", "{from: 120 kg, to: 40 kg, step: 5 kg}"))},
    "P211": {VERSION_FILE: edited(("    drug: ketamine\n", "    drug: ketamin\n"))},
    "P301": {VERSION_FILE: edited(("[@phillips-2019].", "[@phillips-2020]."))},
    "P302": {"_library/references.yaml": REFERENCES + UNCITED},
    "P303": {VERSION_FILE: edited(("[[#safety]]", "[[#monitoring]]"))},
    "P304": {VERSION_FILE: edited(("{{ ketamine-iv.duration }}", "{{ ketamine-iv.length }}"))},
    "P306": {"_library/references.yaml": REFERENCES.replace("doi: 10.1176", "doi: 11.1176")},
    "P403": {"ketamine-trd/1.1.yaml": NEXT},
    "P404": {
        "ketamine-trd/1.1.yaml": edited(
            ("changes: []", "changes: [Safety section reworded.]"),
            ("    dose: 0.5 mg/kg\n", "    dose: 0.6 mg/kg\n"),
            base=NEXT,
        )
    },
    "P405": {VERSION_FILE: edited(("status: draft", "status: retired"))},
    "P501": {VERSION_FILE: edited(("Monitor blood pressure.", "Monitor <b>blood pressure</b>."))},
    "P502": {VERSION_FILE: edited(("owner: Department", "owner: &owner Department"))},
    "P110": {VERSION_FILE: edited(("title: IV ketamine", "title: IV keta\u200bmine"))},
    "P111": {"ketamine-trd/1.0.yaml.bak": VERSION},
    "P212": {VERSION_FILE: edited(("    duration: 40 min\n", "    duration: 40 min\n    rounding: 50 mg\n"))},
    "P305": {VERSION_FILE: edited(("blood pressure.", "blood pressure ([chart](javascript:alert(1)))."))},
    "P503": {VERSION_FILE: edited(("blood pressure.", "blood pressure. ![chart](https://example.org/bp.png)"))},
    "P401": {VERSION_FILE: APPROVED, LEDGER: signed_entry("1.0", "Ann Lee", "pharmacist", fingerprint_of(APPROVED))},
    "P406": {
        VERSION_FILE: APPROVED,
        LEDGER: '- version: "1.0"\n  reviewer: Ann Lee\n  role: pharmacist\n  date: 2026-01-05\n'
        f'  fingerprint: "{fingerprint_of(APPROVED)}"\n',
    },
    "P407": {
        VERSION_FILE: OVERDUE,
        LEDGER: signed_entry("1.0", "Ann Lee", "pharmacist", fingerprint_of(OVERDUE))
        + signed_entry("1.0", "Bo Chan", "psychiatrist", fingerprint_of(OVERDUE)),
    },
}
NO_CASE = {"P402"}


def test_docs_rules_md_is_generated_from_the_catalog() -> None:
    assert RULES_DOC.read_text(encoding="utf-8") == rules_markdown(), "docs/rules.md is stale: run `make docs`"


def test_protocols_rules_prints_the_page() -> None:
    assert run("rules") == (0, rules_markdown(), "")


def test_every_rule_code_has_one_example_of_its_own_code() -> None:
    assert list(EXAMPLES) == list(RULES)
    assert [example.code for example in EXAMPLES.values()] == list(RULES)


def test_every_code_is_listed_with_its_level_summary_and_example() -> None:
    page = rules_markdown()
    for code, rule in RULES.items():
        assert f"| [{code}](#{code.lower()}) | {rule.level} | {rule.summary} |\n" in page
        assert f"\n### {code}\n\n{rule.level}: {rule.summary}\n\n```text\n{EXAMPLES[code].format_text()}\n```\n" in page


def test_a_catalog_code_of_no_family_cannot_be_documented(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(RULES, "P600", RULES["P503"])
    monkeypatch.setitem(RULES, "P000", RULES["P503"])
    with pytest.raises(ValueError) as raised:
        rules_markdown()
    assert str(raised.value) == ("rule codes of no family: P600, P000: add the family's heading to FAMILIES in "
                                 "generator/rule_docs.py")


def test_every_code_has_a_case_here_or_is_listed_without_one() -> None:
    assert set(CASES).isdisjoint(NO_CASE)
    assert sorted(set(CASES) | NO_CASE) == sorted(RULES)


@pytest.mark.parametrize("code", sorted(CASES))
def test_the_example_is_what_protocols_check_prints(tmp_path: Path, code: str) -> None:
    library = write_library(tmp_path, CASES[code])
    _status, out, _err = run("check", "--as-of", "2026-06-01", str(library))
    printed = "\n" + out.replace(f"{tmp_path}/", "")
    example = EXAMPLES[code].format_text()
    assert EXAMPLES[code].hint, "a checked example shows what to do, as check prints it"
    assert f"\n{example}\n" in printed, (
        f"the example of {code} in generator/rules.yaml is not what check prints; "
        f"take the message and hint from here and run `make docs`:{printed}"
    )
