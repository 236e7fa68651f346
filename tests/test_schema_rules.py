"""Schema rules P102 to P109 and the layout rules P105 to P107, through `protocols check`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import VERSION, check_lines, run, write_library


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
    library = write_library(tmp_path, {"ketamine-trd/1.0.yaml": VERSION.replace("    route: IV", "    route: no")})
    status, out, _ = run("check", "--format", "json", str(library))
    payload = json.loads(out)
    assert status == 1
    assert payload["summary"] == {"errors": 1, "warnings": 0, "files": 5}
    assert payload["diagnostics"][0] == {
        "file": f"{library}/ketamine-trd/1.0.yaml",
        "line": 12,
        "col": 12,
        "level": "error",
        "code": "P104",
        "message": "expected text, got boolean false",
        "path": "regimens[0].route",
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
    committed = Path(__file__).parent.parent / "protocols" / "_schema" / "version.schema.json"
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
