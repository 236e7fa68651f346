"""docs/rules.md: every rule code of the catalog (diagnostics.RULES) with its level, summary and one example.

`protocols rules` prints the page (`make docs` writes it); tests/test_rule_docs.py fails when the committed
file is stale, and checks that each example is what `protocols check` prints for a small broken library.
The examples are Diagnostics, so they are written out by the same formatter as every real message.
"""

from __future__ import annotations

import argparse
from typing import TextIO

from generator.diagnostics import RULES, Diagnostic, Location

VERSION_FILE = "protocols/ketamine-trd/1.0.yaml"
NEXT_VERSION_FILE = "protocols/ketamine-trd/1.1.yaml"
REFERENCES_FILE = "protocols/_library/references.yaml"
LEDGER_FILE = "protocols/ketamine-trd/approvals.yaml"


def _example(code: str, file: str, line: int, col: int, message: str, path: str = "", hint: str = "") -> Diagnostic:
    return Diagnostic(code, message, Location(file, line, col), path, hint)


EXAMPLES: dict[str, Diagnostic] = {
    example.code: example
    for example in [
        _example(
            "P100", VERSION_FILE, 4, 7,
            "not valid YAML: did not find expected ',' or ']'",
            hint="check indentation and quoting near this position",
        ),
        _example(
            "P101", VERSION_FILE, 6, 1,
            'key "owner" appears twice in one mapping (first at line 5)',
            hint="keep one of them (YAML would silently drop the first); the rest of the file was checked with the "
            "first",
        ),
        _example(
            "P102", VERSION_FILE, 6, 1,
            'unknown key "author"',
            path="author",
            hint="remove it, or check the format for the keys allowed here",
        ),
        _example(
            "P103", VERSION_FILE, 1, 1,
            'missing required key "title"',
            hint="add title: ...",
        ),
        _example(
            "P104", VERSION_FILE, 2, 10,
            "expected a quoted version string, got number 1.0",
            path="version",
            hint='write the version in quotes, e.g. version: "1.10"; unquoted 1.10 reads as the number 1.1',
        ),
        _example(
            "P105", VERSION_FILE, 28, 9,
            'section id "dosing" is reserved for a generated section',
            path="sections[0].id",
            hint=(
                "choose another id; reserved: algorithm, approvals, changes, dose-table, dosing, references, "
                "schedule, summary, versions"
            ),
        ),
        _example(
            "P106", VERSION_FILE, 1, 5,
            'id "ketamine-tr" differs from the folder name "ketamine-trd"',
            path="id",
            hint="write id: ketamine-trd, or rename the folder",
        ),
        _example(
            "P107", VERSION_FILE, 2, 10,
            'version "1.1" differs from the file name "1.0.yaml"',
            path="version",
            hint='write version: "1.0", or rename the file',
        ),
        _example(
            "P108", VERSION_FILE, 15, 15,
            "malformed quantity 40: a quantity needs a unit",
            path="regimens[0].duration",
            hint='write NUMBER UNIT, e.g. "0.5 mg/kg"',
        ),
        _example(
            "P109", VERSION_FILE, 15, 15,
            'unsafe unit spelling "minutes" in "40 minutes": write "40 min"',
            path="regimens[0].duration",
            hint='the safe spelling is "min"',
        ),
        _example(
            "P110", VERSION_FILE, 3, 15,
            "invisible character U+200B (ZERO WIDTH SPACE) in the text",
            hint="delete it: it does not show on the page but changes how the text reads, is searched or is compared",
        ),
        _example(
            "P111", "protocols/ketamine-trd/1.0.yaml.bak", 1, 1,
            '"1.0.yaml.bak" is neither a version file nor approvals.yaml: it is ignored',
            hint='name version files MAJOR.MINOR.yaml, e.g. "1.0.yaml", or move this one out of the protocols folder',
        ),
        _example(
            "P201", VERSION_FILE, 13, 11,
            "dose 0.9 mg/kg lies outside dose_range 0.1 to 0.75 mg/kg",
            path="regimens[0].dose",
            hint="change the dose or the range so that the range contains it",
        ),
        _example(
            "P203", VERSION_FILE, 16, 15,
            "max_dose 15 mg is below the dose at the dose table's lowest weight (0.5 mg/kg x 40 kg = 20 mg): every "
            "row of the dose table would be capped",
            path="regimens[0].max_dose",
            hint="check max_dose, the dose and their units; or start the dose table at a lower weight",
        ),
        _example(
            "P204", VERSION_FILE, 14, 39,
            "dose_range max 0.75 mg/kg is above the ceiling of ketamine, 0.6 mg/kg per administration",
            path="regimens[0].dose_range.max",
            hint="lower it to the ceiling or below, or correct the ceiling in _library/drugs.yaml",
        ),
        _example(
            "P205", VERSION_FILE, 23, 12,
            "doses 5 differs from frequency x length: 3 times per week for 2 weeks is 6 doses",
            path="phases[0].doses",
            hint="correct doses, frequency or length so that they agree",
        ),
        _example(
            "P206", VERSION_FILE, 15, 15,
            "duration 40 mg (mass) is not a time",
            path="regimens[0].duration",
            hint="write a time, e.g. 40 min or 4 h",
        ),
        _example(
            "P207", VERSION_FILE, 17, 22,
            "option 70 mg is not a whole multiple of unit_dose 28 mg",
            path="regimens[0].options[1]",
            hint="each dose is made of whole devices: use 56 mg or 84 mg, or correct unit_dose",
        ),
        _example(
            "P208", VERSION_FILE, 30, 40,
            'dose "35 mg/kg" matches no quantity of this version\'s data',
            path="sections[0].body",
            hint=(
                "write the dose as a placeholder of this version's data, such as {{ ketamine-iv.dose }} (0.5 mg/kg), "
                "{{ ketamine-iv.dose_range }} (0.1 to 0.75 mg/kg); only a dose quoted from a study may be written as "
                'verbatim text, {{ "35 mg/kg" }}'
            ),
        ),
        _example(
            "P209", VERSION_FILE, 15, 15,
            'trailing zero in "40.0 min": write "40 min"',
            path="regimens[0].duration",
            hint="a trailing zero is misread as a tenfold dose: 5.0 is read as 50",
        ),
        _example(
            "P210", VERSION_FILE, 26, 21,
            "dose table from 120 kg to 40 kg in steps of 5 kg is empty: from must be below to",
            path="dose_tables[0].weights.from",
            hint="swap from and to, or correct the one that is wrong",
        ),
        _example(
            "P211", VERSION_FILE, 11, 11,
            'drug "ketamin" is not in drugs.yaml',
            path="regimens[0].drug",
            hint="add it to _library/drugs.yaml or use a known drug (ketamine)",
        ),
        _example(
            "P212", VERSION_FILE, 27, 14,
            (
                "regimen ketamine-iv has no dose at 40 kg in its dose table: no multiple of the rounding step of "
                "50 mg lies in the range 4 to 30 mg (6 of the table's 17 rows have no dose)"
            ),
            path="dose_tables[0].weights",
            hint=(
                "the rounding step of 50 mg is too coarse for this regimen: set a finer `rounding`, so that every "
                "weight of the table has a dose"
            ),
        ),
        _example(
            "P301", VERSION_FILE, 7, 89,
            'citation of unknown reference "phillips-2020"',
            path="summary",
            hint='did you mean "phillips-2019"? cite an id of _library/references.yaml, or add the reference there',
        ),
        _example(
            "P302", REFERENCES_FILE, 12, 1,
            'reference "singh-2016" is not cited by any protocol',
            hint="cite it with [@singh-2016] or a cite: list, or remove it from references.yaml",
        ),
        _example(
            "P303", VERSION_FILE, 32, 35,
            'cross-reference [[#monitoring]]: no section "monitoring" in ketamine-trd 1.0',
            path="algorithm[0]",
            hint=(
                "sections: safety; generated: summary, dosing, schedule, dose-table, algorithm, changes, "
                "references, versions, approvals"
            ),
        ),
        _example(
            "P304", VERSION_FILE, 7, 60,
            'placeholder {{ ketamine-iv.length }}: "length" is not a regimen field',
            path="summary",
            hint="regimen fields: dose, dose_range, options, max_dose, duration, concentration, unit_dose, route, drug",
        ),
        _example(
            "P305", VERSION_FILE, 30, 43,
            'link destination "javascript:alert(1)" is not https, http or mailto',
            path="sections[0].body",
            hint=(
                "link to an https:// (or http://, mailto:) address; a link to another protocol or a section is "
                "written [[protocol-id#section]]"
            ),
        ),
        _example(
            "P306", REFERENCES_FILE, 10, 8,
            'malformed DOI "11.1176/appi.ajp.2018.18070834" in reference phillips-2019',
            path="phillips-2019.doi",
            hint=(
                "write the bare DOI, e.g. 10.1176/appi.ajp.2018.18070834 (no https://doi.org/ prefix: the site adds "
                "the link)"
            ),
        ),
        _example(
            "P401", VERSION_FILE, 4, 9,
            "version 1.0 is approved without the approvals the policy asks for: 1 more distinct reviewer (has 1 of "
            "2); no approval in role psychiatrist",
            path="status",
            hint=(
                "each missing reviewer signs with their own key: `protocols approve ketamine-trd 1.0 --role ROLE` "
                "(roles still needed: psychiatrist); or set status: in-review"
            ),
        ),
        _example(
            "P402", LEDGER_FILE, 5, 16,
            (
                "approval of 1.0 by Ann Lee (pharmacist, 2026-01-05) carries fingerprint sha256:3f2a9c0d1e7b... but "
                "the content now has sha256:8c41d07e55a2...: the version, or a drug or reference entry it uses, "
                "changed after it was approved"
            ),
            path="[0].fingerprint",
        ),
        _example(
            "P403", NEXT_VERSION_FILE, 8, 10,
            "version 1.1 has no changes: every version after the first must say what changed since 1.0",
            path="changes",
            hint="add changes: a list of what changed since 1.0, naming each regimen or phase whose dosing changed",
        ),
        _example(
            "P404", NEXT_VERSION_FILE, 13, 11,
            "dose of regimen ketamine-iv changed from 0.5 mg/kg in 1.0 to 0.6 mg/kg, but no entry of changes names "
            "ketamine-iv",
            path="regimens[0].dose",
            hint="add an entry to changes that names ketamine-iv and says what changed: no silent dose changes",
        ),
        _example(
            "P405", VERSION_FILE, 4, 9,
            "version 1.0 is retired but has no effective date",
            path="status",
            hint="add effective: YYYY-MM-DD, the first day the version is in force",
        ),
        _example(
            "P406", LEDGER_FILE, 1, 3,
            (
                "sign-off by Ann Lee (pharmacist) counts for nothing: it is not signed, and the policy requires "
                "signatures"
            ),
            path="[0]",
            hint="sign-offs are written by `protocols approve`, which signs them with the reviewer's SSH key",
        ),
        _example(
            "P407", VERSION_FILE, 5, 12,
            "review of ketamine-trd 1.0 was due on 2026-01-10 (2024-01-10 + 24 months); the build date is 2026-06-01",
            path="effective",
            hint="review the protocol and approve its next version (start it with `protocols new ketamine-trd`)",
        ),
        _example(
            "P501", VERSION_FILE, 30, 19,
            'raw HTML "<b>" in Markdown',
            path="sections[0].body",
            hint="use Markdown instead (**bold**, *italic*, lists, [links](https://...)); raw HTML is refused",
        ),
        _example(
            "P502", VERSION_FILE, 5, 8,
            "anchor &owner is not allowed",
            hint="write the value out in full: anchors and aliases are refused so that every value is visible",
        ),
        _example(
            "P503", VERSION_FILE, 30, 35,
            'image "https://example.org/bp.png" is not a file under protocols/_assets/',
            path="sections[0].body",
            hint=(
                "a page loads nothing from outside the site: put the image file (PNG, JPEG, GIF or WebP) in "
                "protocols/_assets/ and write ![what it shows](_assets/file-name.png)"
            ),
        ),
    ]
}

FAMILIES = {
    "1": "Files, keys and values",
    "2": "Doses",
    "3": "Citations, links and placeholders",
    "4": "Versions and approvals",
    "5": "Unsafe content",
}

HEADER = """\
# Rule codes

<!-- Generated by `protocols rules` (make docs) from generator/diagnostics.py and generator/rule_docs.py:
     edit those, not this file. -->

`protocols check` reports every problem on one line: the file, line and column, the level, the rule code,
what is wrong and, in brackets, where in the file's data. What to do follows on an indented line. Errors
make `protocols check` exit 1 and `protocols build` refuse to build; warnings are printed and fail only
with `--strict`.

The examples are messages for the minimal protocol `ketamine-trd` with one thing broken, with what to do
on the line below where the check says it.
"""


def rules_markdown() -> str:
    """The text of docs/rules.md."""
    missing = sorted(set(RULES) ^ set(EXAMPLES))
    if missing:
        raise ValueError(f"rule codes without exactly one catalog entry and one example: {', '.join(missing)}")
    parts = [HEADER, "\n| code | level | rule |\n|---|---|---|\n"]
    parts.extend(f"| [{code}](#{code.lower()}) | {rule.level} | {rule.summary} |\n" for code, rule in RULES.items())
    family = ""
    for code, rule in RULES.items():
        if code[1] != family:
            family = code[1]
            parts.append(f"\n## {FAMILIES[family]}\n")
        parts.append(f"\n### {code}\n\n{rule.level}: {rule.summary}\n\n```text\n{EXAMPLES[code].format_text()}\n```\n")
    return "".join(parts)


def cmd_rules(args: argparse.Namespace, out: TextIO) -> int:
    out.write(rules_markdown())
    return 0
