"""Schema rules P102 to P109 and the layout rules P105 to P107, through `protocols check`."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from helpers import REFERENCES, VERSION, check_lines, run, write_library

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


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "owner: Department of Psychiatry",
            "owner: Department of Psychiatry\nauthor: me",
            "ketamine-trd/1.0.yaml:6:1: error P102: unknown key \"author\" (author)",
        ),
        (
            "    duration: 40 min",
            "    durration: 40 min",
            'ketamine-trd/1.0.yaml:15:5: error P102: unknown key "durration" (regimens[0].durration)',
        ),
        (
            'title: IV ketamine for treatment-resistant depression\n',
            "",
            'ketamine-trd/1.0.yaml:1:1: error P103: missing required key "title"',
        ),
        (
            "    route: IV",
            "    route: no",
            "ketamine-trd/1.0.yaml:12:12: error P104: expected text, got boolean false (regimens[0].route)",
        ),
        (
            'version: "1.0"',
            "version: 1.0",
            "ketamine-trd/1.0.yaml:2:10: error P104: expected a quoted version string, got number 1.0 (version)",
        ),
        (
            "status: draft",
            "status: aproved",
            "ketamine-trd/1.0.yaml:4:9: error P104: expected one of 'draft', 'in-review', 'approved' or 'retired',"
            ' got text "aproved" (status)',
        ),
        (
            "    doses: 6",
            "    doses: six",
            'ketamine-trd/1.0.yaml:23:12: error P104: expected a whole number, got text "six" (phases[0].doses)',
        ),
        (
            "  - id: safety",
            "  - id: Safety",
            'ketamine-trd/1.0.yaml:28:9: error P105: malformed id "Safety" (sections[0].id)',
        ),
        (
            "    dose: 0.5 mg/kg",
            "    dose: 0.5mg/kg",
            "ketamine-trd/1.0.yaml:13:11: error P108:",
        ),
        (
            "    dose: 0.5 mg/kg",
            "    dose: 0.5 mg/lb",
            "ketamine-trd/1.0.yaml:13:11: error P108:",
        ),
        (
            "    duration: 40 min",
            "    duration: 40",
            "ketamine-trd/1.0.yaml:15:15: error P108: malformed quantity 40: a quantity needs a unit"
            " (regimens[0].duration)",
        ),
        (
            "    dose: 0.5 mg/kg",
            "    dose: 500 ug/kg",
            "ketamine-trd/1.0.yaml:13:11: error P109:",
        ),
    ],
)
def test_schema_rule_breaks(tmp_path: Path, old: str, new: str, expected: str) -> None:
    lines = broken(tmp_path, old, new)
    prefix = str(tmp_path / "protocols") + "/"
    lines = [line.removeprefix(prefix) for line in lines]
    assert any(line.startswith(expected) for line in lines), "\n".join(lines)


def test_p104_hint_for_unquoted_version(tmp_path: Path) -> None:
    library = write_library(tmp_path, {"ketamine-trd/1.0.yaml": VERSION.replace('version: "1.0"', "version: 1.10")})
    _, out, _ = run("check", str(library))
    assert '    write the version in quotes, e.g. version: "1.10"; unquoted 1.10 reads as the number 1.1' in out


def test_p106_id_differs_from_folder(tmp_path: Path) -> None:
    text = VERSION.replace("id: ketamine-trd", "id: ketamine-x")
    library = write_library(tmp_path, {"ketamine-trd/1.0.yaml": text})
    assert (
        f'{library}/ketamine-trd/1.0.yaml:1:5: error P106: id "ketamine-x" differs from the folder name '
        '"ketamine-trd" (id)' in check_lines(library)
    )


def test_p107_version_differs_from_file_name(tmp_path: Path) -> None:
    library = write_library(tmp_path)
    (library / "ketamine-trd/1.0.yaml").rename(library / "ketamine-trd/1.1.yaml")
    assert (
        f'{library}/ketamine-trd/1.1.yaml:2:10: error P107: version "1.0" differs from the file name "1.1.yaml"'
        " (version)" in check_lines(library)
    )


def test_p105_bad_folder_name(tmp_path: Path) -> None:
    library = write_library(tmp_path, {"Bad_Folder/1.0.yaml": VERSION})
    lines = check_lines(library)
    assert f'{library}/Bad_Folder:1:1: error P105: malformed protocol folder name "Bad_Folder"' in lines


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


def test_p210_two_dose_tables_for_one_regimen(tmp_path: Path) -> None:
    table = "  - regimen: ketamine-iv\n    weights: {from: 40 kg, to: 120 kg, step: 5 kg}\n"
    second = "  - regimen: ketamine-iv\n    weights: {from: 30 kg, to: 60 kg, step: 10 kg}\n"
    text = VERSION.replace(table, table + second)
    lines = check_lines(write_library(tmp_path, {"ketamine-trd/1.0.yaml": text}))
    assert lines == [
        f"{tmp_path}/protocols/ketamine-trd/1.0.yaml:27:14: error P210: "
        'regimen "ketamine-iv" already has a dose table (dose_tables[0]) (dose_tables[1].regimen)'
    ]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-2-11", 'expected a date YYYY-MM-DD, got text "2026-2-11"'),
        ('"20260211"', 'expected a date YYYY-MM-DD, got text "20260211"'),
        ('"2026-W50-3"', 'expected a date YYYY-MM-DD, got text "2026-W50-3"'),
        ('"2026-02-11T10:00"', 'expected a date YYYY-MM-DD, got text "2026-02-11T10:00"'),
        ('"2026-02-30"', 'expected a date YYYY-MM-DD, got text "2026-02-30"'),
        ("2026-02-11 10:00:00", "expected a date YYYY-MM-DD, got date and time 2026-02-11T10:00:00"),
        ("20260211", "expected a date YYYY-MM-DD, got number 20260211"),
        ("9999-06-01", "date 9999-06-01 is outside the years 1900 to 2199"),
        ("1899-12-31", "date 1899-12-31 is outside the years 1900 to 2199"),
        ('"2200-01-01"', "date 2200-01-01 is outside the years 1900 to 2199"),
        ("0001-01-01", "date 0001-01-01 is outside the years 1900 to 2199"),
    ],
)
def test_p104_dates_are_strict(tmp_path: Path, value: str, expected: str) -> None:
    lines = broken(tmp_path, "owner: Department of Psychiatry", f"owner: Department of Psychiatry\nreview_due: {value}")
    assert lines == [f"{tmp_path}/protocols/ketamine-trd/1.0.yaml:6:13: error P104: {expected} (review_due)"]


@pytest.mark.parametrize("value", ["2026-02-11", '"2026-02-11"', "1900-01-01", "2199-12-31"])
def test_dates_of_the_format_are_accepted(tmp_path: Path, value: str) -> None:
    owner = "owner: Department of Psychiatry"
    assert broken(tmp_path, owner, f"{owner}\nreview_due: {value}") == []


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


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("100000", "expected a number of at most 120, got number 100000"),
        ("121", "expected a number of at most 120, got number 121"),
        ("0", "expected a number of at least 1, got number 0"),
        ("9" * 5000, 'not valid YAML: "' + "9" * 60 + '..." is not a valid value'),
    ],
)
def test_p104_review_interval_from_1_to_120_months(tmp_path: Path, value: str, expected: str) -> None:
    policy = "approval:\n  minimum: 2\n  required_roles: [pharmacist, psychiatrist]\nreview_interval_months: "
    library = write_library(tmp_path, {"_library/policy.yaml": policy + value + "\n"})
    lines = check_lines(library)
    code = "P100" if expected.startswith("not valid") else "P104"
    suffix = "" if code == "P100" else " (review_interval_months)"
    assert lines[0].startswith(f"{library}/_library/policy.yaml:4:25: error {code}: {expected}{suffix}")


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
        ("  - id: safety", '  - id: "safety\\n"', '28:9: error P105: malformed id "safety\\u000A" (sections[0].id)'),
        (
            "id: ketamine-trd",
            'id: "ketamine-trd\\n"',
            '1:5: error P105: malformed protocol id "ketamine-trd\\u000A" (id)',
        ),
        (
            "  - id: ketamine-iv",
            '  - id: "ketamine-iv\\n"',
            '10:9: error P105: malformed id "ketamine-iv\\u000A" (regimens[0].id)',
        ),
        (
            "cite: [phillips-2019]",
            'cite: ["phillips-2019\\n"]',
            '16:12: error P105: malformed reference id "phillips-2019\\u000A" (regimens[0].cite[0])',
        ),
        ('version: "1.0"', 'version: "1.0\\n"', '2:10: error P105: malformed version "1.0\\u000A" (version)'),
        ('version: "1.0"', 'version: "01.0"', '2:10: error P105: malformed version "01.0" (version)'),
        ('version: "1.0"', 'version: "1.00"', '2:10: error P105: malformed version "1.00" (version)'),
    ],
)
def test_p105_ids_match_the_whole_value(tmp_path: Path, old: str, new: str, expected: str) -> None:
    assert f"{tmp_path}/protocols/ketamine-trd/1.0.yaml:{expected}" in broken(tmp_path, old, new)


def test_p105_reference_and_handbook_ids_match_the_whole_value(tmp_path: Path) -> None:
    references = '"phillips-2019\\n":\n  type: web\n  title: T\n  publisher: P\n  year: 2020\n'
    handbooks = '- id: "psychiatry\\n"\n  title: Psychiatry\n  protocols: [ketamine-trd]\n'
    library = write_library(tmp_path, {"_library/references.yaml": references, "_library/handbooks.yaml": handbooks})
    lines = check_lines(library)
    assert f'{library}/_library/handbooks.yaml:1:7: error P105: malformed id "psychiatry\\u000A" ([0].id)' in lines
    assert (
        f'{library}/_library/references.yaml:1:1: error P105: malformed reference id "phillips-2019\\u000A"'
        " (phillips-2019\\u000A)"
    ) in lines


@pytest.mark.parametrize(
    ("section_id", "why"),
    [
        ("references", "is reserved for a generated section"),
        ("dose-table", "is reserved for a generated section"),
        ("ref-phillips-2019", 'starts with "ref-", which the generator uses for its own anchors'),
        ("regimen-ketamine-iv", 'starts with "regimen-", which the generator uses for its own anchors'),
        ("phase-induction", 'starts with "phase-", which the generator uses for its own anchors'),
        ("dose-table-ketamine-iv", 'starts with "dose-table-", which the generator uses for its own anchors'),
        ("dose-card-ketamine-iv", 'starts with "dose-card-", which the generator uses for its own anchors'),
    ],
)
def test_p105_reserved_section_ids_and_prefixes(tmp_path: Path, section_id: str, why: str) -> None:
    text = VERSION.replace("  - id: safety", f"  - id: {section_id}").replace("[[#safety]]", f"[[#{section_id}]]")
    lines = check_lines(write_library(tmp_path, {"ketamine-trd/1.0.yaml": text}))
    assert lines == [
        f'{tmp_path}/protocols/ketamine-trd/1.0.yaml:28:9: error P105: section id "{section_id}" {why} (sections[0].id)'
    ]


@pytest.mark.parametrize("section_id", ["refs", "reference-notes", "regimens-compared", "phases", "dose-tables"])
def test_section_ids_near_the_reserved_ones_are_allowed(tmp_path: Path, section_id: str) -> None:
    text = VERSION.replace("  - id: safety", f"  - id: {section_id}").replace("[[#safety]]", f"[[#{section_id}]]")
    assert check_lines(write_library(tmp_path, {"ketamine-trd/1.0.yaml": text})) == []


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


def test_p306_pmid_and_doi_match_the_whole_value(tmp_path: Path) -> None:
    text = REFERENCES.replace("pmid: 30922101", 'pmid: "30922101\\n"').replace(
        "doi: 10.1176/appi.ajp.2018.18070834", 'doi: "10.1176/appi.ajp.2018.18070834\\n"'
    )
    lines = check_lines(write_library(tmp_path, {"_library/references.yaml": text}))
    assert lines == [
        f'{tmp_path}/protocols/_library/references.yaml:10:8: error P306: malformed DOI'
        ' "10.1176/appi.ajp.2018.18070834\\u000A" in reference phillips-2019 (phillips-2019.doi)',
        f'{tmp_path}/protocols/_library/references.yaml:11:9: error P306: malformed PMID "30922101\\u000A"'
        " in reference phillips-2019 (phillips-2019.pmid)",
    ]


def test_id_patterns_refuse_a_trailing_line_break_with_match_as_with_fullmatch() -> None:
    cases = ((PROTOCOL_ID, "ketamine-trd"), (LOCAL_ID, "safety"), (REFERENCE_ID, "a-2019"), (VERSION_ID, "1.10"))
    for pattern, good in cases:
        assert pattern.match(good) and pattern.fullmatch(good)
        assert not pattern.match(good + "\n") and not pattern.match(good + "/x")


def test_p105_reserved_prefix_hint_names_the_prefixes(tmp_path: Path) -> None:
    text = VERSION.replace("  - id: safety", "  - id: phase-one").replace("[[#safety]]", "[[#phase-one]]")
    library = write_library(tmp_path, {"ketamine-trd/1.0.yaml": text})
    _status, out, _err = run("check", "--as-of", "2026-06-01", str(library))
    assert out.splitlines()[:2] == [
        f'{tmp_path}/protocols/ketamine-trd/1.0.yaml:28:9: error P105: section id "phase-one" starts with "phase-",'
        " which the generator uses for its own anchors (sections[0].id)",
        "    choose another id; ids starting with ref-, regimen-, phase-, dose-table-, dose-card- are reserved",
    ]
