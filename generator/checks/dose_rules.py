"""Dosing consistency of each version (§3.2 to §3.4): P201, P203, P204, P205, P206, P207, P210, P212.

Decisions where the format is silent (documented here and in the report):

- P206 comes first. A regimen with any P206 error gets no P201, P203, P204 or P207 (they would
  compare values of different dimensions), and a phase with one gets no P205.
- A dose whose unit is not an amount, an amount per kg or a rate (e.g. `10 mL`) is P206.
- `options` and both ends of `dose_range` have the dimension of `dose`; `max_dose` and `rounding`
  that of the computed amount (mg/kg -> mg, mg/kg/h -> mg/h; a rate's `rounding` may also be a plain
  mass, as the engine reads `0.1 mg` as 0.1 mg/h); `unit_dose` is an amount of the dose's kind (mass
  or units); `concentration` is that kind per mL. A value of the right dimension that the engine
  cannot write exactly in the unit it computes in (1 mg/h as mcg/min) is P206 too, and so is
  anything else the engine refuses (e.g. `rounding: 0 mg`), reported on the regimen.
- P203: for a weight-based regimen with `max_dose` and a dose table, every row would be capped when
  the amount at the lowest table weight is above `max_dose`; when even `dose_range` min is capped
  there, the message says so (one diagnostic either way). Without a dose table there is no lowest
  weight and nothing is reported. A fixed regimen with `max_dose` (never capped by the engine) gets
  P203 when its dose, an option or `dose_range` max is above `max_dose`.
- P204 compares every value of the ceiling's dimension, exactly (1 mg/kg equals 1000 mcg/kg).
- P205: `doses` without `length` is P205 (a stated total of an open-ended phase cannot be checked).
- P210 also refuses table weights the calculator would refuse or round (at or below 0 kg, above
  500 kg, not a multiple of 0.1 kg), so every row of a table is a weight the calculator shows as is.
- P212: one diagnostic per dose table, at its `weights`, naming the first row without a dose and how
  many rows have none; only for a table without P206/P210 whose regimen has no P206 or P201 error.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from generator.checks import CheckContext
from generator.checks.rounding import rounding_leaves_a_dose
from generator.diagnostics import DataPath, Diagnostic, format_path
from generator.dosing.dose_engine import MAX_TABLE_ROWS, DoseError, calculator_spec, devices_per_dose
from generator.load.library import Library, VersionFile
from generator.model.quantity import (
    Quantity,
    QuantityError,
    compare_quantities,
    format_number,
    format_range,
    fraction_to_decimal,
    to_unit_exact,
)
from generator.model.schema import Drug, Phase, Regimen

DOSE_DIMENSIONS = (
    "mass/kg", "units/kg", "mass/kg/time", "units/kg/time", "mass", "units", "mass/time", "units/time",
)
_KIND_WORDS = {"mass": "a mass (mcg, mg, g)", "units": "an amount in units"}
_CONCENTRATIONS = {"mass": "mg/mL or mcg/mL", "units": "units/mL"}
_MAX_KG = Fraction(500)
_KG_STEP = Fraction(1, 10)


def shown(q: Quantity) -> str:
    """A quantity as the author wrote it."""
    return q.text or f"{format_number(q.value, group=False)} {q.unit}"


def _number(value: Fraction) -> str:
    if fraction_to_decimal(value) == value:
        return format_number(fraction_to_decimal(value), group=False)
    return f"{value.numerator}/{value.denominator}"


def _exact(value: Fraction) -> bool:
    return Fraction(fraction_to_decimal(value)) == value


@dataclass
class _Where:
    """One version file and a base data path, to make located diagnostics."""

    version: VersionFile
    base: DataPath

    def diagnostic(self, code: str, message: str, *field: str | int, hint: str = "") -> Diagnostic:
        path = (*self.base, *field)
        return Diagnostic(code, message, self.version.source.at(path), format_path(path), hint)


def _amount_dimension(dose: Quantity) -> str:
    return dose.dimension.replace("/kg", "")


def _amount_unit(dose: Quantity) -> str:
    return dose.unit.replace("/kg", "")


def _computed(dose: Quantity) -> str:
    return "rate" if "/" in _amount_unit(dose) else "dose"


def _dosing_values(regimen: Regimen) -> list[tuple[tuple[str | int, ...], str, Quantity]]:
    """(field path, name in messages, value) of the dose, each range end and each option."""
    values: list[tuple[tuple[str | int, ...], str, Quantity]] = [(("dose",), "dose", regimen.dose)]
    if regimen.dose_range is not None:
        values.append((("dose_range", "min"), "dose_range min", regimen.dose_range.min))
        values.append((("dose_range", "max"), "dose_range max", regimen.dose_range.max))
    for position, option in enumerate(regimen.options or ()):
        values.append((("options", position), "option", option))
    return values


# --- P206 -----------------------------------------------------------------------------------------------


def _exactly_in(where: _Where, name: str, field: tuple[str | int, ...], q: Quantity, unit: str,
                what: str) -> Iterator[Diagnostic]:
    if not _exact(to_unit_exact(q, unit)):
        yield where.diagnostic(
            "P206", f"{name} {shown(q)} cannot be written exactly in {unit}, the unit of {what}", *field,
            hint=f"write {name} in {unit}",
        )


def _regimen_units(where: _Where, regimen: Regimen) -> Iterator[Diagnostic]:
    dose = regimen.dose
    if dose.dimension not in DOSE_DIMENSIONS:
        yield where.diagnostic(
            "P206", f"dose {shown(dose)} ({dose.dimension}) is not a dose", "dose",
            hint="write an amount (56 mg), an amount per kg (0.5 mg/kg) or an amount per kg per time (0.35 mg/kg/h)",
        )
        return
    mass_kind = dose.dimension.split("/")[0]
    amount_dim, amount_unit, computed = _amount_dimension(dose), _amount_unit(dose), _computed(dose)
    for field, name, value in _dosing_values(regimen)[1:]:
        if value.dimension != dose.dimension:
            yield where.diagnostic(
                "P206", f"{name} {shown(value)} ({value.dimension}) does not have the dimension of dose "
                f"{shown(dose)} ({dose.dimension})", *field, hint=f"write it in {dose.unit}, like the dose",
            )
        else:
            yield from _exactly_in(where, name, field, value, dose.unit, "the dose")
    if regimen.max_dose is not None:
        if regimen.max_dose.dimension != amount_dim:
            yield where.diagnostic(
                "P206", f"max_dose {shown(regimen.max_dose)} ({regimen.max_dose.dimension}) does not have the "
                f"dimension of the computed {computed} in {amount_unit} ({amount_dim})", "max_dose",
                hint=f"max_dose caps the {computed} per administration: write it in {amount_unit}",
            )
        else:
            yield from _exactly_in(where, "max_dose", ("max_dose",), regimen.max_dose, amount_unit,
                                   f"the computed {computed}")
    if regimen.rounding is not None:
        rounding = regimen.rounding
        if rounding.dimension == mass_kind and "/" in amount_unit:
            rounding = Quantity(rounding.value, f"{rounding.unit}/{amount_unit.split('/')[1]}", rounding.text)
        if rounding.dimension != amount_dim:
            yield where.diagnostic(
                "P206", f"rounding {shown(regimen.rounding)} ({regimen.rounding.dimension}) is not of the "
                f"dimension of the computed {computed} in {amount_unit} ({amount_dim})", "rounding",
                hint=f"write the rounding step in {amount_unit}, e.g. 0.1 {amount_unit}",
            )
        else:
            yield from _exactly_in(where, "rounding", ("rounding",), rounding, amount_unit,
                                   f"the computed {computed}")
    if regimen.duration is not None:
        duration = regimen.duration
        if duration.dimension != "time":
            yield where.diagnostic("P206", f"duration {shown(duration)} ({duration.dimension}) is not a time",
                                   "duration", hint="write a time, e.g. 40 min or 4 h")
        elif "/" in amount_unit and duration.unit == "month":
            yield where.diagnostic(
                "P206", f"duration {shown(duration)} is in months, which do not convert to the rate in "
                f"{amount_unit}", "duration", hint="write the duration in min, h, days or weeks",
            )
    if regimen.concentration is not None and regimen.concentration.dimension != f"{mass_kind}/volume":
        concentration = regimen.concentration
        yield where.diagnostic(
            "P206", f"concentration {shown(concentration)} ({concentration.dimension}) does not combine with "
            f"dose {shown(dose)}", "concentration", hint=f"write the concentration in {_CONCENTRATIONS[mass_kind]}",
        )
    if regimen.unit_dose is not None and regimen.unit_dose.dimension != mass_kind:
        yield where.diagnostic(
            "P206", f"unit_dose {shown(regimen.unit_dose)} ({regimen.unit_dose.dimension}) is not "
            f"{_KIND_WORDS[mass_kind]} like dose {shown(dose)}", "unit_dose",
            hint="unit_dose is the amount in one device, vial or tablet, e.g. 28 mg",
        )


Spec = dict[str, Any]


def _engine_spec(where: _Where, doc_id: str, version: str, regimen: Regimen) -> tuple[Spec | None, list[Diagnostic]]:
    """The calculator spec, or P206 for anything the dose engine still refuses once the dimensions are right
    (e.g. a zero rounding step)."""
    try:
        return calculator_spec(doc_id, version, regimen), []
    except DoseError as error:
        return None, [where.diagnostic("P206", str(error), hint="correct the value so that the dose can be computed")]


# --- P201, P203, P204, P207 -----------------------------------------------------------------------------


def _within_range(where: _Where, regimen: Regimen) -> Iterator[Diagnostic]:
    if regimen.dose_range is None:
        return
    low, high = regimen.dose_range.min, regimen.dose_range.max
    if compare_quantities(low, high) > 0:
        yield where.diagnostic(
            "P201", f"dose_range min {shown(low)} is above dose_range max {shown(high)}", "dose_range", "min",
            hint="swap min and max, or correct the one that is wrong",
        )
        return
    for field, name, value in _dosing_values(regimen):
        if name.startswith("dose_range"):
            continue
        if compare_quantities(value, low) < 0 or compare_quantities(value, high) > 0:
            yield where.diagnostic(
                "P201", f"{name} {shown(value)} lies outside dose_range {format_range(low, high, group=False)}", *field,
                hint=f"change the {name} or the range so that the range contains it",
            )


def _cap(where: _Where, regimen: Regimen, lowest_table_kg: Fraction | None) -> Iterator[Diagnostic]:
    cap = regimen.max_dose
    if cap is None:
        return
    dose = regimen.dose
    if dose.dimension == _amount_dimension(dose):  # fixed: given as written, never capped
        values = [(f, n, v) for f, n, v in _dosing_values(regimen) if n != "dose_range min"]
        for field, name, value in values:
            if compare_quantities(value, cap) > 0:
                yield where.diagnostic(
                    "P203", f"{name} {shown(value)} is above max_dose {shown(cap)}", *field,
                    hint="a fixed dose is given as written and never capped: lower it or raise max_dose",
                )
        return
    if lowest_table_kg is None:
        return
    unit = _amount_unit(dose)
    cap_value = to_unit_exact(cap, unit)
    kg = _number(lowest_table_kg)
    low = regimen.dose_range.min if regimen.dose_range is not None else None
    for is_range_min, per_kg in ((True, low), (False, dose)):
        if per_kg is None:
            continue
        amount = lowest_table_kg * to_unit_exact(per_kg, dose.unit)
        if amount > cap_value:
            below, capped = (("even dose_range min", "every row and the whole dose_range") if is_range_min
                             else (f"the {_computed(dose)}", "every row of the dose table"))
            yield where.diagnostic(
                "P203", f"max_dose {shown(cap)} is below {below} at the dose table's lowest weight "
                f"({shown(per_kg)} x {kg} kg = {_number(amount)} {unit}): {capped} would be capped", "max_dose",
                hint="check max_dose, the dose and their units; or start the dose table at a lower weight",
            )
            return


def _ceiling(where: _Where, regimen: Regimen, drug: Drug | None) -> Iterator[Diagnostic]:
    if drug is None or drug.ceiling is None:
        return
    ceiling = drug.ceiling
    values = _dosing_values(regimen)
    if regimen.max_dose is not None:
        values.append((("max_dose",), "max_dose", regimen.max_dose))
    for field, name, value in values:
        if value.dimension != ceiling.dimension:
            continue
        try:
            above = compare_quantities(value, ceiling) > 0
        except QuantityError:
            continue
        if above:
            yield where.diagnostic(
                "P204", f"{name} {shown(value)} is above the ceiling of {drug.name}, {shown(ceiling)} per "
                "administration", *field,
                hint="lower it to the ceiling or below, or correct the ceiling in _library/drugs.yaml",
            )


def _whole_devices(where: _Where, regimen: Regimen) -> Iterator[Diagnostic]:
    unit_dose, dose = regimen.unit_dose, regimen.dose
    if unit_dose is None or dose.dimension != unit_dose.dimension:
        return
    if unit_dose.value == 0:
        yield where.diagnostic("P207", f"unit_dose {shown(unit_dose)} must be more than 0", "unit_dose",
                               hint="unit_dose is the amount in one device, vial or tablet, e.g. 28 mg")
        return
    for field, name, value in _dosing_values(regimen):
        if name.startswith("dose_range"):
            continue
        try:
            devices_per_dose(value, unit_dose)
        except DoseError:
            per_device = to_unit_exact(unit_dose, value.unit)
            below = (value.exact / per_device).__floor__() * per_device
            nearest = [q for q in (below, below + per_device) if q > 0]
            choices = " or ".join(f"{_number(q)} {value.unit}" for q in nearest)
            yield where.diagnostic(
                "P207", f"{name} {shown(value)} is not a whole multiple of unit_dose {shown(unit_dose)}", *field,
                hint=f"each dose is made of whole devices: use {choices}, or correct unit_dose",
            )


# --- P205 -----------------------------------------------------------------------------------------------


def _phase(where: _Where, phase: Phase) -> Iterator[Diagnostic]:
    length = phase.length
    if length is not None:
        if length.dimension != "time":
            yield where.diagnostic("P206", f"length {shown(length)} ({length.dimension}) is not a time", "length",
                                   hint="write a time, e.g. 2 weeks or 10 days")
            return
        if (length.unit == "month") != (phase.frequency.period == "month"):
            yield where.diagnostic(
                "P206", f'frequency "{phase.frequency.text}" and length {shown(length)} mix months with other '
                "time units", "length",
                hint="a month has no fixed number of days: write both in months, or both in days or weeks",
            )
            return
    if phase.doses is None:
        return
    if length is None:
        yield where.diagnostic(
            "P205", f"doses {phase.doses} is stated but the phase has no length to check it against", "doses",
            hint=f"add the length that gives {phase.doses} doses at {phase.frequency.in_words()}, or remove doses",
        )
        return
    expected = phase.frequency.doses_in(length)
    if expected != phase.doses:
        yield where.diagnostic(
            "P205", f"doses {phase.doses} differs from frequency x length: {phase.frequency.in_words()} for "
            f"{shown(length)} is {_number(expected)} doses", "doses",
            hint="correct doses, frequency or length so that they agree",
        )


# --- P206 and P210 for dose tables ----------------------------------------------------------------------


def _table(where: _Where, weights: dict[str, Quantity], regimen: Regimen | None) -> Iterator[Diagnostic]:
    """P206 for weights not in kg, then P210; yields nothing for a table whose regimen is unknown (P211)."""
    wrong = [(key, q) for key, q in weights.items() if q.unit != "kg"]
    for key, q in wrong:
        yield where.diagnostic("P206", f"dose table weight {key} {shown(q)} is not in kg", "weights", key,
                               hint="write every weight of a dose table in kg, e.g. 40 kg")
    if wrong or regimen is None or regimen.dose.dimension not in DOSE_DIMENSIONS:
        return
    if regimen.dose.dimension == _amount_dimension(regimen.dose):
        yield where.diagnostic(
            "P210", f"regimen {regimen.id} has a fixed dose of {shown(regimen.dose)}: only weight-based "
            "regimens take a dose table", "regimen", hint="remove this dose table",
        )
        return
    start, end, step = (weights[key].exact for key in ("from", "to", "step"))
    shown_weights = f"from {shown(weights['from'])} to {shown(weights['to'])} in steps of {shown(weights['step'])}"
    if step <= 0:
        yield where.diagnostic("P210", f"dose table step {shown(weights['step'])} must be more than 0 kg",
                               "weights", "step", hint="use a step such as 5 kg")
    elif start >= end:
        yield where.diagnostic("P210", f"dose table {shown_weights} is empty: from must be below to",
                               "weights", "from", hint="swap from and to, or correct the one that is wrong")
    elif (end - start) / step >= MAX_TABLE_ROWS:
        rows = ((end - start) / step).__floor__() + 1
        yield where.diagnostic(
            "P210", f"dose table {shown_weights} has {rows} rows, more than {MAX_TABLE_ROWS}", "weights", "step",
            hint="use a larger step or a narrower range of weights",
        )
    for key in ("from", "to", "step"):
        value = weights[key].exact
        if (key != "step" and (value <= 0 or value > _MAX_KG)) or (value / _KG_STEP).denominator != 1:
            yield where.diagnostic(
                "P210", f"dose table weight {key} {shown(weights[key])} is not a weight the calculator shows as "
                "is: weights are more than 0 and at most 500 kg, in steps of 0.1 kg", "weights", key,
                hint="use whole kilograms or tenths of a kilogram between 0.1 and 500 kg",
            )


def _lowest_table_kg(version: VersionFile, regimen: Regimen, tables_ok: set[int]) -> Fraction | None:
    starts = [t.weights.from_.exact for index, t in enumerate(version.doc.dose_tables)
              if t.regimen == regimen.id and index in tables_ok]
    return min(starts) if starts else None


def check_version(version: VersionFile, library: Library) -> Iterator[Diagnostic]:
    doc = version.doc
    regimens = {regimen.id: regimen for regimen in doc.regimens}
    tables_ok: set[int] = set()
    for index, table in enumerate(doc.dose_tables):
        weights = {"from": table.weights.from_, "to": table.weights.to, "step": table.weights.step}
        found = list(_table(_Where(version, ("dose_tables", index)), weights, regimens.get(table.regimen)))
        yield from found
        if not found:
            tables_ok.add(index)
    for index, regimen in enumerate(doc.regimens):
        where = _Where(version, ("regimens", index))
        unit_errors = list(_regimen_units(where, regimen))
        spec = None
        if not unit_errors:
            spec, unit_errors = _engine_spec(where, doc.id, doc.version, regimen)
        yield from unit_errors
        if unit_errors or spec is None:
            continue
        range_errors = list(_within_range(where, regimen))
        yield from range_errors
        if not range_errors:
            yield from _cap(where, regimen, _lowest_table_kg(version, regimen, tables_ok))
            yield from rounding_leaves_a_dose(version, regimen, spec, tables_ok)
        yield from _ceiling(where, regimen, library.drugs.get(regimen.drug))
        yield from _whole_devices(where, regimen)
    for index, phase in enumerate(doc.phases):
        yield from _phase(_Where(version, ("phases", index)), phase)


def check(library: Library, context: CheckContext) -> Iterator[Diagnostic]:
    for protocol in library.protocols.values():
        for version in protocol.ordered():
            yield from check_version(version, library)
