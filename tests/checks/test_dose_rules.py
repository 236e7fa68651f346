"""Dosing consistency rules P201, P203, P204, P205, P206, P207, P210 and P212, through `protocols check`.

The cases are a table (DosingCase): the minimal version (or its fixed-dose variant) with edits, the
formulary, and every dosing diagnostic expected at its exact file:line:col (none for a passing case),
with a hint that must be among the printed hints where one is named.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
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
CEILING = DRUGS + "  ceiling: {}\n"
TABLE = "    weights: {from: 40 kg, to: 120 kg, step: 5 kg}"
NO_RANGE = ("    dose_range: {min: 0.1 mg/kg, max: 0.75 mg/kg}\n", "")
NO_TABLE = ("dose_tables:\n  - regimen: ketamine-iv\n    weights: {from: 40 kg, to: 120 kg, step: 5 kg}\n", "")
CONTINUOUS = (
    ("    dose: 0.5 mg/kg", "    dose: 0.35 mg/kg/h"),
    ("{min: 0.1 mg/kg, max: 0.75 mg/kg}", "{min: 0.1 mg/kg/h, max: 0.35 mg/kg/h}"),
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


@dataclass(frozen=True)
class DosingCase:
    id: str
    edits: tuple[tuple[str, str], ...]  # (old, new), each applied once to `base`
    expected: tuple[str, ...] = ()  # "line:col: error Pxxx: message (path)" in FILE; () = no dosing diagnostic
    base: str = VERSION
    drugs: str = DRUGS
    hint: str = ""  # a hint that must be printed, or "" (also matched as a start when it ends with "...")
    text: str | None = None  # the whole version text instead of base + edits

    def version(self) -> str:
        return self.text if self.text is not None else edited(*self.edits, base=self.base)


def case(id: str, *edits: tuple[str, str], expected: tuple[str, ...] | str = (), **fields: object) -> DosingCase:
    return DosingCase(id, edits, (expected,) if isinstance(expected, str) else expected, **fields)  # type: ignore[arg-type]


def cap(value: str) -> tuple[str, str]:
    return ("    duration: 40 min", f"    max_dose: {value}\n    duration: 40 min")


def rounding(value: str) -> tuple[str, str]:
    return ("    duration: 40 min", f"    duration: 40 min\n    rounding: {value}")


def weights(value: str) -> tuple[str, str]:
    return (TABLE, f"    weights: {value}")


CASES: tuple[DosingCase, ...] = (
    case("minimal-library"),
    case("fixed-dose-variant", base=FIXED),
    # --- P201 ---------------------------------------------------------------------------------------
    case("p201-dose-outside-dose-range", ("    dose: 0.5 mg/kg", "    dose: 0.9 mg/kg"),
         expected="13:11: error P201: dose 0.9 mg/kg lies outside dose_range 0.1 to 0.75 mg/kg (regimens[0].dose)",
         hint="change the dose or the range so that the range contains it"),
    case("p201-option-outside-dose-range",
         ("    duration: 40 min", "    options: [0.5 mg/kg, 1 mg/kg]\n    duration: 40 min"),
         expected="15:26: error P201: option 1 mg/kg lies outside dose_range 0.1 to 0.75 mg/kg"
                  " (regimens[0].options[1])"),
    case("p201-min-above-max-is-reported-alone", ("{min: 0.1 mg/kg,", "{min: 0.8 mg/kg,"),
         expected="14:23: error P201: dose_range min 0.8 mg/kg is above dose_range max 0.75 mg/kg"
                  " (regimens[0].dose_range.min)"),
    case("p201-compares-exactly-across-units-inside",
         ("    dose: 0.5 mg/kg", "    dose: 750 mcg/kg"), ("{min: 0.1 mg/kg,", "{min: 100 mcg/kg,")),
    case("p201-compares-exactly-across-units-outside",
         ("    dose: 0.5 mg/kg", "    dose: 751 mcg/kg"), ("{min: 0.1 mg/kg,", "{min: 100 mcg/kg,"),
         expected="13:11: error P201: dose 751 mcg/kg lies outside dose_range 100 mcg/kg to 0.75 mg/kg"
                  " (regimens[0].dose)"),
    # --- P203 ---------------------------------------------------------------------------------------
    case("p203-max-dose-caps-every-row", cap("15 mg"),
         expected="15:15: error P203: max_dose 15 mg is below the dose at the dose table's lowest weight"
                  " (0.5 mg/kg x 40 kg = 20 mg): every row of the dose table would be capped (regimens[0].max_dose)",
         hint="check max_dose, the dose and their units; or start the dose table at a lower weight"),
    case("p203-max-dose-below-the-whole-dose-range", cap("3 mg"),
         expected="15:15: error P203: max_dose 3 mg is below even dose_range min at the dose table's lowest weight"
                  " (0.1 mg/kg x 40 kg = 4 mg): every row and the whole dose_range would be capped"
                  " (regimens[0].max_dose)"),
    case("p203-passes-when-the-lowest-row-reaches-the-cap-exactly", cap("20 mg")),
    case("p203-continuous-rate-against-a-rate-cap", *CONTINUOUS, cap("12 mg/h"),
         expected="15:15: error P203: max_dose 12 mg/h is below the rate at the dose table's lowest weight"
                  " (0.35 mg/kg/h x 40 kg = 14 mg/h): every row of the dose table would be capped"
                  " (regimens[0].max_dose)"),
    case("p203-continuous-rate-under-a-higher-cap", *CONTINUOUS, cap("25 mg/h")),
    case("p203-fixed-dose-range-above-max-dose", cap("60 mg"), base=FIXED,
         expected="14:35: error P203: dose_range max 84 mg is above max_dose 60 mg (regimens[0].dose_range.max)",
         hint="a fixed dose is given as written and never capped: lower it or raise max_dose"),
    # --- P204 ---------------------------------------------------------------------------------------
    case("p204-range-end-above-the-ceiling", drugs=CEILING.format("0.6 mg/kg"),
         expected="14:39: error P204: dose_range max 0.75 mg/kg is above the ceiling of ketamine, 0.6 mg/kg per"
                  " administration (regimens[0].dose_range.max)",
         hint="lower it to the ceiling or below, or correct the ceiling in _library/drugs.yaml"),
    case("p204-compares-in-a-common-unit", drugs=CEILING.format("750 mcg/kg")),
    case("p204-mass-ceiling-applies-to-max-dose-above", cap("70 mg"), drugs=CEILING.format("60 mg"),
         expected="15:15: error P204: max_dose 70 mg is above the ceiling of ketamine, 60 mg per administration"
                  " (regimens[0].max_dose)"),
    case("p204-mass-ceiling-applies-to-max-dose-below", cap("70 mg"), drugs=CEILING.format("0.07 g")),
    case("p204-fixed-dose-and-options", ("    duration: 40 min", "    options: [56 mg, 84 mg]\n    duration: 40 min"),
         base=FIXED, drugs=CEILING.format("56 mg"),
         expected=("14:35: error P204: dose_range max 84 mg is above the ceiling of ketamine, 56 mg per"
                   " administration (regimens[0].dose_range.max)",
                   "15:22: error P204: option 84 mg is above the ceiling of ketamine, 56 mg per administration"
                   " (regimens[0].options[1])")),
    # --- P205 ---------------------------------------------------------------------------------------
    case("p205-doses-differ-from-frequency-times-length", ("    doses: 6", "    doses: 5"),
         expected="23:12: error P205: doses 5 differs from frequency x length: 3 times per week for 2 weeks is 6"
                  " doses (phases[0].doses)"),
    case("p205-a-fractional-count-never-matches", ("    length: 2 weeks", "    length: 10 days"),
         expected="23:12: error P205: doses 6 differs from frequency x length: 3 times per week for 10 days is 30/7"
                  " doses (phases[0].doses)"),
    case("p205-doses-without-length", ("    length: 2 weeks\n", ""),
         expected="22:12: error P205: doses 6 is stated but the phase has no length to check it against"
                  " (phases[0].doses)",
         hint="add the length that gives 6 doses at 3 times per week, or remove doses"),
    *(case(f"p205-passes-when-the-count-agrees-{frequency}-{length}",
           ("3 per week", frequency), ("length: 2 weeks", f"length: {length}"), ("doses: 6", f"doses: {doses}"))
      for frequency, length, doses in (("every 2 days", "12 days", "6"), ("1 per month", "3 months", "3"),
                                       ("every 12 h", "1 week", "14"), ("every 2 weeks", "12 weeks", "6"))),
    # --- P206 ---------------------------------------------------------------------------------------
    case("p206-dose-in-a-volume", ("    dose: 0.5 mg/kg", "    dose: 10 mL"),
         expected="13:11: error P206: dose 10 mL (volume) is not a dose (regimens[0].dose)"),
    case("p206-range-min-in-mass", ("{min: 0.1 mg/kg,", "{min: 7 mg,"),
         expected="14:23: error P206: dose_range min 7 mg (mass) does not have the dimension"
                  " of dose 0.5 mg/kg (mass/kg) (regimens[0].dose_range.min)"),
    case("p206-option-in-mass", ("    duration: 40 min", "    options: [0.5 mg/kg, 35 mg]\n    duration: 40 min"),
         expected="15:26: error P206: option 35 mg (mass) does not have the dimension of dose 0.5 mg/kg (mass/kg)"
                  " (regimens[0].options[1])"),
    case("p206-max-dose-per-kg", cap("1 mg/kg"),
         expected="15:15: error P206: max_dose 1 mg/kg (mass/kg) does not have the dimension of the computed dose in"
                  " mg (mass) (regimens[0].max_dose)"),
    case("p206-duration-in-mass", ("    duration: 40 min", "    duration: 40 mg"),
         expected="15:15: error P206: duration 40 mg (mass) is not a time (regimens[0].duration)"),
    case("p206-concentration-in-units", ("    duration: 40 min", "    concentration: 10 units/mL"),
         expected="15:20: error P206: concentration 10 units/mL (units/volume) does not combine with dose 0.5 mg/kg"
                  " (regimens[0].concentration)"),
    case("p206-unit-dose-in-a-volume", ("    duration: 40 min", "    unit_dose: 1 mL"),
         expected="15:16: error P206: unit_dose 1 mL (volume) is not a mass (mcg, mg, g) like dose 0.5 mg/kg"
                  " (regimens[0].unit_dose)"),
    case("p206-rounding-in-a-volume", ("    duration: 40 min", "    rounding: 0.1 mL"),
         expected="15:15: error P206: rounding 0.1 mL (volume) is not of the dimension of the computed dose in mg"
                  " (mass) (regimens[0].rounding)"),
    case("p206-length-in-mass", ("    length: 2 weeks", "    length: 2 mg"),
         expected="22:13: error P206: length 2 mg (mass) is not a time (phases[0].length)"),
    case("p206-months-mixed-with-weeks",
         ("    frequency: 3 per week\n    length: 2 weeks", "    frequency: 1 per month\n    length: 12 weeks"),
         expected='22:13: error P206: frequency "1 per month" and length 12 weeks mix months with other time units'
                  " (phases[0].length)"),
    case("p206-table-weight-in-mass", ("{from: 40 kg,", "{from: 40 mg,"),
         expected="26:21: error P206: dose table weight from 40 mg is not in kg (dose_tables[0].weights.from)"),
    case("p206-rounding-of-zero", ("    duration: 40 min", "    rounding: 0 mg"),
         expected="10:5: error P206: rounding 0 mg must be more than 0 (regimens[0])"),
    case("p206-a-value-the-engine-cannot-write-exactly",
         ("    dose: 0.5 mg/kg", "    dose: 0.5 mcg/kg/min"),
         ("{min: 0.1 mg/kg, max: 0.75 mg/kg}", "{min: 0.1 mcg/kg/min, max: 0.75 mcg/kg/min}"), cap("1 mg/h"),
         expected="15:15: error P206: max_dose 1 mg/h cannot be written exactly in mcg/min, the unit of the computed"
                  " rate (regimens[0].max_dose)",
         hint="write max_dose in mcg/min"),
    *(case(f"p206-compatible-units-over-{length}",
           ("{min: 0.1 mg/kg, max: 0.75 mg/kg}", "{min: 100 mcg/kg, max: 0.75 mg/kg}"),
           ("    duration: 40 min", "    max_dose: 0.06 g\n    duration: 1 h\n    concentration: 10000 mcg/mL\n"
            "    rounding: 500 mcg"),
           ("    frequency: 3 per week\n    length: 2 weeks\n    doses: 6",
            f"    frequency: every 7 days\n    length: {length}"),
           expected=expected)
      for length, expected in (("1 month", ('25:13: error P206: frequency "every 7 days" and length 1 month mix'
                                            " months with other time units (phases[0].length)",)),
                               ("4 weeks", ()))),
    # --- P207 ---------------------------------------------------------------------------------------
    case("p207-option-not-a-whole-multiple-of-unit-dose",
         ("    duration: 40 min", "    options: [56 mg, 70 mg]\n    unit_dose: 28 mg"), base=FIXED,
         expected="15:22: error P207: option 70 mg is not a whole multiple of unit_dose 28 mg (regimens[0].options[1])",
         hint="each dose is made of whole devices: use 56 mg or 84 mg, or correct unit_dose"),
    case("p207-dose-below-one-device", ("    dose: 56 mg", "    dose: 14 mg"), ("{min: 56 mg,", "{min: 14 mg,"),
         ("    duration: 40 min", "    unit_dose: 28 mg"), base=FIXED,
         expected="13:11: error P207: dose 14 mg is not a whole multiple of unit_dose 28 mg (regimens[0].dose)",
         hint="each dose is made of whole devices: use 28 mg, or correct unit_dose"),
    case("p207-passes-for-whole-multiples-in-any-mass-unit",
         ("    duration: 40 min", "    options: [56 mg, 84 mg]\n    unit_dose: 28000 mcg"), base=FIXED),
    # --- P210 ---------------------------------------------------------------------------------------
    case("p210-from-above-to", weights("{from: 120 kg, to: 40 kg, step: 5 kg}"),
         expected="26:21: error P210: dose table from 120 kg to 40 kg in steps of 5 kg is empty: from must be below"
                  " to (dose_tables[0].weights.from)"),
    case("p210-from-equals-to", weights("{from: 40 kg, to: 40 kg, step: 5 kg}"),
         expected="26:21: error P210: dose table from 40 kg to 40 kg in steps of 5 kg is empty: from must be below"
                  " to (dose_tables[0].weights.from)"),
    case("p210-step-of-zero", weights("{from: 40 kg, to: 120 kg, step: 0 kg}"),
         expected="26:46: error P210: dose table step 0 kg must be more than 0 kg (dose_tables[0].weights.step)"),
    case("p210-201-rows", weights("{from: 40 kg, to: 240 kg, step: 1 kg}"),
         expected="26:46: error P210: dose table from 40 kg to 240 kg in steps of 1 kg has 201 rows, more than 200"
                  " (dose_tables[0].weights.step)"),
    case("p210-weight-above-500-kg", weights("{from: 40 kg, to: 600 kg, step: 5 kg}"),
         expected="26:32: error P210: dose table weight to 600 kg is not a weight the calculator shows as is:"
                  " weights are more than 0 and at most 500 kg, in steps of 0.1 kg (dose_tables[0].weights.to)"),
    case("p210-step-finer-than-0.1-kg", weights("{from: 40 kg, to: 45 kg, step: 0.05 kg}"),
         expected="26:45: error P210: dose table weight step 0.05 kg is not a weight the calculator shows as is:"
                  " weights are more than 0 and at most 500 kg, in steps of 0.1 kg (dose_tables[0].weights.step)"),
    case("p210-passes-at-exactly-200-rows", weights("{from: 40 kg, to: 239 kg, step: 1 kg}")),
    case("p210-table-for-a-fixed-dose", text=FIXED + "dose_tables:\n  - regimen: ketamine-iv\n" + TABLE + "\n",
         expected="31:14: error P210: regimen ketamine-iv has a fixed dose of 56 mg: only weight-based regimens take"
                  " a dose table (dose_tables[0].regimen)"),
    # --- P212 ---------------------------------------------------------------------------------------
    case("p212-a-step-that-rounds-every-dose-to-zero", NO_RANGE, rounding("1000 mg"),
         expected="26:14: error P212: regimen ketamine-iv has no dose at 40 kg in its dose table: 20 mg rounds to"
                  " 0 mg at the rounding step of 1000 mg (17 of the table's 17 rows have no dose)"
                  " (dose_tables[0].weights)",
         hint="the rounding step of 1000 mg is too coarse for this regimen: set a finer `rounding`, so that every"
              " weight of the table has a dose"),
    case("p212-a-step-with-no-multiple-inside-the-range", rounding("1000 mg"),
         expected="27:14: error P212: regimen ketamine-iv has no dose at 40 kg in its dose table: no multiple of the"
                  " rounding step of 1000 mg lies in the range 4 to 30 mg (17 of the table's 17 rows have no dose)"
                  " (dose_tables[0].weights)"),
    # 0.45 to 0.5 mg/kg in steps of 5 mg: 40 kg has 20 mg (18 to 20 mg), 45 kg has none (20.25 to 22.5 mg)
    case("p212-names-the-first-row-without-a-dose-in-the-middle-of-a-table",
         ("{min: 0.1 mg/kg, max: 0.75 mg/kg}", "{min: 0.45 mg/kg, max: 0.5 mg/kg}"), rounding("5 mg"),
         expected="27:14: error P212: regimen ketamine-iv has no dose at 45 kg in its dose table: no multiple of the"
                  " rounding step of 5 mg lies in the range 20.25 to 22.5 mg (1 of the table's 17 rows has no dose)"
                  " (dose_tables[0].weights)"),
    case("p212-with-the-default-step-says-so", ("    dose: 0.5 mg/kg", "    dose: 0.001 mg/kg"),
         ("{min: 0.1 mg/kg, max: 0.75 mg/kg}", "{min: 0.001 mg/kg, max: 0.002 mg/kg}"),
         expected="26:14: error P212: regimen ketamine-iv has no dose at 40 kg in its dose table: no multiple of the"
                  " rounding step of 0.1 mg lies in the range 0.04 to 0.08 mg (2 of the table's 17 rows have no"
                  " dose) (dose_tables[0].weights)",
         hint="the rounding step of 0.1 mg (the default) is too coarse..."),
    # the 7 mg on 0.1 to 0.75 mg/kg: every row from 40 to 120 kg has a multiple of 7 mg in its range
    case("p212-passes-a-coarse-step-that-leaves-every-row-a-dose", rounding("7 mg")),
    case("p212-is-not-reported-for-a-regimen-without-a-table", NO_RANGE, rounding("1000 mg"), NO_TABLE),
)


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_dosing_rule_case(case: DosingCase, tmp_path: Path) -> None:
    text = case.version()
    assert dosing_lines(tmp_path, text, case.drugs) == [f"{FILE}:{line}" for line in case.expected]
    if case.hint.endswith("..."):
        assert any(hint.startswith(case.hint.removesuffix("...")) for hint in hints(tmp_path, text, case.drugs))
    elif case.hint:
        assert case.hint in hints(tmp_path, text, case.drugs)


def test_case_ids_are_unique_and_every_dosing_code_is_broken_and_kept() -> None:
    ids = [case.id for case in CASES]
    assert sorted(set(ids)) == sorted(ids)
    broken = {line.split(": ")[1].split()[1] for case in CASES for line in case.expected}
    assert broken == set(DOSING_CODES)
    assert any(not case.expected for case in CASES)


def test_the_sample_library_passes_every_dosing_rule() -> None:
    library = load_library(Path(__file__).resolve().parents[2] / "protocols")
    assert list(dosing_check(library, CheckContext(as_of=dt.date(2026, 6, 1)))) == []


def test_p206_stops_other_rules_on_the_same_regimen(tmp_path: Path) -> None:
    text = edited(
        ("    dose: 0.5 mg/kg", "    dose: 0.9 mg/kg"),
        ("{min: 0.1 mg/kg,", "{min: 7 mg,"),
        ("    duration: 40 min", "    max_dose: 15 mg/kg\n    duration: 40 min"),
    )
    lines = dosing_lines(tmp_path, text)
    assert [line.split(": ")[1] for line in lines] == ["error P206", "error P206"]
