"""Dosing consistency rules P201, P203, P204, P205, P206, P207, P210 and P212, through `protocols check`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from helpers import DRUGS, VERSION, check_lines, run, write_library

from generator.checks import CheckContext
from generator.checks.dose_rules import check as dosing_check
from generator.load.library import load_library

DOSING_CODES = ("P201", "P203", "P204", "P205", "P206", "P207", "P210", "P212")
FILE = "ketamine-trd/1.0.yaml"

# The minimal version with a fixed-dose regimen (as esketamine) and no dose table.
FIXED = (
    VERSION.replace("    dose: 0.5 mg/kg\n", "    dose: 56 mg\n")
    .replace("{min: 0.1 mg/kg, max: 0.75 mg/kg}", "{min: 56 mg, max: 84 mg}")
    .replace("dose_tables:\n  - regimen: ketamine-iv\n    weights: {from: 40 kg, to: 120 kg, step: 5 kg}\n", "")
)


def edited(*replacements: tuple[str, str], base: str = VERSION) -> str:
    text = base
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


def dosing_lines(tmp_path: Path, version_text: str, drugs: str = DRUGS) -> list[str]:
    """The dosing diagnostics of `protocols check`, paths relative to the protocols folder."""
    library = write_library(tmp_path, {FILE: version_text, "_library/drugs.yaml": drugs})
    prefix = f"{library}/"
    lines = [line.removeprefix(prefix) for line in check_lines(library)]
    return [line for line in lines if any(f" {code}: " in line for code in DOSING_CODES)]


def hints(tmp_path: Path, version_text: str, drugs: str = DRUGS) -> list[str]:
    library = write_library(tmp_path, {FILE: version_text, "_library/drugs.yaml": drugs})
    _, out, _ = run("check", "--as-of", "2026-06-01", str(library))
    return [line.strip() for line in out.splitlines() if line.startswith("    ")]


def test_the_minimal_library_and_its_fixed_variant_pass(tmp_path: Path) -> None:
    assert dosing_lines(tmp_path / "weight", VERSION) == []
    assert dosing_lines(tmp_path / "fixed", FIXED) == []


def test_the_sample_library_passes_every_dosing_rule() -> None:
    library = load_library(Path(__file__).parent.parent / "protocols")
    assert list(dosing_check(library, CheckContext(as_of=dt.date(2026, 6, 1)))) == []


# --- P201 -------------------------------------------------------------------------------------------


def test_p201_dose_outside_dose_range(tmp_path: Path) -> None:
    text = edited(("    dose: 0.5 mg/kg", "    dose: 0.9 mg/kg"))
    assert dosing_lines(tmp_path, text) == [
        f"{FILE}:13:11: error P201: dose 0.9 mg/kg lies outside dose_range 0.1 to 0.75 mg/kg (regimens[0].dose)"
    ]
    assert "change the dose or the range so that the range contains it" in hints(tmp_path, text)


def test_p201_option_outside_dose_range(tmp_path: Path) -> None:
    text = edited(("    duration: 40 min", "    options: [0.5 mg/kg, 1 mg/kg]\n    duration: 40 min"))
    assert dosing_lines(tmp_path, text) == [
        f"{FILE}:15:26: error P201: option 1 mg/kg lies outside dose_range 0.1 to 0.75 mg/kg (regimens[0].options[1])"
    ]


def test_p201_min_above_max_is_reported_alone(tmp_path: Path) -> None:
    text = edited(("{min: 0.1 mg/kg,", "{min: 0.8 mg/kg,"))
    assert dosing_lines(tmp_path, text) == [
        f"{FILE}:14:23: error P201: dose_range min 0.8 mg/kg is above dose_range max 0.75 mg/kg"
        " (regimens[0].dose_range.min)"
    ]


def test_p201_compares_exactly_across_units(tmp_path: Path) -> None:
    inside = edited(("    dose: 0.5 mg/kg", "    dose: 750 mcg/kg"), ("{min: 0.1 mg/kg,", "{min: 100 mcg/kg,"))
    assert dosing_lines(tmp_path / "inside", inside) == []
    outside = edited(("    dose: 0.5 mg/kg", "    dose: 751 mcg/kg"), ("{min: 0.1 mg/kg,", "{min: 100 mcg/kg,"))
    assert dosing_lines(tmp_path / "outside", outside) == [
        f"{FILE}:13:11: error P201: dose 751 mcg/kg lies outside dose_range 100 mcg/kg to 0.75 mg/kg"
        " (regimens[0].dose)"
    ]


# --- P203 -------------------------------------------------------------------------------------------


def test_p203_max_dose_caps_every_row(tmp_path: Path) -> None:
    text = edited(("    duration: 40 min", "    max_dose: 15 mg\n    duration: 40 min"))
    assert dosing_lines(tmp_path, text) == [
        f"{FILE}:15:15: error P203: max_dose 15 mg is below the dose at the dose table's lowest weight"
        " (0.5 mg/kg x 40 kg = 20 mg): every row of the dose table would be capped (regimens[0].max_dose)"
    ]
    assert "check max_dose, the dose and their units; or start the dose table at a lower weight" in hints(
        tmp_path, text
    )


def test_p203_max_dose_below_the_whole_dose_range(tmp_path: Path) -> None:
    text = edited(("    duration: 40 min", "    max_dose: 3 mg\n    duration: 40 min"))
    assert dosing_lines(tmp_path, text) == [
        f"{FILE}:15:15: error P203: max_dose 3 mg is below even dose_range min at the dose table's lowest weight"
        " (0.1 mg/kg x 40 kg = 4 mg): every row and the whole dose_range would be capped (regimens[0].max_dose)"
    ]


def test_p203_passes_when_the_lowest_row_reaches_the_cap_exactly(tmp_path: Path) -> None:
    text = edited(("    duration: 40 min", "    max_dose: 20 mg\n    duration: 40 min"))
    assert dosing_lines(tmp_path, text) == []


def test_p203_continuous_rate_against_a_rate_cap(tmp_path: Path) -> None:
    continuous = edited(
        ("    dose: 0.5 mg/kg", "    dose: 0.35 mg/kg/h"),
        ("{min: 0.1 mg/kg, max: 0.75 mg/kg}", "{min: 0.1 mg/kg/h, max: 0.35 mg/kg/h}"),
    )
    capped = edited(("    duration: 40 min", "    max_dose: 12 mg/h\n    duration: 40 min"), base=continuous)
    assert dosing_lines(tmp_path / "capped", capped) == [
        f"{FILE}:15:15: error P203: max_dose 12 mg/h is below the rate at the dose table's lowest weight"
        " (0.35 mg/kg/h x 40 kg = 14 mg/h): every row of the dose table would be capped (regimens[0].max_dose)"
    ]
    fine = edited(("    duration: 40 min", "    max_dose: 25 mg/h\n    duration: 40 min"), base=continuous)
    assert dosing_lines(tmp_path / "fine", fine) == []


def test_p203_fixed_dose_range_above_max_dose(tmp_path: Path) -> None:
    text = edited(("    duration: 40 min", "    max_dose: 60 mg\n    duration: 40 min"), base=FIXED)
    assert dosing_lines(tmp_path, text) == [
        f"{FILE}:14:35: error P203: dose_range max 84 mg is above max_dose 60 mg (regimens[0].dose_range.max)"
    ]
    assert "a fixed dose is given as written and never capped: lower it or raise max_dose" in hints(tmp_path, text)


# --- P204 -------------------------------------------------------------------------------------------

CEILING = DRUGS + "  ceiling: {}\n"


def test_p204_range_end_above_the_ceiling(tmp_path: Path) -> None:
    assert dosing_lines(tmp_path, VERSION, CEILING.format("0.6 mg/kg")) == [
        f"{FILE}:14:39: error P204: dose_range max 0.75 mg/kg is above the ceiling of ketamine, 0.6 mg/kg per"
        " administration (regimens[0].dose_range.max)"
    ]
    assert "lower it to the ceiling or below, or correct the ceiling in _library/drugs.yaml" in hints(
        tmp_path, VERSION, CEILING.format("0.6 mg/kg")
    )


def test_p204_compares_in_a_common_unit(tmp_path: Path) -> None:
    assert dosing_lines(tmp_path, VERSION, CEILING.format("750 mcg/kg")) == []


def test_p204_mass_ceiling_applies_to_max_dose_not_to_a_per_kg_dose(tmp_path: Path) -> None:
    text = edited(("    duration: 40 min", "    max_dose: 70 mg\n    duration: 40 min"))
    assert dosing_lines(tmp_path / "above", text, CEILING.format("60 mg")) == [
        f"{FILE}:15:15: error P204: max_dose 70 mg is above the ceiling of ketamine, 60 mg per administration"
        " (regimens[0].max_dose)"
    ]
    assert dosing_lines(tmp_path / "below", text, CEILING.format("0.07 g")) == []


def test_p204_fixed_dose_and_options(tmp_path: Path) -> None:
    text = edited(("    duration: 40 min", "    options: [56 mg, 84 mg]\n    duration: 40 min"), base=FIXED)
    assert dosing_lines(tmp_path, text, CEILING.format("56 mg")) == [
        f"{FILE}:14:35: error P204: dose_range max 84 mg is above the ceiling of ketamine, 56 mg per administration"
        " (regimens[0].dose_range.max)",
        f"{FILE}:15:22: error P204: option 84 mg is above the ceiling of ketamine, 56 mg per administration"
        " (regimens[0].options[1])",
    ]


# --- P205 -------------------------------------------------------------------------------------------


def test_p205_doses_differ_from_frequency_times_length(tmp_path: Path) -> None:
    text = edited(("    doses: 6", "    doses: 5"))
    assert dosing_lines(tmp_path, text) == [
        f"{FILE}:23:12: error P205: doses 5 differs from frequency x length: 3 times per week for 2 weeks is 6 doses"
        " (phases[0].doses)"
    ]


def test_p205_a_fractional_count_never_matches(tmp_path: Path) -> None:
    text = edited(("    length: 2 weeks", "    length: 10 days"))
    assert dosing_lines(tmp_path, text) == [
        f"{FILE}:23:12: error P205: doses 6 differs from frequency x length: 3 times per week for 10 days is 30/7"
        " doses (phases[0].doses)"
    ]


def test_p205_doses_without_length(tmp_path: Path) -> None:
    text = edited(("    length: 2 weeks\n", ""))
    assert dosing_lines(tmp_path, text) == [
        f"{FILE}:22:12: error P205: doses 6 is stated but the phase has no length to check it against"
        " (phases[0].doses)"
    ]
    assert "add the length that gives 6 doses at 3 times per week, or remove doses" in hints(tmp_path, text)


@pytest.mark.parametrize(
    ("frequency", "length", "doses"),
    [("every 2 days", "12 days", "6"), ("1 per month", "3 months", "3"), ("every 12 h", "1 week", "14"),
     ("every 2 weeks", "12 weeks", "6")],
)
def test_p205_passes_when_the_count_agrees(tmp_path: Path, frequency: str, length: str, doses: str) -> None:
    text = edited(("3 per week", frequency), ("length: 2 weeks", f"length: {length}"), ("doses: 6", f"doses: {doses}"))
    assert dosing_lines(tmp_path, text) == []


# --- P206 -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("    dose: 0.5 mg/kg", "    dose: 10 mL",
         "13:11: error P206: dose 10 mL (volume) is not a dose (regimens[0].dose)"),
        ("{min: 0.1 mg/kg,", "{min: 7 mg,", "14:23: error P206: dose_range min 7 mg (mass) does not have the dimension"
         " of dose 0.5 mg/kg (mass/kg) (regimens[0].dose_range.min)"),
        ("    duration: 40 min", "    options: [0.5 mg/kg, 35 mg]\n    duration: 40 min", "15:26: error P206: option"
         " 35 mg (mass) does not have the dimension of dose 0.5 mg/kg (mass/kg) (regimens[0].options[1])"),
        ("    duration: 40 min", "    max_dose: 1 mg/kg\n    duration: 40 min", "15:15: error P206: max_dose 1 mg/kg"
         " (mass/kg) does not have the dimension of the computed dose in mg (mass) (regimens[0].max_dose)"),
        ("    duration: 40 min", "    duration: 40 mg", "15:15: error P206: duration 40 mg (mass) is not a time"
         " (regimens[0].duration)"),
        ("    duration: 40 min", "    concentration: 10 units/mL", "15:20: error P206: concentration 10 units/mL"
         " (units/volume) does not combine with dose 0.5 mg/kg (regimens[0].concentration)"),
        ("    duration: 40 min", "    unit_dose: 1 mL", "15:16: error P206: unit_dose 1 mL (volume) is not a mass"
         " (mcg, mg, g) like dose 0.5 mg/kg (regimens[0].unit_dose)"),
        ("    duration: 40 min", "    rounding: 0.1 mL", "15:15: error P206: rounding 0.1 mL (volume) is not of the"
         " dimension of the computed dose in mg (mass) (regimens[0].rounding)"),
        ("    length: 2 weeks", "    length: 2 mg", "22:13: error P206: length 2 mg (mass) is not a time"
         " (phases[0].length)"),
        ("    frequency: 3 per week\n    length: 2 weeks", "    frequency: 1 per month\n    length: 12 weeks",
         '22:13: error P206: frequency "1 per month" and length 12 weeks mix months with other time units'
         " (phases[0].length)"),
        ("{from: 40 kg,", "{from: 40 mg,", "26:21: error P206: dose table weight from 40 mg is not in kg"
         " (dose_tables[0].weights.from)"),
        ("    duration: 40 min", "    rounding: 0 mg", "10:5: error P206: rounding 0 mg must be more than 0"
         " (regimens[0])"),
    ],
)
def test_p206_units_of_different_dimensions(tmp_path: Path, old: str, new: str, expected: str) -> None:
    assert dosing_lines(tmp_path, edited((old, new))) == [f"{FILE}:{expected}"]


def test_p206_a_value_the_engine_cannot_write_exactly(tmp_path: Path) -> None:
    text = edited(
        ("    dose: 0.5 mg/kg", "    dose: 0.5 mcg/kg/min"),
        ("{min: 0.1 mg/kg, max: 0.75 mg/kg}", "{min: 0.1 mcg/kg/min, max: 0.75 mcg/kg/min}"),
        ("    duration: 40 min", "    max_dose: 1 mg/h\n    duration: 40 min"),
    )
    assert dosing_lines(tmp_path, text) == [
        f"{FILE}:15:15: error P206: max_dose 1 mg/h cannot be written exactly in mcg/min, the unit of the computed"
        " rate (regimens[0].max_dose)"
    ]
    assert "write max_dose in mcg/min" in hints(tmp_path, text)


def test_p206_passes_for_compatible_units(tmp_path: Path) -> None:
    text = edited(
        ("{min: 0.1 mg/kg, max: 0.75 mg/kg}", "{min: 100 mcg/kg, max: 0.75 mg/kg}"),
        ("    duration: 40 min", "    max_dose: 0.06 g\n    duration: 1 h\n    concentration: 10000 mcg/mL\n"
         "    rounding: 500 mcg"),
        ("    frequency: 3 per week\n    length: 2 weeks\n    doses: 6",
         "    frequency: every 7 days\n    length: 1 month"),
    )
    assert dosing_lines(tmp_path, text) == [
        f"{FILE}:25:13: error P206: frequency \"every 7 days\" and length 1 month mix months with other time units"
        " (phases[0].length)"
    ]
    assert dosing_lines(tmp_path / "weeks", text.replace("length: 1 month", "length: 4 weeks")) == []


def test_p206_stops_other_rules_on_the_same_regimen(tmp_path: Path) -> None:
    text = edited(
        ("    dose: 0.5 mg/kg", "    dose: 0.9 mg/kg"),
        ("{min: 0.1 mg/kg,", "{min: 7 mg,"),
        ("    duration: 40 min", "    max_dose: 15 mg/kg\n    duration: 40 min"),
    )
    lines = dosing_lines(tmp_path, text)
    assert [line.split(": ")[1] for line in lines] == ["error P206", "error P206"]


# --- P207 -------------------------------------------------------------------------------------------


def test_p207_option_not_a_whole_multiple_of_unit_dose(tmp_path: Path) -> None:
    text = edited(("    duration: 40 min", "    options: [56 mg, 70 mg]\n    unit_dose: 28 mg"), base=FIXED)
    assert dosing_lines(tmp_path, text) == [
        f"{FILE}:15:22: error P207: option 70 mg is not a whole multiple of unit_dose 28 mg (regimens[0].options[1])"
    ]
    assert "each dose is made of whole devices: use 56 mg or 84 mg, or correct unit_dose" in hints(tmp_path, text)


def test_p207_dose_below_one_device(tmp_path: Path) -> None:
    text = edited(("    dose: 56 mg", "    dose: 14 mg"), ("{min: 56 mg,", "{min: 14 mg,"),
                  ("    duration: 40 min", "    unit_dose: 28 mg"), base=FIXED)
    assert dosing_lines(tmp_path, text) == [
        f"{FILE}:13:11: error P207: dose 14 mg is not a whole multiple of unit_dose 28 mg (regimens[0].dose)"
    ]
    assert "each dose is made of whole devices: use 28 mg, or correct unit_dose" in hints(tmp_path, text)


def test_p207_passes_for_whole_multiples_in_any_mass_unit(tmp_path: Path) -> None:
    text = edited(("    duration: 40 min", "    options: [56 mg, 84 mg]\n    unit_dose: 28000 mcg"), base=FIXED)
    assert dosing_lines(tmp_path, text) == []


# --- P210 -------------------------------------------------------------------------------------------

TABLE = "    weights: {from: 40 kg, to: 120 kg, step: 5 kg}"


@pytest.mark.parametrize(
    ("weights", "expected"),
    [
        ("{from: 120 kg, to: 40 kg, step: 5 kg}", "26:21: error P210: dose table from 120 kg to 40 kg in steps of"
         " 5 kg is empty: from must be below to (dose_tables[0].weights.from)"),
        ("{from: 40 kg, to: 40 kg, step: 5 kg}", "26:21: error P210: dose table from 40 kg to 40 kg in steps of"
         " 5 kg is empty: from must be below to (dose_tables[0].weights.from)"),
        ("{from: 40 kg, to: 120 kg, step: 0 kg}", "26:46: error P210: dose table step 0 kg must be more than 0 kg"
         " (dose_tables[0].weights.step)"),
        ("{from: 40 kg, to: 240 kg, step: 1 kg}", "26:46: error P210: dose table from 40 kg to 240 kg in steps of"
         " 1 kg has 201 rows, more than 200 (dose_tables[0].weights.step)"),
        ("{from: 40 kg, to: 600 kg, step: 5 kg}", "26:32: error P210: dose table weight to 600 kg is not a weight the"
         " calculator shows as is: weights are more than 0 and at most 500 kg, in steps of 0.1 kg"
         " (dose_tables[0].weights.to)"),
        ("{from: 40 kg, to: 45 kg, step: 0.05 kg}", "26:45: error P210: dose table weight step 0.05 kg is not a"
         " weight the calculator shows as is: weights are more than 0 and at most 500 kg, in steps of 0.1 kg"
         " (dose_tables[0].weights.step)"),
    ],
)
def test_p210_tables_that_are_empty_too_long_or_unshowable(tmp_path: Path, weights: str, expected: str) -> None:
    assert dosing_lines(tmp_path, edited((TABLE, f"    weights: {weights}"))) == [f"{FILE}:{expected}"]


def test_p210_passes_at_exactly_200_rows(tmp_path: Path) -> None:
    assert dosing_lines(tmp_path, edited((TABLE, "    weights: {from: 40 kg, to: 239 kg, step: 1 kg}"))) == []


def test_p210_table_for_a_fixed_dose(tmp_path: Path) -> None:
    text = FIXED + "dose_tables:\n  - regimen: ketamine-iv\n" + TABLE + "\n"
    lines = dosing_lines(tmp_path, text)
    assert lines == [
        f"{FILE}:31:14: error P210: regimen ketamine-iv has a fixed dose of 56 mg: only weight-based regimens take"
        " a dose table (dose_tables[0].regimen)"
    ]


# --- P212 -------------------------------------------------------------------------------------------

NO_RANGE = ("    dose_range: {min: 0.1 mg/kg, max: 0.75 mg/kg}\n", "")


def test_p212_a_step_that_rounds_every_dose_to_zero(tmp_path: Path) -> None:
    text = edited(NO_RANGE, ("    duration: 40 min", "    duration: 40 min\n    rounding: 1000 mg"))
    assert dosing_lines(tmp_path, text) == [
        f"{FILE}:26:14: error P212: regimen ketamine-iv has no dose at 40 kg in its dose table: 20 mg rounds to 0 mg "
        "at the rounding step of 1000 mg (17 of the table's 17 rows have no dose) (dose_tables[0].weights)"
    ]
    assert ("the rounding step of 1000 mg is too coarse for this regimen: set a finer `rounding`, so that every "
            "weight of the table has a dose") in hints(tmp_path, text)


def test_p212_a_step_with_no_multiple_inside_the_range(tmp_path: Path) -> None:
    text = edited(("    duration: 40 min", "    duration: 40 min\n    rounding: 1000 mg"))
    assert dosing_lines(tmp_path, text) == [
        f"{FILE}:27:14: error P212: regimen ketamine-iv has no dose at 40 kg in its dose table: no multiple of the "
        "rounding step of 1000 mg lies in the range 4 to 30 mg (17 of the table's 17 rows have no dose) "
        "(dose_tables[0].weights)"
    ]


def test_p212_names_the_first_row_without_a_dose_in_the_middle_of_a_table(tmp_path: Path) -> None:
    # 0.45 to 0.5 mg/kg in steps of 5 mg: 40 kg has 20 mg (18 to 20 mg), 45 kg has none (20.25 to 22.5 mg)
    text = edited(("{min: 0.1 mg/kg, max: 0.75 mg/kg}", "{min: 0.45 mg/kg, max: 0.5 mg/kg}"),
                  ("    duration: 40 min", "    duration: 40 min\n    rounding: 5 mg"))
    assert dosing_lines(tmp_path, text) == [
        f"{FILE}:27:14: error P212: regimen ketamine-iv has no dose at 45 kg in its dose table: no multiple of the "
        "rounding step of 5 mg lies in the range 20.25 to 22.5 mg (1 of the table's 17 rows has no dose) "
        "(dose_tables[0].weights)"
    ]


def test_p212_with_the_default_step_says_so(tmp_path: Path) -> None:
    text = edited(("    dose: 0.5 mg/kg", "    dose: 0.001 mg/kg"),
                  ("{min: 0.1 mg/kg, max: 0.75 mg/kg}", "{min: 0.001 mg/kg, max: 0.002 mg/kg}"))
    assert dosing_lines(tmp_path, text) == [
        f"{FILE}:26:14: error P212: regimen ketamine-iv has no dose at 40 kg in its dose table: no multiple of the "
        "rounding step of 0.1 mg lies in the range 0.04 to 0.08 mg (2 of the table's 17 rows have no dose) "
        "(dose_tables[0].weights)"
    ]
    assert any(hint.startswith("the rounding step of 0.1 mg (the default) is too coarse")
               for hint in hints(tmp_path, text))


def test_p212_passes_a_coarse_step_that_leaves_every_row_a_dose(tmp_path: Path) -> None:
    # the 7 mg on 0.1 to 0.75 mg/kg: every row from 40 to 120 kg has a multiple of 7 mg in its range
    text = edited(("    duration: 40 min", "    duration: 40 min\n    rounding: 7 mg"))
    assert dosing_lines(tmp_path, text) == []


def test_p212_is_not_reported_for_a_regimen_without_a_table(tmp_path: Path) -> None:
    text = edited(NO_RANGE, ("    duration: 40 min", "    duration: 40 min\n    rounding: 1000 mg"),
                  ("dose_tables:\n  - regimen: ketamine-iv\n    weights: {from: 40 kg, to: 120 kg, step: 5 kg}\n", ""))
    assert dosing_lines(tmp_path, text) == []
