"""Rules over protocol prose: P208, P209, P109, P304 and P501, each at the file:line:col of the offending text."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from helpers import write_files
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.checks import CheckContext, prose_rules, run_checks
from generator.load.library import Library, load_library
from generator.text import prose_findings as prose
from generator.text.prose_findings import ABBREVIATIONS, abbreviation_findings
from generator.text.reader_text import plain_run

DRUGS = "ketamine:\n  name: ketamine\n"
REFERENCES = "{}\n"
VERSION = """\
id: ketamine-trd
version: "1.0"
title: IV ketamine
status: draft
regimens:
  - id: ketamine-iv
    drug: ketamine
    route: IV
    dose: 0.5 mg/kg
    dose_range: {min: 0.1 mg/kg, max: 0.75 mg/kg}
    max_dose: 3 g
    duration: 40 min
phases:
  - id: induction
    name: Induction
    regimen: ketamine-iv
    frequency: 3 per week
    length: 2 weeks
    doses: 6
sections:
  - id: safety
    title: Safety
    body: |
      First line.
      TEXT
"""
FILE = "protocols/ketamine-trd/1.0.yaml"
TEXT_LINE, TEXT_COL = 25, 7  # where TEXT stands


def write(tmp_path: Path, text: str, version: str = VERSION, drugs: str = DRUGS) -> Library:
    files = {
        "_library/references.yaml": REFERENCES,
        "_library/drugs.yaml": drugs,
        "_library/policy.yaml": "approval:\n  minimum: 1\n",
        "ketamine-trd/1.0.yaml": version.replace("TEXT", text),
    }
    write_files(tmp_path / "protocols", files)
    library = load_library(tmp_path / "protocols", "protocols")
    assert library.diagnostics == []
    return library


def prose_lines(library: Library) -> list[str]:
    diagnostics = prose_rules.check(library, CheckContext(as_of=dt.date(2026, 6, 1)))
    return [d.format_text() for d in sorted(diagnostics, key=lambda d: d.sort_key())]


def at(offset: int) -> str:
    return f"{FILE}:{TEXT_LINE}:{TEXT_COL + offset}"


@pytest.mark.parametrize(
    "text",
    [
        "Give 0.5 mg/kg, within 0.1 to 0.75 mg/kg (0.1-0.75 mg/kg, 0.1–0.75 mg/kg), 500 mcg/kg.",
        "Never above 3,000 mg (3 g, 3000 mg), over 40 minutes, for 2 weeks, at 70 kg or 1.5 h.",
        'A study gave {{ "20 to 35 mg/kg" }}; this protocol gives {{ ketamine-iv.dose }}.',
        "Subcutaneous (SUBCUT) use: disc, scan, HSV, Ccs, qds and a 4-hour infusion are fine.",
        "[Dose guide](https://example.org/5-mg-SC-qd) and <https://example.org/?q=5mg>; `code` too.",
        "{{ ketamine-iv.dose_range }} {{ ketamine-iv.max_dose }} {{ induction.doses }} version 2.0 of the form.",
    ],
)
def test_prose_that_agrees_with_the_data_is_clean(tmp_path: Path, text: str) -> None:
    assert prose_lines(write(tmp_path, text)) == []


def test_p208_a_dose_that_matches_no_quantity(tmp_path: Path) -> None:
    assert prose_lines(write(tmp_path, "Give 5 mg.")) == [
        f"{at(5)}: error P208: dose \"5 mg\" matches no quantity of this version's data (sections[0].body)\n"
        "    write the dose as a placeholder of this version's data, such as {{ ketamine-iv.max_dose }} (3 g);"
        ' only a dose quoted from a study may be written as verbatim text, {{ "5 mg" }}'
    ]


def test_p208_both_ends_of_a_range(tmp_path: Path) -> None:
    lines = prose_lines(write(tmp_path, "Give 20 to 35 mg/kg."))
    assert [line.splitlines()[0] for line in lines] == [
        f'{at(5)}: error P208: dose 20 mg/kg (in "20 to 35 mg/kg") matches no quantity of this version\'s data'
        " (sections[0].body)",
        f'{at(11)}: error P208: dose 35 mg/kg (in "20 to 35 mg/kg") matches no quantity of this version\'s data'
        " (sections[0].body)",
    ]
    assert lines[0].splitlines()[1] == (
        "    write the dose as a placeholder of this version's data, such as {{ ketamine-iv.dose }} (0.5 mg/kg),"
        " {{ ketamine-iv.dose_range }} (0.1 to 0.75 mg/kg); only a dose quoted from a study may be written as"
        ' verbatim text, {{ "20 to 35 mg/kg" }}'
    )


def test_p208_ranges_written_with_and_or(tmp_path: Path) -> None:
    lines = prose_lines(write(tmp_path, "Between 0.1 and 0.75 mg/kg, 0.5 or 0.75 mg/kg, not 2 or 0.5 mg/kg."))
    assert [line.splitlines()[0] for line in lines] == [
        f'{at(51)}: error P208: dose 2 mg/kg (in "2 or 0.5 mg/kg") matches no quantity of this version\'s data'
        " (sections[0].body)",
    ]


def test_p208_a_dose_of_a_dimension_the_version_does_not_have(tmp_path: Path) -> None:
    assert prose_lines(write(tmp_path, "at 10 mg/mL")) == [
        f"{at(3)}: error P208: dose \"10 mg/mL\" matches no quantity of this version's data (sections[0].body)\n"
        "    no quantity of this version is comparable with mg/mL: add it to the data and write it as a placeholder"
        ' ({{ regimen-id.dose }}); only a dose quoted from a study may be written as verbatim text, {{ "10 mg/mL" }}'
    ]


def test_p208_in_a_title(tmp_path: Path) -> None:
    library = write(tmp_path, "Fine.", VERSION.replace("title: IV ketamine", "title: IV ketamine 1 mg/kg"))
    assert [line.splitlines()[0] for line in prose_lines(library)] == [
        f"{FILE}:3:20: error P208: dose \"1 mg/kg\" matches no quantity of this version's data (title)"
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Give 0.50 mg/kg", [(5, 'trailing zero in "0.50 mg/kg": write "0.5 mg/kg"')]),
        ("Give .5 mg/kg", [(5, 'missing leading zero in ".5 mg/kg": write "0.5 mg/kg"')]),
        ("Give 0.10 to 0.75 mg/kg", [(5, 'trailing zero in "0.10" (in "0.10 to 0.75 mg/kg"): write "0.1"')]),
        ("Over 40.0 min", [(5, 'trailing zero in "40.0 min": write "40 min"')]),
        (
            "Not SC, qd, q.d., qod, TIW, BIW or HS; 1 cc",
            [
                (4, 'error-prone abbreviation "SC": write "SUBCUT"'),
                (8, 'error-prone abbreviation "qd": write "once per day"'),
                (12, 'error-prone abbreviation "q.d.": write "once per day"'),
                (18, 'error-prone abbreviation "qod": write "every 2 days"'),
                (23, 'error-prone abbreviation "TIW": write "3 times per week"'),
                (28, 'error-prone abbreviation "BIW": write "twice per week"'),
                (35, 'error-prone abbreviation "HS": write "at bedtime" or "half-strength"'),
            ],
        ),
        ("Draw up in a cc syringe", [(13, 'error-prone abbreviation "cc": write "mL"')]),
    ],
)
def test_p209_error_prone_notation(tmp_path: Path, text: str, expected: list[tuple[int, str]]) -> None:
    lines = [line.splitlines()[0] for line in prose_lines(write(tmp_path, text)) if " P209: " in line]
    assert lines == [f"{at(offset)}: error P209: {message} (sections[0].body)" for offset, message in expected]


def test_p209_hint_says_why(tmp_path: Path) -> None:
    [line] = prose_lines(write(tmp_path, "Give SQ"))
    assert line == (
        f'{at(5)}: error P209: error-prone abbreviation "SQ": write "SUBCUT" (sections[0].body)\n'
        '    "SC" is misread as "SL" (sublingual) and "SQ" as "5 every"'
    )


@pytest.mark.parametrize(
    ("text", "offset", "message"),
    [
        ("Give 5 ml", 7, 'unsafe unit spelling "ml" in "5 ml": write "5 mL"'),
        ("Give 1 cc", 7, 'unsafe unit spelling "cc" in "1 cc": write "1 mL"'),
        ("Give 10 IU/kg", 8, 'unsafe unit spelling "IU/kg" in "10 IU/kg": write "10 units/kg"'),
        ("Give 2 U", 7, 'unsafe unit spelling "U" in "2 U": write "2 units"'),
        ("Give 500 µg", 9, 'unsafe unit spelling "µg" in "500 µg": write "500 mcg"'),
        ("Give 500 ug/kg", 9, 'unsafe unit spelling "ug/kg" in "500 ug/kg": write "500 mcg/kg"'),
    ],
)
def test_p109_unsafe_unit_after_a_number(tmp_path: Path, text: str, offset: int, message: str) -> None:
    assert [line.splitlines()[0] for line in prose_lines(write(tmp_path, text))] == [
        f"{at(offset)}: error P109: {message} (sections[0].body)"
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{{ nope.dose }}", [(0, 'placeholder {{ nope.dose }}: no regimen or phase "nope" in this version')]),
        ("{{ ketamine-iv.concentration }}",
         [(0, "placeholder {{ ketamine-iv.concentration }}: regimen ketamine-iv has no concentration")]),
        ("x {{ induction.route }}", [(2, 'placeholder {{ induction.route }}: "route" is not a phase field')]),
        ("{{ dose }}", [(0, 'malformed placeholder "{{ dose }}": write {{ id.field }} or {{ "verbatim text" }}')]),
    ],
)
def test_p304_unknown_placeholders(tmp_path: Path, text: str, expected: list[tuple[int, str]]) -> None:
    assert [line.splitlines()[0] for line in prose_lines(write(tmp_path, text))] == [
        f"{at(offset)}: error P304: {message} (sections[0].body)" for offset, message in expected
    ]


def test_p304_hint_lists_the_ids(tmp_path: Path) -> None:
    [line] = prose_lines(write(tmp_path, "{{ ketamine.dose }}"))
    assert line.splitlines()[1] == (
        "    use the id of one of this version's regimens or phases (ketamine-iv, induction)"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<b>bold</b>", [(0, 'raw HTML "<b>" in Markdown'), (7, 'raw HTML "</b>" in Markdown')]),
        ("x <img src=x onerror=alert(1)>", [(2, 'raw HTML "<img src=x onerror=alert(1)>" in Markdown')]),
        ("<!-- hidden -->", [(0, 'HTML comment "<!-- hidden -->" in Markdown')]),
    ],
)
def test_p501_raw_html(tmp_path: Path, text: str, expected: list[tuple[int, str]]) -> None:
    assert [line.splitlines()[0] for line in prose_lines(write(tmp_path, text))] == [
        f"{at(offset)}: error P501: {message} (sections[0].body)" for offset, message in expected
    ]


def test_attribute_lists_and_braces_are_text(tmp_path: Path) -> None:
    # author text reaches the page as HTML that Python-Markdown leaves alone: "{: ...}" is shown as written
    text = 'Choose one of {a, b} or {1 to 2}. Text {: onclick="alert(1)" } Heading {#id} { x onmouseover }'
    assert prose_lines(write(tmp_path, text)) == []


def test_p501_not_in_code_and_not_for_comparisons(tmp_path: Path) -> None:
    text = "Use `<b>` for bold. Heart rate <100 and a < b; if HR<Normal range; <https://example.org>"
    assert prose_lines(write(tmp_path, text)) == []


def test_library_markdown_is_checked_too(tmp_path: Path) -> None:
    drugs = "ketamine:\n  name: ketamine\n  notes: Give <i>{{ ketamine-iv.dose }}</i> SC.\n"
    lines = [line.splitlines()[0] for line in prose_lines(write(tmp_path, "Fine.", drugs=drugs))]
    assert lines == [
        'protocols/_library/drugs.yaml:3:15: error P501: raw HTML "<i>" in Markdown (ketamine.notes)',
        "protocols/_library/drugs.yaml:3:18: error P304: placeholder {{ ketamine-iv.dose }} in drugs.yaml:"
        " placeholders name a regimen or phase of a version (ketamine.notes)",
        'protocols/_library/drugs.yaml:3:40: error P501: raw HTML "</i>" in Markdown (ketamine.notes)',
        'protocols/_library/drugs.yaml:3:45: error P209: error-prone abbreviation "SC": write "SUBCUT"'
        " (ketamine.notes)",
    ]


def test_the_rules_run_with_every_other_check(tmp_path: Path) -> None:
    diagnostics = run_checks(write(tmp_path, "Give 5 ml"), CheckContext(as_of=dt.date(2026, 6, 1)))
    assert [(d.code, str(d.location)) for d in diagnostics] == [("P109", at(7))]


def _abbreviations_one_by_one(text: str) -> list[tuple[int, str]]:
    """The scan as it was: every pattern of prose.ABBREVIATIONS in turn."""
    return [(match.start(), match.group(0)) for pattern, _i, _w in ABBREVIATIONS for match in pattern.finditer(text)]


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from([*"sScCqQoOdDtTiIwWbBhHmL.- \n5_x", "SC", "s.c.", "qod", "Q.D.", "TIW", "b.i.w.",
                                 "h.s.", "cc", "SQ", "hs", "5 cc"]), max_size=14).map("".join))
def test_one_scan_finds_the_abbreviations_each_pattern_finds_in_the_same_order(text: str) -> None:
    expected = [start for start, written in _abbreviations_one_by_one(text)
                if not (written == "cc" and re.search(r"[0-9][ \t\u00a0]*$", text[max(0, start - 8):start]))]
    assert [finding.offset for finding in abbreviation_findings(plain_run(text))] == expected


@pytest.mark.parametrize("spellings", [spellings for spellings, _i, _w in prose._ABBREVIATION_SPELLINGS])
@given(data=st.data())
def test_every_abbreviation_starts_with_a_letter_the_one_scan_looks_for(spellings: str, data: st.DataObject) -> None:
    written = data.draw(st.from_regex(spellings, fullmatch=True))
    assert written[0] in prose.ABBREVIATION_FIRST_LETTERS


def test_abbreviations_come_pattern_by_pattern_and_cc_after_a_number_is_left_to_p109() -> None:
    assert [(f.offset, f.message) for f in abbreviation_findings(plain_run("hs, 5 cc or cc, then SC; h.s.c."))] == [
        (21, 'error-prone abbreviation "SC": write "SUBCUT"'),
        (27, 'error-prone abbreviation "s.c.": write "SUBCUT"'),
        (0, 'error-prone abbreviation "hs": write "at bedtime" or "half-strength"'),
        (12, 'error-prone abbreviation "cc": write "mL"'),
    ]


def test_prose_shared_by_two_versions_is_judged_against_each_versions_data(tmp_path: Path) -> None:
    text = "Give 0.5 mg/kg as {{ ketamine-iv.dose }} for {{ induction.doses }} doses."
    second = VERSION.replace('version: "1.0"', 'version: "1.1"').replace("dose: 0.5 mg/kg", "dose: 0.4 mg/kg")
    second = second.replace("    doses: 6\n", "")
    files = {
        "_library/references.yaml": "{}\n",
        "_library/drugs.yaml": "ketamine:\n  name: ketamine\n",
        "_library/policy.yaml": "approval:\n  minimum: 1\n",
        "ketamine-trd/1.0.yaml": VERSION.replace("TEXT", text),
        "ketamine-trd/1.1.yaml": second.replace("TEXT", text),
    }
    write_files(tmp_path / "protocols", files)
    library = load_library(tmp_path / "protocols", "protocols")
    diagnostics = run_checks(library, CheckContext(as_of=dt.date(2026, 6, 1)))
    assert [d.format_text() for d in diagnostics if d.code in ("P208", "P304")] == [
        "protocols/ketamine-trd/1.1.yaml:24:12: error P208: dose \"0.5 mg/kg\" matches no quantity of this "
        "version's data (sections[0].body)\n    write the dose as a placeholder of this version's data, such as "
        "{{ ketamine-iv.dose }} (0.4 mg/kg), {{ ketamine-iv.dose_range }} (0.1 to 0.75 mg/kg); only a dose quoted "
        "from a study may be written as verbatim text, {{ \"0.5 mg/kg\" }}",
        "protocols/ketamine-trd/1.1.yaml:24:52: error P304: placeholder {{ induction.doses }}: phase induction "
        "has no doses (sections[0].body)\n    add doses to the phase, or remove the placeholder",
    ]
