"""Schema rules P102 to P109 and the layout rules P105 to P107, through `protocols check`."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from helpers import DRUGS, HANDBOOKS, POLICY, REFERENCES, VERSION, check_lines, run, write_library

from generator.approvals.versions import review_due
from generator.load.library import load_library
from generator.model.schema import LOCAL_ID, PROTOCOL_ID, REFERENCE_ID
from generator.model.schema import VERSION as VERSION_ID


def test_the_minimal_library_is_clean(tmp_path: Path) -> None:
    library = write_library(tmp_path)
    status, out, _ = run("check", "--as-of", "2026-06-01", str(library))
    assert out.splitlines()[-1] == "0 errors, 0 warnings in 5 files", out
    assert status == 0


def broken(tmp_path: Path, old: str, new: str, file: str = "ketamine-trd/1.0.yaml") -> list[str]:
    assert old in VERSION
    library = write_library(tmp_path, {file: VERSION.replace(old, new, 1)})
    return check_lines(library)


DEFAULT_TEXTS = {
    "_library/references.yaml": REFERENCES,
    "_library/drugs.yaml": DRUGS,
    "_library/policy.yaml": POLICY,
    "_library/handbooks.yaml": HANDBOOKS,
    "ketamine-trd/1.0.yaml": VERSION,
}
MATCHES = ("exact", "contains", "prefix", "first")


@dataclass(frozen=True)
class SchemaCase:
    """A library with edits, and the diagnostics `protocols check --as-of 2026-06-01` must print for it.

    `edits` maps a file (relative to the protocols folder) to (old, new) replacements, each applied once to the
    minimal library's text of that file; `files` adds or replaces whole files; `removed` deletes files.
    `expected` lines are "file:line:col: level CODE: message (path)" relative to the protocols folder, compared
    as `match` says: "exact" (the whole list of diagnostic lines; () = a passing case), "contains" (each is one
    of the lines), "prefix" (each starts one of the lines) or "first" (each starts the line at its position).
    `hint`, when set, is the line printed right under the first expected line.
    """

    id: str
    expected: tuple[str, ...]
    edits: dict[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)
    removed: tuple[str, ...] = ()
    match: str = "exact"
    hint: str = ""

    def write(self, root: Path) -> Path:
        texts = {relative: edited(DEFAULT_TEXTS[relative], edits) for relative, edits in self.edits.items()}
        library = write_library(root, texts | self.files)
        for relative in self.removed:
            (library / relative).unlink()
        return library


def edited(text: str, replacements: tuple[tuple[str, str], ...]) -> str:
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


def version_case(id: str, *replacements: tuple[str, str], expected: str | tuple[str, ...] = (),
                 **fields: object) -> SchemaCase:
    """A case editing the minimal version file ketamine-trd/1.0.yaml."""
    lines = (expected,) if isinstance(expected, str) else expected
    return SchemaCase(id, lines, edits={FILE: replacements}, **fields)  # type: ignore[arg-type]


FILE = "ketamine-trd/1.0.yaml"
OWNER = "owner: Department of Psychiatry"
TABLE = "  - regimen: ketamine-iv\n    weights: {from: 40 kg, to: 120 kg, step: 5 kg}\n"
REVIEW_POLICY = "approval:\n  minimum: 2\n  required_roles: [pharmacist, psychiatrist]\nreview_interval_months: "
RESERVED_PREFIX_HINT = (
    "choose another id; ids starting with ref-, regimen-, phase-, dose-table-, dose-card- are reserved"
)


def review_due_case(value: str, message: str) -> SchemaCase:
    return version_case(f"p104-review-due-{value}", (OWNER, f"{OWNER}\nreview_due: {value}"),
                        expected=f"{FILE}:6:13: error P104: {message} (review_due)")


def section_id_case(section_id: str, why: str = "") -> SchemaCase:
    expected = f'{FILE}:28:9: error P105: section id "{section_id}" {why} (sections[0].id)' if why else ()
    hint = RESERVED_PREFIX_HINT if why.startswith("starts with") else ""
    return version_case(f"section-id-{section_id}", ("  - id: safety", f"  - id: {section_id}"),
                        ("[[#safety]]", f"[[#{section_id}]]"), expected=expected, hint=hint)


def review_interval_case(value: str, message: str) -> SchemaCase:
    code, suffix = ("P100", "") if message.startswith("not valid") else ("P104", " (review_interval_months)")
    return SchemaCase(f"{code.lower()}-review-interval-{value[:8]}",
                      (f"_library/policy.yaml:4:25: error {code}: {message}{suffix}",),
                      files={"_library/policy.yaml": REVIEW_POLICY + value + "\n"}, match="first")


CASES = [
    # P102 to P109 in the version file: the start of the line is the asserted part.
    version_case("p102-unknown-top-level-key", (OWNER, f"{OWNER}\nauthor: me"),
                 expected=f'{FILE}:6:1: error P102: unknown key "author" (author)', match="prefix"),
    version_case("p102-unknown-regimen-key", ("    duration: 40 min", "    durration: 40 min"),
                 expected=f'{FILE}:15:5: error P102: unknown key "durration" (regimens[0].durration)', match="prefix"),
    version_case("p103-missing-title", ("title: IV ketamine for treatment-resistant depression\n", ""),
                 expected=f'{FILE}:1:1: error P103: missing required key "title"', match="prefix"),
    version_case("p104-boolean-for-text", ("    route: IV", "    route: no"),
                 expected=f"{FILE}:12:12: error P104: expected text, got boolean false (regimens[0].route)",
                 match="prefix"),
    version_case("p104-unquoted-version", ('version: "1.0"', "version: 1.0"),
                 expected=f"{FILE}:2:10: error P104: expected a quoted version string, got number 1.0 (version)",
                 match="prefix"),
    version_case("p104-unquoted-version-hint", ('version: "1.0"', "version: 1.10"),
                 expected=f"{FILE}:2:10: error P104: expected a quoted version string", match="prefix",
                 hint='write the version in quotes, e.g. version: "1.10"; unquoted 1.10 reads as the number 1.1'),
    version_case("p104-status-typo", ("status: draft", "status: aproved"),
                 expected=f"{FILE}:4:9: error P104: expected one of 'draft', 'in-review', 'approved' or 'retired',"
                 ' got text "aproved" (status)', match="prefix"),
    version_case("p104-doses-as-text", ("    doses: 6", "    doses: six"),
                 expected=f'{FILE}:23:12: error P104: expected a whole number, got text "six" (phases[0].doses)',
                 match="prefix"),
    version_case("p105-upper-case-section-id", ("  - id: safety", "  - id: Safety"),
                 expected=f'{FILE}:28:9: error P105: malformed id "Safety" (sections[0].id)', match="prefix"),
    version_case("p108-no-space-before-unit", ("    dose: 0.5 mg/kg", "    dose: 0.5mg/kg"),
                 expected=f"{FILE}:13:11: error P108:", match="prefix"),
    version_case("p108-pounds", ("    dose: 0.5 mg/kg", "    dose: 0.5 mg/lb"),
                 expected=f"{FILE}:13:11: error P108:", match="prefix"),
    version_case("p108-no-unit", ("    duration: 40 min", "    duration: 40"),
                 expected=f"{FILE}:15:15: error P108: malformed quantity 40: a quantity needs a unit"
                 " (regimens[0].duration)", match="prefix"),
    version_case("p109-micrograms-for-milligrams", ("    dose: 0.5 mg/kg", "    dose: 500 ug/kg"),
                 expected=f"{FILE}:13:11: error P109:", match="prefix"),
    # P105 to P107: ids, folder and file names.
    version_case("p106-id-differs-from-folder", ("id: ketamine-trd", "id: ketamine-x"), match="contains",
                 expected=f'{FILE}:1:5: error P106: id "ketamine-x" differs from the folder name "ketamine-trd" (id)'),
    SchemaCase("p107-version-differs-from-file-name",
               ('ketamine-trd/1.1.yaml:2:10: error P107: version "1.0" differs from the file name "1.1.yaml"'
                " (version)",),
               files={"ketamine-trd/1.1.yaml": VERSION}, removed=(FILE,), match="contains"),
    SchemaCase("p105-bad-folder-name", ('Bad_Folder:1:1: error P105: malformed protocol folder name "Bad_Folder"',),
               files={"Bad_Folder/1.0.yaml": VERSION}, match="contains"),
    version_case("p105-section-id-with-line-break", ("  - id: safety", '  - id: "safety\\n"'), match="contains",
                 expected=f'{FILE}:28:9: error P105: malformed id "safety\\u000A" (sections[0].id)'),
    version_case("p105-protocol-id-with-line-break", ("id: ketamine-trd", 'id: "ketamine-trd\\n"'), match="contains",
                 expected=f'{FILE}:1:5: error P105: malformed protocol id "ketamine-trd\\u000A" (id)'),
    version_case("p105-regimen-id-with-line-break", ("  - id: ketamine-iv", '  - id: "ketamine-iv\\n"'),
                 match="contains",
                 expected=f'{FILE}:10:9: error P105: malformed id "ketamine-iv\\u000A" (regimens[0].id)'),
    version_case("p105-cited-id-with-line-break", ("cite: [phillips-2019]", 'cite: ["phillips-2019\\n"]'),
                 match="contains",
                 expected=f'{FILE}:16:12: error P105: malformed reference id "phillips-2019\\u000A"'
                 " (regimens[0].cite[0])"),
    version_case("p105-version-with-line-break", ('version: "1.0"', 'version: "1.0\\n"'), match="contains",
                 expected=f'{FILE}:2:10: error P105: malformed version "1.0\\u000A" (version)'),
    version_case("p105-version-leading-zero", ('version: "1.0"', 'version: "01.0"'), match="contains",
                 expected=f'{FILE}:2:10: error P105: malformed version "01.0" (version)'),
    version_case("p105-version-trailing-zero", ('version: "1.0"', 'version: "1.00"'), match="contains",
                 expected=f'{FILE}:2:10: error P105: malformed version "1.00" (version)'),
    SchemaCase("p105-reference-and-handbook-ids-with-line-break", (
        '_library/handbooks.yaml:1:7: error P105: malformed id "psychiatry\\u000A" ([0].id)',
        '_library/references.yaml:1:1: error P105: malformed reference id "phillips-2019\\u000A"'
        " (phillips-2019\\u000A)",
    ), files={
        "_library/references.yaml": '"phillips-2019\\n":\n  type: web\n  title: T\n  publisher: P\n  year: 2020\n',
        "_library/handbooks.yaml": '- id: "psychiatry\\n"\n  title: Psychiatry\n  protocols: [ketamine-trd]\n',
    }, match="contains"),
    *(section_id_case(section_id, "is reserved for a generated section")
      for section_id in ("references", "dose-table")),
    *(section_id_case(f"{prefix}{rest}", f'starts with "{prefix}", which the generator uses for its own anchors')
      for prefix, rest in (("ref-", "phillips-2019"), ("regimen-", "ketamine-iv"), ("phase-", "induction"),
                           ("phase-", "one"), ("dose-table-", "ketamine-iv"), ("dose-card-", "ketamine-iv"))),
    *(section_id_case(section_id) for section_id in ("refs", "reference-notes", "regimens-compared", "phases",
                                                     "dose-tables")),
    # P104 dates: strict YYYY-MM-DD within 1900 to 2199.
    *(review_due_case(value, f'expected a date YYYY-MM-DD, got text "{value.strip(chr(34))}"')
      for value in ("2026-2-11", '"20260211"', '"2026-W50-3"', '"2026-02-11T10:00"', '"2026-02-30"')),
    review_due_case("2026-02-11 10:00:00", "expected a date YYYY-MM-DD, got date and time 2026-02-11T10:00:00"),
    review_due_case("20260211", "expected a date YYYY-MM-DD, got number 20260211"),
    *(review_due_case(value, f"date {value.strip(chr(34))} is outside the years 1900 to 2199")
      for value in ("9999-06-01", "1899-12-31", '"2200-01-01"', "0001-01-01")),
    *(version_case(f"review-due-accepted-{value}", (OWNER, f"{OWNER}\nreview_due: {value}"))
      for value in ("2026-02-11", '"2026-02-11"', "1900-01-01", "2199-12-31")),
    # P104/P100: the policy's review interval.
    review_interval_case("100000", "expected a number of at most 120, got number 100000"),
    review_interval_case("121", "expected a number of at most 120, got number 121"),
    review_interval_case("0", "expected a number of at least 1, got number 0"),
    review_interval_case("9" * 5000, 'not valid YAML: "' + "9" * 60 + '..." is not a valid value'),
    # P210 and P306 found by the schema pass.
    version_case("p210-two-dose-tables-for-one-regimen",
                 (TABLE, TABLE + "  - regimen: ketamine-iv\n    weights: {from: 30 kg, to: 60 kg, step: 10 kg}\n"),
                 expected=f"{FILE}:27:14: error P210: "
                 'regimen "ketamine-iv" already has a dose table (dose_tables[0]) (dose_tables[1].regimen)'),
    SchemaCase("p306-pmid-and-doi-with-line-break", (
        '_library/references.yaml:10:8: error P306: malformed DOI "10.1176/appi.ajp.2018.18070834\\u000A"'
        " in reference phillips-2019 (phillips-2019.doi)",
        '_library/references.yaml:11:9: error P306: malformed PMID "30922101\\u000A" in reference phillips-2019'
        " (phillips-2019.pmid)",
    ), edits={"_library/references.yaml": (
        ("pmid: 30922101", 'pmid: "30922101\\n"'),
        ("doi: 10.1176/appi.ajp.2018.18070834", 'doi: "10.1176/appi.ajp.2018.18070834\\n"'),
    )}),
]


def test_case_ids_are_unique_and_matches_known() -> None:
    ids = [case.id for case in CASES]
    assert len(ids) == len(set(ids))
    assert {case.match for case in CASES} <= set(MATCHES)


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_schema_rule_case(tmp_path: Path, case: SchemaCase) -> None:
    library = case.write(tmp_path)
    _status, out, _err = run("check", "--as-of", "2026-06-01", str(library))
    prefix = f"{library}/"
    printed = [line.removeprefix(prefix) for line in out.splitlines()]
    lines = [line for line in printed if not line.startswith("    ")][:-1]
    shown = "\n".join(printed)
    if case.match == "exact":
        assert lines == list(case.expected), shown
    elif case.match == "contains":
        assert all(expected in lines for expected in case.expected), shown
    elif case.match == "prefix":
        assert all(any(line.startswith(expected) for line in lines) for expected in case.expected), shown
    else:
        assert len(lines) >= len(case.expected), shown
        assert all(line.startswith(expected) for line, expected in zip(lines, case.expected, strict=False)), shown
    if case.hint:
        at = next(i for i, line in enumerate(printed) if line.startswith(case.expected[0]))
        assert printed[at + 1] == f"    {case.hint}", shown


def test_every_error_is_collected_not_only_the_first(tmp_path: Path) -> None:
    text = VERSION.replace("    route: IV", "    route: no").replace("    doses: 6", "    doses: six")
    lines = check_lines(write_library(tmp_path, {"ketamine-trd/1.0.yaml": text}))
    assert sum(" P104: " in line for line in lines) == 2


def test_library_file_errors_are_located(tmp_path: Path) -> None:
    drugs = "ketamine:\n  name: ketamine\n  ceiling: 5.0 mg\nmidazolam:\n  name: Midazolam\n"
    lines = check_lines(write_library(tmp_path, {"_library/drugs.yaml": drugs}))
    where = f"{tmp_path}/protocols/_library/drugs.yaml"
    assert any(line.startswith(f"{where}:3:12: error P209:") for line in lines), lines
    assert f'{where}:5:3: error P105: drug name "Midazolam" must be the lower-case generic name (midazolam)' in lines
    # the broken entries do not cascade: ketamine is still a known drug
    assert not any(" P211: " in line for line in lines)


def test_check_json_format_and_exit_codes(tmp_path: Path) -> None:
    # an optional field with the wrong type is left out and everything else checked: one error
    library = write_library(tmp_path, {"ketamine-trd/1.0.yaml": VERSION.replace("owner: Department of Psychiatry",
                                                                                "owner: no")})
    status, out, _ = run("check", "--format", "json", str(library))
    payload = json.loads(out)
    assert status == 1
    assert payload["summary"] == {"errors": 1, "warnings": 0, "files": 5}
    assert payload["diagnostics"][0] == {
        "file": f"{library}/ketamine-trd/1.0.yaml",
        "line": 5,
        "col": 8,
        "level": "error",
        "code": "P104",
        "message": "expected text, got boolean false",
        "path": "owner",
        "hint": "YAML reads yes/no/on/off/true/false as booleans: put the text in quotes",
    }


def test_missing_folder_is_a_usage_error(tmp_path: Path) -> None:
    status, out, err = run("check", str(tmp_path / "nowhere"))
    assert status == 2
    assert out == ""
    where = tmp_path / "nowhere"
    assert err == f"protocols: error: no protocols folder at {where}: pass the folder holding your protocols\n"


def test_schema_command_prints_the_json_schema() -> None:
    status, out, _ = run("schema")
    schema = json.loads(out)
    assert status == 0
    assert schema["title"] == "Protocol version file"
    assert set(schema["required"]) == {"id", "version", "title", "status"}
    assert schema["additionalProperties"] is False


def test_committed_schema_file_matches_the_command() -> None:
    committed = Path(__file__).resolve().parents[2] / "protocols" / "_schema" / "version.schema.json"
    _, out, _ = run("schema")
    assert committed.read_text(encoding="utf-8") == out, "regenerate with: protocols schema > " + str(committed)


def test_an_effective_date_far_ahead_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    text = VERSION.replace("status: draft", "status: approved\neffective: 9999-06-01")
    library = write_library(tmp_path, {"ketamine-trd/1.0.yaml": text})
    status, out, err = run("check", "--as-of", "2026-06-01", str(library))
    assert status == 1
    assert "Traceback" not in out + err
    assert (
        f"{library}/ketamine-trd/1.0.yaml:5:12: error P104: date 9999-06-01 is outside the years 1900 to 2199"
        " (effective)"
    ) in out


def test_the_longest_review_interval_from_the_last_date_computes_a_review_date(tmp_path: Path) -> None:
    policy = "approval:\n  minimum: 1\nreview_interval_months: 120\n"
    text = VERSION.replace("status: draft", "status: retired\neffective: 2199-12-31")
    library = write_library(tmp_path, {"_library/policy.yaml": policy, "ketamine-trd/1.0.yaml": text})
    status, out, err = run("check", "--as-of", "2199-12-31", str(library))
    assert "Traceback" not in out + err
    assert status == 0, out
    loaded = load_library(library)
    assert review_due(loaded.protocols["ketamine-trd"].versions["1.0"], loaded.policy) == dt.date(2209, 12, 31)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("    dose: 0.5 mg/kg", "    dose: " + "5" * 500 + " mg", 'malformed quantity "' + "5" * 60 + '...": longer'),
        ("status: draft", "status: " + "d" * 500, "got text \"" + "d" * 60 + '..." (status)'),
        ("    doses: 6", "    doses: " + "x" * 500, 'got text "' + "x" * 60 + '..." (phases[0].doses)'),
        (
            "frequency: 3 per week",
            "frequency: " + "3" * 500 + " per week",
            'malformed frequency "' + "3" * 60 + '...": longer',
        ),
        ("  - id: safety", "  - id: " + "S" * 500, 'malformed id "' + "S" * 60 + '..." (sections[0].id)'),
    ],
)
def test_messages_quote_at_most_60_characters_of_a_value(tmp_path: Path, old: str, new: str, expected: str) -> None:
    lines = broken(tmp_path, old, new)
    assert any(expected in line for line in lines), lines
    assert not any(new.strip()[-61:] in line for line in lines)


def test_id_patterns_refuse_a_trailing_line_break_with_match_as_with_fullmatch() -> None:
    cases = ((PROTOCOL_ID, "ketamine-trd"), (LOCAL_ID, "safety"), (REFERENCE_ID, "a-2019"), (VERSION_ID, "1.10"))
    for pattern, good in cases:
        assert pattern.match(good) and pattern.fullmatch(good)
        assert not pattern.match(good + "\n") and not pattern.match(good + "/x")


