"""Exact dose computation of format §3.2 and §7, and the calculator spec that the browser shares.

All arithmetic is exact rational arithmetic on decimal inputs; binary floating point never touches a
dose. `compute_dose` is *defined* as `evaluate_spec(calculator_spec(...))`, so the JSON spec handed to
site_templates/assets/dosecalc.js holds everything needed to reproduce every digit; ARCHITECTURE.md
("Dosing engine and calculator spec") describes the algorithm for JavaScript. The evaluation of a spec
is generator/dosing/dose_evaluation.py's, the one computation behind `protocols dose` and the dose tables.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from generator.model.quantity import Quantity, QuantityError, format_number, fraction_to_decimal, to_unit_exact

SPEC_FORMAT = 1
LB_IN_KG = Fraction("0.45359237")
WEIGHT_STEP = Fraction("0.1")
MAX_WEIGHT_KG = Fraction(500)
MAX_WEIGHT_CHARACTERS = 20  # longer text is no body weight; refusing it early keeps huge numbers out of messages
# The same limits in every calculator spec: dosecalc.js reads them from there, so they are written only here.
WEIGHT_LIMITS = {
    "step": format_number(fraction_to_decimal(WEIGHT_STEP), group=False),
    "lb_in_kg": format_number(fraction_to_decimal(LB_IN_KG), group=False),
    "max_kg": format_number(fraction_to_decimal(MAX_WEIGHT_KG), group=False),
}
DERIVED_STEP = Fraction("0.1")  # volume (mL), total (mass unit) and pump rate (mL/h), §3.2
MAX_TABLE_ROWS = 200

_MINUTES = {"min": 1, "h": 60, "day": 1440, "week": 10080}
_WEIGHT_TEXT = re.compile(r"-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")


class DoseError(ValueError):
    """No dose can be given: a refused weight, or a regimen whose units do not combine."""


class NoDose(DoseError):
    """A weight the calculator accepts but at which the rounding step leaves no dose (§3.2): the rounded
    dose is 0, or no multiple of the step lies inside the range. A dose table with such a row is P212."""

    def __init__(self, weight_kg: str, reason: str) -> None:
        super().__init__(f"no dose for {weight_kg} kg: {reason}; the step is too coarse for this regimen")


@dataclass(frozen=True)
class RegimenSpec:
    """The dosing fields of one regimen (YAML key names), free of any schema library."""

    id: str
    drug: str
    route: str
    dose: Quantity
    dose_range_min: Quantity | None = None
    dose_range_max: Quantity | None = None
    options: tuple[Quantity, ...] = ()
    max_dose: Quantity | None = None
    duration: Quantity | None = None
    concentration: Quantity | None = None
    unit_dose: Quantity | None = None
    rounding: Quantity | None = None

    @classmethod
    def from_model(cls, regimen: Any) -> RegimenSpec:
        """Read the attributes of the same names from any object (e.g. schema.Regimen)."""
        if isinstance(regimen, RegimenSpec):
            return regimen
        dose_range = getattr(regimen, "dose_range", None)
        return cls(
            id=regimen.id,
            drug=regimen.drug,
            route=regimen.route,
            dose=regimen.dose,
            dose_range_min=dose_range.min if dose_range is not None else None,
            dose_range_max=dose_range.max if dose_range is not None else None,
            options=tuple(getattr(regimen, "options", None) or ()),
            max_dose=getattr(regimen, "max_dose", None),
            duration=getattr(regimen, "duration", None),
            concentration=getattr(regimen, "concentration", None),
            unit_dose=getattr(regimen, "unit_dose", None),
            rounding=getattr(regimen, "rounding", None),
        )


_KINDS = {
    "mass/kg": "bolus", "units/kg": "bolus",
    "mass/kg/time": "continuous", "units/kg/time": "continuous",
    "mass": "fixed", "units": "fixed", "mass/time": "fixed", "units/time": "fixed",
}


def kind(regimen: Any) -> str:
    """"bolus" (per kg), "continuous" (per kg per time) or "fixed" (the same for every weight)."""
    dose = RegimenSpec.from_model(regimen).dose
    found = _KINDS.get(dose.dimension)
    if found is None:
        raise DoseError(f"dose {_shown(dose)} is not a dose unit: write an amount, an amount per kg or a rate")
    return found


def is_weight_based(regimen: Any) -> bool:
    return kind(regimen) != "fixed"


def amount_unit(regimen: Any) -> str:
    """Unit of the computed amount: mg/kg -> mg, mcg/kg/min -> mcg/min, mg/kg/h -> mg/h, 56 mg -> mg."""
    return RegimenSpec.from_model(regimen).dose.unit.replace("/kg", "")


def _shown(q: Quantity) -> str:
    return f"{format_number(q.value, group=False)} {q.unit}"


def _decimal_string(value: Fraction, what: str, unit: str) -> str:
    """A spec number: exact decimal or DoseError (e.g. 1 mg/h is 16.666... mcg/min)."""
    decimal = fraction_to_decimal(value)
    if Fraction(decimal) != value:
        raise DoseError(f"{what} cannot be written exactly in {unit}: write it in {unit}")
    return format_number(decimal, group=False)


def _in_unit(q: Quantity, unit: str, what: str) -> str:
    try:
        return _decimal_string(to_unit_exact(q, unit), what, unit)
    except QuantityError as error:
        raise DoseError(f"{what} {_shown(q)}: {error.message}") from None


def _ratio(numerator: Fraction, denominator: Fraction) -> dict[str, str]:
    return {"multiply": _decimal_string(numerator, "factor", "decimals"),
            "divide": _decimal_string(denominator, "factor", "decimals")}


def _rounding_step(spec: RegimenSpec, unit: str) -> str:
    if spec.rounding is None:
        return "0.1"
    rounding = spec.rounding
    mass_unit, _, time_unit = unit.partition("/")
    if time_unit and rounding.dimension in ("mass", "units"):
        # "rounding: 0.1 mg" for a rate in mg/h rounds the rate to 0.1 mg per hour
        rounding = Quantity(rounding.value, f"{rounding.unit}/{time_unit}", rounding.text)
    step = _in_unit(rounding, unit, "rounding")
    if Fraction(step) <= 0:
        raise DoseError(f"rounding {_shown(spec.rounding)} must be more than 0")
    return step


def _derived(spec: RegimenSpec, unit: str, rate: bool) -> list[dict[str, str]]:
    """Figures computed from the rounded amount: volume, or total and pump rate."""
    derived: list[dict[str, str]] = []
    mass_unit, _, time_unit = unit.partition("/")
    if rate and spec.duration is not None:
        if spec.duration.unit not in _MINUTES or time_unit not in _MINUTES:
            raise DoseError(f"duration {_shown(spec.duration)} cannot be combined with a rate in {unit}")
        minutes = spec.duration.exact * _MINUTES[spec.duration.unit]
        derived.append({"key": "total", "unit": mass_unit, "step": "0.1",
                        **_ratio(minutes, Fraction(_MINUTES[time_unit]))})
    if spec.concentration is not None:
        per_ml = Fraction(_in_unit(spec.concentration, f"{mass_unit}/mL", "concentration"))
        if per_ml <= 0:
            raise DoseError(f"concentration {_shown(spec.concentration)} must be more than 0")
        if rate:
            per_hour = Fraction(60, _MINUTES[time_unit])
            derived.append({"key": "pump_rate", "unit": "mL/h", "step": "0.1", **_ratio(per_hour, per_ml)})
        else:
            derived.append({"key": "volume", "unit": "mL", "step": "0.1", **_ratio(Fraction(1), per_ml)})
    return derived


def _kg(value: Quantity | Decimal | int | str) -> Decimal:
    if isinstance(value, Quantity):
        return Decimal(_in_unit(value, "kg", "dose table weight"))
    return Decimal(value)


Kg = Quantity | Decimal | int | str


def _table_ends(table_range: Any) -> tuple[Decimal, Decimal] | None:
    """(from_kg, to_kg) from a tuple of Decimals/Quantities or an object with `from_` and `to`."""
    if table_range is None:
        return None
    ends = (table_range.from_, table_range.to) if hasattr(table_range, "from_") else tuple(table_range)
    kgs = [_kg(end) for end in ends]
    return kgs[0], kgs[1]


def calculator_spec(protocol_id: str, version: str, regimen: Any, table_range: Any = None) -> dict[str, Any]:
    """Everything a calculator needs to reproduce `compute_dose` digit for digit; numbers as strings."""
    spec = RegimenSpec.from_model(regimen)
    regimen_kind = kind(spec)
    unit = amount_unit(spec)
    per_time = "/" in unit
    result: dict[str, Any] = {
        "format": SPEC_FORMAT, "protocol": protocol_id, "version": version, "regimen": spec.id,
        "kind": regimen_kind, "amount_key": "rate" if per_time else "dose", "unit": unit,
    }
    dose_unit = spec.dose.unit
    if regimen_kind == "fixed":
        result["fixed"] = format_number(spec.dose.value, group=False)
    else:
        result["per_kg"] = format_number(spec.dose.value, group=False)
    if spec.dose_range_min is not None and spec.dose_range_max is not None:
        result["range"] = {"min": _in_unit(spec.dose_range_min, dose_unit, "dose_range min"),
                           "max": _in_unit(spec.dose_range_max, dose_unit, "dose_range max")}
    if regimen_kind != "fixed":
        if spec.max_dose is not None:
            result["cap"] = _in_unit(spec.max_dose, unit, "max_dose")
        result["step"] = _rounding_step(spec, unit)
    result["derived"] = _derived(spec, unit, per_time)
    result["weight"] = WEIGHT_LIMITS
    ends = _table_ends(table_range) if regimen_kind != "fixed" else None
    if ends is not None:
        result["table"] = {"from": format_number(ends[0], group=False), "to": format_number(ends[1], group=False)}
    return result


def _round_half_up(value: Fraction, step: Fraction) -> Fraction:
    return ((value / step + Fraction(1, 2)).__floor__()) * step


def _javascript_number_text(number: float) -> str:
    """What JavaScript's String(number) gives, so a number weighs the same in Python and dosecalc.js."""
    if number != number:
        return "NaN"
    if number in (float("inf"), float("-inf")):
        return "Infinity" if number > 0 else "-Infinity"
    shortest = Decimal(repr(number))  # both languages print the shortest round-trip digits
    if number == 0 or Decimal("1e-6") <= abs(shortest) < Decimal("1e21"):
        return format_number(shortest, group=False)
    sign, digits, exponent = shortest.normalize().as_tuple()
    assert isinstance(exponent, int)
    mantissa = str(digits[0]) + ("." + "".join(map(str, digits[1:])) if len(digits) > 1 else "")
    power = exponent + len(digits) - 1
    return f"{'-' if sign else ''}{mantissa}e{'+' if power >= 0 else '-'}{abs(power)}"


def _weight_text(weight: str | Decimal | int | float) -> str:
    if isinstance(weight, bool):
        return str(weight)
    if isinstance(weight, Decimal):
        return format(weight, "f") if weight.is_finite() else str(weight)
    if isinstance(weight, float):
        return _javascript_number_text(weight)
    return str(weight).strip(" \t\r\n")


def parse_weight(weight: str | Decimal | int | float, unit: str = "kg") -> Decimal:
    """A body weight in kg, rounded half up to 0.1 kg (pounds converted first); DoseError if refused.

    Accepted: digits with at most one decimal point ("70", "70.3", "70.", ".5"), surrounding blanks
    ignored. Refused: a comma ("70,3" is ambiguous), an exponent, any other character.
    """
    if unit not in ("kg", "lb"):
        raise DoseError(f'weight unit "{unit}" is not kg or lb')
    text = _weight_text(weight)
    if len(text) > MAX_WEIGHT_CHARACTERS:
        raise DoseError(f"weight has more than {MAX_WEIGHT_CHARACTERS} characters: type it in kg or lb, e.g. 70.3")
    if not _WEIGHT_TEXT.fullmatch(text):
        raise DoseError(f'weight "{text}" is not a number: use digits and a decimal point, e.g. 70.3')
    value = Fraction(text if not text.endswith(".") else text[:-1])
    kg = _round_half_up(value * LB_IN_KG if unit == "lb" else value, WEIGHT_STEP)
    if kg <= 0:
        raise DoseError("weight must be more than 0 kg")
    shown = format_number(fraction_to_decimal(kg), group=False)
    if kg > MAX_WEIGHT_KG:
        typed = f" ({text} lb)" if unit == "lb" else ""
        raise DoseError(f"weight {shown} kg{typed} is more than {WEIGHT_LIMITS['max_kg']} kg; "
                        "check the weight and its unit")
    return Decimal(shown)


def evaluate_spec(spec: dict[str, Any], weight: str | Decimal | int | float, unit: str = "kg") -> dict[str, Any]:
    """The dose for one weight from a calculator spec (what dosecalc.js's computeDose mirrors).

    DoseError for a refused weight; NoDose (a DoseError) for a weight the rounding step leaves without a dose.
    The arithmetic is generator/dosing/dose_evaluation.py's, the same that the dose tables use.
    """
    from generator.dosing.dose_evaluation import PreparedSpec  # it builds on this module

    return PreparedSpec(spec).evaluate(weight, unit)


def compute_dose(protocol_id: str, version: str, regimen: Any, weight: str | Decimal | int | float,
                 unit: str = "kg", table_range: Any = None) -> dict[str, Any]:
    """The §7 JSON object for one weight; DoseError for a refused weight or a regimen that cannot compute."""
    return evaluate_spec(calculator_spec(protocol_id, version, regimen, table_range), weight, unit)


def table_rows(regimen: Any, from_kg: Kg, to_kg: Kg, step_kg: Kg,
               protocol_id: str = "", version: str = "", spec: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """compute_dose for from_kg, from_kg + step_kg, ... up to and including to_kg when it is reached.

    `spec`, if given, is calculator_spec(protocol_id, version, regimen, (from_kg, to_kg)) computed by the caller.
    """
    start, end, step = (_kg(value) for value in (from_kg, to_kg, step_kg))
    shown = f"dose table from {format_number(start)} to {format_number(end)} kg in steps of {format_number(step)} kg"
    if step <= 0 or start > end:
        raise DoseError(f"{shown} has no rows")
    if (end - start) / step >= MAX_TABLE_ROWS:
        raise DoseError(f"{shown} has more than {MAX_TABLE_ROWS} rows")
    from generator.dosing.dose_evaluation import PreparedSpec  # it builds on this module

    if spec is None:
        spec = calculator_spec(protocol_id, version, regimen, (start, end))
    prepared = PreparedSpec(spec)
    rows = []
    weight = start
    while weight <= end:
        rows.append(prepared.evaluate_kg(weight))
        weight += step
    return rows


def devices_per_dose(dose: Quantity, unit_dose: Quantity) -> int:
    """How many devices, vials or tablets make one fixed dose (56 mg / 28 mg = 2); DoseError otherwise."""
    try:
        count = to_unit_exact(dose, unit_dose.unit) / unit_dose.exact
    except (QuantityError, ZeroDivisionError):
        raise DoseError(f"dose {_shown(dose)} cannot be made from unit_dose {_shown(unit_dose)}") from None
    if count.denominator != 1:
        raise DoseError(f"dose {_shown(dose)} is not a whole multiple of unit_dose {_shown(unit_dose)}")
    return int(count)
