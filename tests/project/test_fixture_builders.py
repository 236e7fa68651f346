"""helpers.version_yaml, the one builder of the tests' version files: the minimal file exactly as written by
hand before, keys in the schema's order whatever order they are given in, and files that load clean."""

from __future__ import annotations

from pathlib import Path

from helpers import INDUCTION, KETAMINE_IV, VERSION, version_yaml, with_fields, write_library

from generator.load.library import load_library

MINIMAL = """\
id: ketamine-trd
version: "1.0"
title: IV ketamine for treatment-resistant depression
status: draft
owner: Department of Psychiatry
summary: |
  Give {{ ketamine-iv.dose }} {{ ketamine-iv.route }} over {{ ketamine-iv.duration }} [@phillips-2019].
changes: []
regimens:
  - id: ketamine-iv
    drug: ketamine
    route: IV
    dose: 0.5 mg/kg
    dose_range: {min: 0.1 mg/kg, max: 0.75 mg/kg}
    duration: 40 min
    cite: [phillips-2019]
phases:
  - id: induction
    name: Induction
    regimen: ketamine-iv
    frequency: 3 per week
    length: 2 weeks
    doses: 6
dose_tables:
  - regimen: ketamine-iv
    weights: {from: 40 kg, to: 120 kg, step: 5 kg}
sections:
  - id: safety
    title: Safety
    body: Monitor blood pressure.
algorithm:
  - Screen for contraindications ([[#safety]]).
"""


def test_the_minimal_version_is_the_file_as_written_by_hand() -> None:
    assert version_yaml() == VERSION == MINIMAL


def test_fields_are_replaced_added_and_left_out_in_the_schemas_order() -> None:
    text = version_yaml(
        algorithm=None, dose_tables=None, phases=None, summary=None, owner=None, changes=["One.", "Two."],
        effective="2026-02-11", status="approved",
        regimens=[with_fields(KETAMINE_IV, cite=None, notes="First line.\n\nThird line.\n", max_dose="3 g")],
        sections=[{"body": "A body.", "title": "Safety", "id": "safety"}],
    )
    assert text == (
        'id: ketamine-trd\nversion: "1.0"\ntitle: IV ketamine for treatment-resistant depression\n'
        "status: approved\neffective: 2026-02-11\nchanges:\n  - One.\n  - Two.\n"
        "regimens:\n  - id: ketamine-iv\n    drug: ketamine\n    route: IV\n    dose: 0.5 mg/kg\n"
        "    dose_range: {min: 0.1 mg/kg, max: 0.75 mg/kg}\n    max_dose: 3 g\n    duration: 40 min\n"
        "    notes: |\n      First line.\n\n      Third line.\n"
        "sections:\n  - id: safety\n    title: Safety\n    body: A body.\n"
    )


def test_a_built_version_loads_clean(tmp_path: Path) -> None:
    text = version_yaml(version='"1.1"', phases=[with_fields(INDUCTION, notes="Watch.")], unknown_key="kept")
    assert text.endswith("unknown_key: kept\n")  # a key the schema does not know comes last, as given
    library = load_library(write_library(tmp_path, {"ketamine-trd/1.1.yaml": text.replace("unknown_key: kept\n", "")}),
                           "protocols")
    assert library.diagnostics == []
    assert library.protocols["ketamine-trd"].versions["1.1"].doc.phases[0].notes == "Watch."
