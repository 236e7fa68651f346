"""The editors' JSON Schemas (protocols/_schema/): kept equal to `protocols schema --file TYPE`, valid
draft 2020-12, describing every property, accepting every sample file and refusing what `protocols check`
refuses, each bad value asserted against both so that the schema and the checks cannot drift apart."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from helpers import DRUGS, HANDBOOKS, POLICY, REFERENCES, VERSION, check_lines, run, write_library

from generator.model.field_types import (
    DATE_PATTERN,
    FREQUENCY_PATTERN,
    QUANTITY_PATTERN,
    ROUTE_PATTERN,
    Date,
    FrequencyField,
    QuantityField,
)
from generator.model.schema import SCHEMA_FILES, Regimen

PROTOCOLS = Path(__file__).resolve().parents[2] / "protocols"
SCHEMA_DIR = PROTOCOLS / "_schema"
KINDS = ["version", "references", "drugs", "policy", "handbooks", "approvals"]


def kind_of(path: Path) -> str:
    if path.parent.name == "_library":
        return path.stem
    return "approvals" if path.name == "approvals.yaml" else "version"


def sample_files() -> list[Path]:
    files = sorted(PROTOCOLS.glob("_library/*.yaml")) + sorted(PROTOCOLS.glob("[!_]*/*.yaml"))
    assert len(files) >= 4 + 3, files  # the four library files, a version file and a ledger at least
    return files


def as_editor_reads(value: Any) -> Any:
    """The YAML as a YAML 1.2 editor reads it: an unquoted date is text (PyYAML makes it a date)."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: as_editor_reads(item) for key, item in value.items()}
    if isinstance(value, list):
        return [as_editor_reads(item) for item in value]
    return value


def validator(kind: str) -> jsonschema.Draft202012Validator:
    schema = json.loads((SCHEMA_DIR / f"{kind}.schema.json").read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


def refused_paths(kind: str, text: str) -> set[tuple[Any, ...]]:
    data = as_editor_reads(yaml.safe_load(text))
    return {tuple(error.absolute_path) for error in validator(kind).iter_errors(data)}


# --- the schema files -------------------------------------------------------------------------------------


def test_every_file_type_has_a_schema_file() -> None:
    assert sorted(SCHEMA_FILES) == sorted(KINDS)
    assert sorted(path.name for path in SCHEMA_DIR.iterdir()) == sorted(f"{kind}.schema.json" for kind in KINDS)


@pytest.mark.parametrize("kind", KINDS)
def test_committed_schema_equals_the_command(kind: str) -> None:
    status, out, _ = run("schema", "--file", kind)
    assert status == 0
    committed = SCHEMA_DIR / f"{kind}.schema.json"
    assert committed.read_text(encoding="utf-8") == out, f"regenerate: protocols schema --file {kind} > {committed}"


def test_schema_defaults_to_the_version_file() -> None:
    assert run("schema") == run("schema", "--file", "version")


def test_schema_refuses_an_unknown_file_type(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run("schema", "--file", "version.yaml")
    assert (status, out) == (2, "")
    assert "protocols schema: error: argument --file: invalid choice: 'version.yaml' (choose from 'version'," \
        " 'references', 'drugs', 'policy', 'handbooks', 'approvals')" in capsys.readouterr().err


@pytest.mark.parametrize("kind", KINDS)
def test_schema_is_valid_draft_2020_12(kind: str) -> None:
    schema = json.loads((SCHEMA_DIR / f"{kind}.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == f"protocols/{kind}.schema.json"


def properties_of(schema: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    found = [("", schema)] + [(name, definition) for name, definition in schema.get("$defs", {}).items()]
    return [(f"{owner}.{key}", value) for owner, node in found for key, value in node.get("properties", {}).items()]


@pytest.mark.parametrize("kind", KINDS)
def test_every_property_has_a_description_and_a_valid_example(kind: str) -> None:
    check = validator(kind)
    properties = properties_of(check.schema)
    assert properties
    for name, prop in properties:
        assert prop.get("description"), name
        assert prop.get("examples"), name
        for example in prop["examples"]:  # an example that the property itself refuses would mislead
            errors = list(jsonschema.Draft202012Validator({**prop, "$defs": check.schema.get("$defs", {})})
                          .iter_errors(example))
            assert errors == [], (name, example, [e.message for e in errors])


# --- the sample library -----------------------------------------------------------------------------------


def test_every_sample_file_names_its_schema_first() -> None:
    for path in sample_files():
        first_line = path.read_text(encoding="utf-8").splitlines()[0]
        assert first_line == f"# yaml-language-server: $schema=../_schema/{kind_of(path)}.schema.json", path


@pytest.mark.parametrize("path", sample_files(), ids=lambda path: f"{path.parent.name}/{path.name}")
def test_every_sample_file_validates_against_its_schema(path: Path) -> None:
    assert refused_paths(kind_of(path), path.read_text(encoding="utf-8")) == set()


def test_the_headers_leave_the_sample_library_clean() -> None:
    """The header is a comment: approvals' fingerprints are of parsed data, so `check` stays clean."""
    status, out, _ = run("check", "--as-of", "2026-11-25", str(PROTOCOLS))
    assert (status, out.splitlines()[-1].split(" in ")[0]) == (0, "0 errors, 0 warnings")


# --- bad values: refused by the schema and by `protocols check` alike ------------------------------------

LEDGER = "- version: '1.0'\n  reviewer: Ann Lee\n  role: pharmacist\n  date: 2026-01-05\n  fingerprint: x\n"
V = "ketamine-trd/1.0.yaml"
BAD_VALUES = [
    # (file, text, schema path refused, the check's diagnostic line)
    (V, VERSION.replace("    duration: 40 min", "    duration: 40 min\n    max_dose: 5.0 mg"),
     ("regimens", 0, "max_dose"),
     f'{V}:16:15: error P209: trailing zero in "5.0 mg": write "5 mg" (regimens[0].max_dose)'),
    (V, VERSION.replace("    duration: 40 min", "    duration: 40 min\n    max_dose: .5 mg"),
     ("regimens", 0, "max_dose"),
     f'{V}:16:15: error P209: missing leading zero in ".5 mg": write "0.5 mg" (regimens[0].max_dose)'),
    (V, VERSION.replace("    dose: 0.5 mg/kg", "    dose: 0.5 ug/kg"),
     ("regimens", 0, "dose"),
     f'{V}:13:11: error P109: unsafe unit spelling "ug/kg" in "0.5 ug/kg": write "0.5 mcg/kg" (regimens[0].dose)'),
    (V, VERSION.replace("    duration: 40 min", "    duration: 40 min\n    max_dose: 2 cc"),
     ("regimens", 0, "max_dose"),
     f'{V}:16:15: error P109: unsafe unit spelling "cc" in "2 cc": write "2 mL" (regimens[0].max_dose)'),
    (V, VERSION.replace("    route: IV", "    route: SC"),
     ("regimens", 0, "route"),
     f'{V}:12:12: error P209: error-prone abbreviation "SC": write "SUBCUT" (regimens[0].route)'),
    (V, VERSION.replace("    frequency: 3 per week", "    frequency: TIW"),
     ("phases", 0, "frequency"),
     f'{V}:21:16: error P209: error-prone abbreviation "TIW": write "3 per week" (phases[0].frequency)'),
    (V, VERSION.replace("owner: Department of Psychiatry", 'owner: Department of Psychiatry\neffective: "20260211"'),
     ("effective",),
     f'{V}:6:12: error P104: expected a date YYYY-MM-DD, got text "20260211" (effective)'),
    (V, VERSION.replace("owner: Department of Psychiatry", "owner: Department of Psychiatry\neffective: 1899-12-31"),
     ("effective",),
     f"{V}:6:12: error P104: date 1899-12-31 is outside the years 1900 to 2199 (effective)"),
    (V, VERSION.replace('version: "1.0"', "version: 1.0"),
     ("version",),
     f"{V}:2:10: error P104: expected a quoted version string, got number 1.0 (version)"),
    (V, VERSION.replace("owner: Department of Psychiatry", "owner: Department of Psychiatry\nauthor: me"),
     (),
     f'{V}:6:1: error P102: unknown key "author" (author)'),
    (V, VERSION.replace("  - id: induction", "  - id: Induction"),
     ("phases", 0, "id"),
     f'{V}:18:9: error P105: malformed id "Induction" (phases[0].id)'),
    ("_library/references.yaml", REFERENCES.replace("  doi: 10", "  doi: https://doi.org/10"),
     ("phillips-2019", "doi"),
     '_library/references.yaml:10:8: error P306: malformed DOI "https://doi.org/10.1176/appi.ajp.2018.18070834"'
     " in reference phillips-2019 (phillips-2019.doi)"),
    ("_library/references.yaml", REFERENCES.replace("  pmid: 30922101", "  pmid: PMID30922101"),
     ("phillips-2019", "pmid"),
     '_library/references.yaml:11:9: error P306: malformed PMID "PMID30922101" in reference phillips-2019'
     " (phillips-2019.pmid)"),
    # other scripts' digits (Arabic-Indic): a PubMed or DOI link to nowhere
    ("_library/references.yaml", REFERENCES.replace("  pmid: 30922101", '  pmid: "\u0663\u0660\u0669\u0662"'),
     ("phillips-2019", "pmid"),
     '_library/references.yaml:11:9: error P306: malformed PMID "\u0663\u0660\u0669\u0662" in reference'
     " phillips-2019 (phillips-2019.pmid)"),
    ("_library/references.yaml", REFERENCES.replace("  doi: 10.1176", "  doi: 10.\u0661\u0661\u0667\u0666"),
     ("phillips-2019", "doi"),
     '_library/references.yaml:10:8: error P306: malformed DOI "10.\u0661\u0661\u0667\u0666/appi.ajp.2018.18070834"'
     " in reference phillips-2019 (phillips-2019.doi)"),
    ("_library/references.yaml", REFERENCES.replace("  pmid: 30922101", "  pmid: -5"),
     ("phillips-2019", "pmid"),
     '_library/references.yaml:11:9: error P306: malformed PMID "-5" in reference phillips-2019 (phillips-2019.pmid)'),
    ("_library/references.yaml", REFERENCES.replace("  pages: 401-409", "  pages: 401-409\n  url: http://x.org/a"),
     ("phillips-2019", "url"),
     '_library/references.yaml:10:8: error P306: malformed URL "http://x.org/a" in reference phillips-2019'
     " (phillips-2019.url)"),
    ("_library/references.yaml", REFERENCES.replace("phillips-2019:", "Phillips-2019:"),
     (),
     '_library/references.yaml:1:1: error P105: malformed reference id "Phillips-2019" (Phillips-2019)'),
    ("_library/drugs.yaml", DRUGS.replace("ketamine:", "Ketamine:"),
     (),
     '_library/drugs.yaml:1:1: error P105: malformed id "Ketamine" (Ketamine)'),
    ("_library/drugs.yaml", DRUGS.replace("  class:", "  ceiling: 5.0 mg\n  class:"),
     ("ketamine", "ceiling"),
     '_library/drugs.yaml:3:12: error P209: trailing zero in "5.0 mg": write "5 mg" (ketamine.ceiling)'),
    ("_library/policy.yaml", POLICY.replace("  minimum: 2", "  minimum: 0"),
     ("approval", "minimum"),
     "_library/policy.yaml:2:12: error P104: expected a number of at least 1, got number 0 (approval.minimum)"),
    ("_library/policy.yaml", POLICY.replace("review_interval_months: 24", "review_interval: 24"),
     (),
     '_library/policy.yaml:4:1: error P102: unknown key "review_interval" (review_interval)'),
    ("_library/handbooks.yaml", HANDBOOKS.replace("- id: psychiatry", "- id: Psychiatry"),
     (0, "id"),
     '_library/handbooks.yaml:1:7: error P105: malformed id "Psychiatry" ([0].id)'),
    ("ketamine-trd/approvals.yaml", LEDGER.replace("version: '1.0'", "version: 1.0"),
     (0, "version"),
     "ketamine-trd/approvals.yaml:1:12: error P104: expected a quoted version string, got number 1.0 ([0].version)"),
    ("ketamine-trd/approvals.yaml", LEDGER.replace("date: 2026-01-05", "date: '20260105'"),
     (0, "date"),
     'ketamine-trd/approvals.yaml:4:9: error P104: expected a date YYYY-MM-DD, got text "20260105" ([0].date)'),
]


@pytest.mark.parametrize(("file", "text", "path", "diagnostic"), BAD_VALUES, ids=[case[3] for case in BAD_VALUES])
def test_bad_value_is_refused_by_the_schema_and_by_check(
    tmp_path: Path, file: str, text: str, path: tuple[Any, ...], diagnostic: str
) -> None:
    kind = kind_of(Path(file))
    assert path in refused_paths(kind, text)
    library = write_library(tmp_path, {file: text})
    prefix = str(library) + "/"
    assert diagnostic in [line.removeprefix(prefix) for line in check_lines(library)]


def test_the_unchanged_minimal_library_passes_both() -> None:
    """The bad values above differ from these by one edit: the refusals are theirs."""
    for kind, text in [("version", VERSION), ("references", REFERENCES), ("drugs", DRUGS), ("policy", POLICY),
                       ("handbooks", HANDBOOKS), ("approvals", LEDGER)]:
        assert refused_paths(kind, text) == set(), kind


# --- each pattern against the validator it stands for -----------------------------------------------------

QUANTITIES = [
    "0.5 mg/kg", "40 min", "10 mg/mL", "0 mg", "1 units/kg/h", "2 weeks", "3 days", "12 months", "70 kg",
    "1.25 mcg/min",
    "5.0 mg", ".5 mg", "05 mg", "0.50 mg", "5. mg", "-1 mg", "+1 mg", "1e3 mg", "3,000 mg", "0.5  mg", "0.5mg",
    " 0.5 mg", "0.5 mg ", "0.5 mg\n", "0.5 ug", "0.5 µg", "2 cc", "2 ml", "5 U", "5 IU", "5 unit", "2 hours", "2 hr",
    "5 mg/lb", "5 MG", "5 mcg/kg/day", "1 ２ mg", "١ mg", "5 mg/", "mg", "5",
]
FREQUENCIES = [
    "3 per week", "1 per day", "2 per month", "every 2 weeks", "every 1 week", "every 6 h", "every 3 days",
    "every 1 month", "every 2 months", "TIW", "tiw", "BIW", "qd", "qod", "q6h", "daily", "3 per weeks", "0 per day",
    "03 per week", "every 0 days", "every 2 hours", "every 2 hrs", "3 per fortnight", "3  per week", "3 per week ",
    "every 2 weeks\n", "３ per week", "every 2 Weeks",
]
DATES = [
    "2026-02-11", "1900-01-01", "2199-12-31", "2024-02-29", "20260211", "2026-2-11", "2026-02-11T00:00",
    "1899-12-31", "2200-01-01", "2026-13-01", "2026-00-10", "2026-01-00", "2026-01-32", "2026-02-11\n", "２026-02-11",
]
ROUTES = ["IV", "IM", "PO", "SUBCUT", "intranasal", "SC", "SQ", "sc", "s.c."]


def accepted_by(annotation: Any, value: str) -> bool:
    from pydantic import TypeAdapter, ValidationError

    try:
        TypeAdapter(annotation).validate_python(value)
    except ValidationError:
        return False
    return True


@pytest.mark.parametrize(
    ("pattern", "annotation", "values"),
    [(QUANTITY_PATTERN, QuantityField, QUANTITIES), (FREQUENCY_PATTERN, FrequencyField, FREQUENCIES),
     (DATE_PATTERN, Date, DATES)],
    ids=["quantity", "frequency", "date"],
)
def test_pattern_accepts_exactly_what_the_validator_accepts(pattern: str, annotation: Any, values: list[str]) -> None:
    # jsonschema applies a pattern with re.search, as an editor applies it with RegExp.test
    disagreements = [value for value in values if bool(re.search(pattern, value)) != accepted_by(annotation, value)]
    assert disagreements == []
    assert any(re.search(pattern, value) for value in values) and not all(re.search(pattern, value) for value in values)


def test_route_pattern_refuses_the_routes_check_refuses(tmp_path: Path) -> None:
    for route in ROUTES:
        regimen = {"id": "r", "drug": "d", "route": route, "dose": "1 mg"}
        Regimen.model_validate(regimen)  # the model takes any text: P209 is the check's, below
        library = write_library(tmp_path / route.replace(".", "_"),
                                {V: VERSION.replace("    route: IV", f"    route: {route}")})
        refused_by_check = any(" P209: " in line for line in check_lines(library))
        assert (re.search(ROUTE_PATTERN, route) is None) == refused_by_check, route
