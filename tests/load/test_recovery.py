"""Every error of every file in one `check` run (issue 17): recovery after P101, P102 and P104, and the tab."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from helpers import REFERENCES, VERSION, check_lines, run, write_library

from generator.approvals.versions import version_fingerprint
from generator.load.library import load_library
from generator.load.yaml_source import load_text

LOCATED = re.compile(r"^\S.*:\d+:\d+: (error|warning) P\d{3}: |^\S.*: (error|warning) P\d{3}: ")

EIGHT_ERRORS = (
    VERSION.replace('version: "1.0"', "version: 1.0")  # P104: a number, not a quoted string
    .replace("status: draft\n", "status: draft\ntitle: Again\n")  # P101
    .replace("owner: Department", "ownr: Department")  # P102
    .replace("dose: 0.5 mg/kg", "dose: 0.9 mg/kg")  # P201
    .replace("route: IV", "route: SC")  # P209
    .replace("duration: 40 min", "duration: 40 mni")  # P108 (and P304 for its placeholder, said in its hint)
    .replace("[@phillips-2019].", "[@phillips-2019] [@nope-2020].")  # P301
    .replace("([[#safety]])", "([[no-such-protocol]])")  # P303
)


def test_one_check_run_reports_every_kind_of_error_with_its_location(tmp_path: Path) -> None:
    library = write_library(tmp_path, {"ketamine-trd/1.0.yaml": EIGHT_ERRORS})
    status, out, _ = run("check", "--as-of", "2026-06-01", str(library))
    where = f"{library}/ketamine-trd/1.0.yaml"
    lines = [line for line in out.splitlines() if not line.startswith("    ")]
    assert status == 1
    assert lines == [
        f"{where}:2:10: error P104: expected a quoted version string, got number 1.0 (version)",
        f'{where}:5:1: error P101: key "title" appears twice in one mapping (first at line 3)',
        f'{where}:6:1: error P102: unknown key "ownr" (ownr)',
        f"{where}:8:60: error P304: placeholder {{{{ ketamine-iv.duration }}}}: regimen ketamine-iv has no duration "
        "(summary)",
        f'{where}:8:106: error P301: citation of unknown reference "nope-2020" (summary)',
        f'{where}:13:12: error P209: error-prone abbreviation "SC": write "SUBCUT" (regimens[0].route)',
        f"{where}:14:11: error P201: dose 0.9 mg/kg lies outside dose_range 0.1 to 0.75 mg/kg (regimens[0].dose)",
        f'{where}:16:15: error P108: unknown unit "mni" in "40 mni" (regimens[0].duration)',
        f"{where}:33:35: error P303: cross-reference [[no-such-protocol]]: no protocol \"no-such-protocol\" in this "
        "library (algorithm[0])",
        "9 errors, 0 warnings in 5 files",
    ]


def test_a_duplicate_title_no_longer_hides_an_unquoted_version(tmp_path: Path) -> None:
    text = VERSION.replace('version: "1.0"', "version: 1.1").replace("status: draft\n", "status: draft\ntitle: B\n")
    where = f"{tmp_path}/protocols/ketamine-trd/1.0.yaml"
    assert check_lines(write_library(tmp_path, {"ketamine-trd/1.0.yaml": text})) == [
        f"{where}:2:10: error P104: expected a quoted version string, got number 1.1 (version)",
        f'{where}:5:1: error P101: key "title" appears twice in one mapping (first at line 3)',
    ]


def test_an_unknown_key_no_longer_hides_dosing_and_notation_errors(tmp_path: Path) -> None:
    text = (VERSION.replace("owner: Department", "ownr: Department").replace("dose: 0.5 mg/kg", "dose: 0.9 mg/kg")
            .replace("frequency: 3 per week", "frequency: TIW"))
    lines = check_lines(write_library(tmp_path, {"ketamine-trd/1.0.yaml": text}))
    assert [line.split(": ")[1] for line in lines] == ["error P102", "error P201", "error P209"], lines


def test_a_regimen_left_out_keeps_the_locations_of_the_items_after_it(tmp_path: Path) -> None:
    """Leaving out regimens[0] must not move regimens[1]'s errors onto regimens[0]'s lines."""
    second = ("  - id: other-iv\n    drug: ketamine\n    route: IV\n    dose: 0.9 mg/kg\n"
              "    dose_range: {min: 0.1 mg/kg, max: 0.75 mg/kg}\n")
    text = VERSION.replace("    route: IV\n", "    route: no\n", 1).replace("phases:\n", second + "phases:\n")
    where = f"{tmp_path}/protocols/ketamine-trd/1.0.yaml"
    library = write_library(tmp_path, {"ketamine-trd/1.0.yaml": text})
    status, out, _ = run("check", "--as-of", "2026-06-01", str(library))
    assert status == 1
    assert f"{where}:20:11: error P201: dose 0.9 mg/kg lies outside dose_range 0.1 to 0.75 mg/kg (regimens[1].dose)" \
        in out.splitlines(), out
    assert (
        f"{where}:12:12: error P104: expected text, got boolean false (regimens[0].route)\n"
        "    YAML reads yes/no/on/off/true/false as booleans: put the text in quotes; until this is fixed, regimens[0] "
        "is left out of the other checks, so what refers to it is reported as unknown"
    ) in out


def test_a_version_with_errors_is_kept_apart_and_its_fingerprint_is_of_the_file_as_parsed(tmp_path: Path) -> None:
    good = load_library(write_library(tmp_path / "a"))
    bad = load_library(write_library(tmp_path / "b", {
        "ketamine-trd/1.0.yaml": VERSION.replace("owner: Department", "ownr: Department")}))
    protocol = bad.protocols["ketamine-trd"]
    kept = protocol.partial_versions["1.0"]
    assert "ownr" not in kept.source.data and kept.parsed_data["ownr"] == "Department of Psychiatry"
    # checked, but never used for a dose, a sign-off or a page: it is not among the versions
    assert protocol.versions == {} and protocol.invalid_versions == {"1.0"}
    assert version_fingerprint(kept, bad) != version_fingerprint(good.protocols["ketamine-trd"].versions["1.0"], good)


def test_a_file_that_is_not_a_mapping_is_still_one_error(tmp_path: Path) -> None:
    where = f"{tmp_path}/protocols/ketamine-trd/1.0.yaml"
    assert check_lines(write_library(tmp_path, {"ketamine-trd/1.0.yaml": "- just\n- a list\n"})) == [
        f"{where}:1:1: error P104: expected a mapping, got a list"]


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("a:\n\tb: 1\n", "2:1"),
        ("a:\n  b: 1\n\tc: 2\n", "3:1"),
        ("a:\n \tb: 1\n", "2:2"),
        ("a: |\n  x\n\ty\n", "3:1"),
        ("\ufeffx: 1\r\na:\r\n\tb: 1\r\n", "3:1"),
    ],
)
def test_a_tab_in_the_indentation_is_named_with_its_line_and_column(text: str, where: str) -> None:
    source, diagnostics = load_text(text, "f.yaml")
    assert source is None
    assert [d.format_text() for d in diagnostics] == [
        f"f.yaml:{where}: error P100: a tab character at {where}: YAML indents with spaces only; replace the tab "
        "with spaces\n    indent with spaces (most editors can be set to insert spaces for the Tab key)"
    ]


def test_tabs_yaml_allows_are_not_errors_and_other_yaml_errors_keep_their_words() -> None:
    assert load_text("a:\t1\nb: [1,\t2]\nc: 'x\ty'\n", "f.yaml")[1] == []
    _, diagnostics = load_text("a: [1, 2\n\tb: 3\n", "f.yaml")
    assert "tab" not in diagnostics[0].message or diagnostics[0].location.col == 1


def _leaves(node: object, path: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    if isinstance(node, dict):
        return [path] + [leaf for key, value in node.items() for leaf in _leaves(value, (*path, key))]
    if isinstance(node, list):
        return [path] + [leaf for index, value in enumerate(node) for leaf in _leaves(value, (*path, index))]
    return [path]


def _replaced(data: object, path: tuple[object, ...], value: object) -> object:
    if not path:
        return value
    copy = dict(data) if isinstance(data, dict) else list(data)  # type: ignore[call-overload]
    copy[path[0]] = _replaced(copy[path[0]], path[1:], value)
    return copy


WRONG_VALUES = [True, 1.5, [], {"x": 1}, None, "Bad Id", "0.5 ug/kg"]


def test_a_wrong_value_anywhere_is_reported_located_and_nothing_else_breaks(tmp_path: Path) -> None:
    """Every value of the version file, in turn, replaced by each wrong value: check never raises, prints
    only located messages, and reports an error at (or for a missing key, just above) that value."""
    data = yaml.safe_load(VERSION)
    library = write_library(tmp_path)
    target = library / "ketamine-trd" / "1.0.yaml"
    for path in _leaves(data)[1:]:
        for value in WRONG_VALUES:
            target.write_text(yaml.safe_dump(_replaced(data, path, value), sort_keys=False), encoding="utf-8")
            status, out, _ = run("check", "--as-of", "2026-06-01", str(library))
            lines = [line for line in out.splitlines()[:-1] if not line.startswith("    ")]
            assert status in (0, 1), (path, value, out)
            assert all(LOCATED.match(line) for line in lines), (path, value, out)


def test_an_unknown_key_in_every_mapping_is_reported_and_the_rest_still_checked(tmp_path: Path) -> None:
    data = yaml.safe_load(VERSION.replace("dose: 0.5 mg/kg", "dose: 0.9 mg/kg"))
    library = write_library(tmp_path)
    target = library / "ketamine-trd" / "1.0.yaml"
    mappings = [path for path in _leaves(data) if isinstance(_at(data, path), dict)]
    assert len(mappings) == 7
    for path in mappings:
        changed = _replaced(data, path, {**_at(data, path), "ownr": "x"})
        target.write_text(yaml.safe_dump(changed, sort_keys=False), encoding="utf-8")
        codes = [line.split(" ")[2] for line in check_lines(library)]
        assert codes.count("P102:") == 1 and "P201:" in codes, (path, codes)


def _at(data: object, path: tuple[object, ...]) -> object:
    for part in path:
        data = data[part]  # type: ignore[index]
    return data


def test_a_malformed_folder_name_is_not_used_in_place_of_a_wrong_id(tmp_path: Path) -> None:
    library = write_library(tmp_path, {"Bad_Folder/1.0.yaml": VERSION.replace("id: ketamine-trd", "id: 7")})
    lines = check_lines(library)
    where = f"{library}/Bad_Folder"
    assert lines == [
        f'{where}:1:1: error P105: malformed protocol folder name "Bad_Folder"',
        f"{where}/1.0.yaml:1:5: error P104: expected text, got number 7 (id)",
    ], lines


def test_a_library_entry_with_a_bad_field_is_checked_for_the_rest_and_still_known(tmp_path: Path) -> None:
    """The lower-case name rule runs only on a sound entry: it was hidden behind the ceiling's P209."""
    drugs = "ketamine:\n  name: Ketamine\n  ceiling: 5.0 mg\n  clas: x\n"
    where = f"{tmp_path}/protocols/_library/drugs.yaml"
    assert check_lines(write_library(tmp_path, {"_library/drugs.yaml": drugs})) == [
        f'{where}:2:3: error P105: drug name "Ketamine" must be the lower-case generic name (ketamine)',
        f"{where}:3:12: error P209: trailing zero in \"5.0 mg\": write \"5 mg\" (ketamine.ceiling)",
        f'{where}:4:3: error P102: unknown key "clas" (ketamine.clas)',
    ]


def test_a_handbook_left_out_keeps_the_locations_of_the_ones_after_it(tmp_path: Path) -> None:
    handbooks = ("- id: first\n  title: [not, text]\n  protocols: [ketamine-trd]\n"
                 "- id: second\n  title: Second\n  protocols: [no-such-protocol]\n")
    lines = check_lines(write_library(tmp_path, {"_library/handbooks.yaml": handbooks}))
    where = f"{tmp_path}/protocols/_library/handbooks.yaml"
    assert lines[0] == f"{where}:2:10: error P104: expected text, got a list ([0].title)"
    assert lines[1] == (f'{where}:6:15: error P303: handbook "second" lists unknown protocol "no-such-protocol" '
                        "([1].protocols[0])")


def test_a_rule_of_a_whole_entry_hidden_behind_a_field_error_is_reported_too(tmp_path: Path) -> None:
    """The article-needs-authors rule runs only once the entry's fields are sound."""
    references = REFERENCES + "bad-ref:\n  type: article\n  title: T\n  journal: J\n  year: 2020\n  volume: [1]\n"
    where = f"{tmp_path}/protocols/_library/references.yaml"
    assert check_lines(write_library(tmp_path, {"_library/references.yaml": references})) == [
        f'{where}:13:3: error P103: missing required key "authors" (required for an article) (bad-ref)',
        f"{where}:17:11: error P104: expected text, got a list (bad-ref.volume)",
    ]


def test_no_dose_is_given_from_a_partially_checked_version(tmp_path: Path) -> None:
    """A max_dose with a wrong unit is left out for the checks; the dose command must not dose without it."""
    text = VERSION.replace("    duration: 40 min\n", "    duration: 40 min\n    max_dose: 30 mgg\n")
    library = write_library(tmp_path, {"ketamine-trd/1.0.yaml": text})
    status, out, _ = run("dose", "ketamine-trd", "ketamine-iv", "--weight", "100", "--version", "1.0", str(library))
    assert status == 2
    assert json.loads(out) == {
        "error": f"version 1.0 of ketamine-trd does not validate: run `protocols check {library}`"
    }
    assert [line.split(" ")[1:3] for line in check_lines(library)] == [["error", "P108:"]]
