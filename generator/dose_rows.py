"""Dose table rows: a calculator spec prepared once (its numbers parsed) and evaluated for many weights.

`PreparedSpec.evaluate_kg` gives exactly what dosing.evaluate_spec gives for a weight in kg, digit for
digit; evaluate_spec stays the reference (and what dosecalc.js mirrors). tests/test_dosing_prepared.py
compares the two.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from typing import Any

from generator.dosing import MAX_WEIGHT_CHARACTERS, MAX_WEIGHT_KG, WEIGHT_STEP, evaluate_spec
from generator.quantity import format_number, fraction_to_decimal


def _half_up_steps(value: Fraction, step: Fraction) -> Fraction:
    """_round_half_up in integer arithmetic (step > 0): floor(value / step + 1/2) * step, the same Fraction."""
    a, b = value.numerator, value.denominator
    c, d = step.numerator, step.denominator
    return Fraction(((2 * a * d + b * c) // (2 * b * c)) * c, d)


@lru_cache(maxsize=256)
def _decimal_places(denominator: int) -> tuple[int, int] | None:
    """(places, multiplier) with n / denominator == n * multiplier / 10**places, or None if it does not terminate."""
    places, rest = 0, denominator
    for prime in (2, 5):
        count = 0
        while rest % prime == 0:
            rest //= prime
            count += 1
        places = max(places, count)
    return (places, 10**places // denominator) if rest == 1 else None


def _plain_decimal(value: Fraction) -> str:
    """format_number(fraction_to_decimal(value), group=False) without the Decimal, for the dose tables."""
    found = _decimal_places(value.denominator)
    scaled = value.numerator * found[1] if found is not None else 0
    if found is None or len(str(abs(scaled))) > 28:  # Decimal's context precision: leave it to Decimal
        return format_number(fraction_to_decimal(value), group=False)
    places = found[0]
    digits = str(abs(scaled)).rjust(places + 1, "0")
    whole, decimals = digits[: len(digits) - places], digits[len(digits) - places :].rstrip("0")
    sign = "-" if scaled < 0 else ""
    return f"{sign}{whole}.{decimals}" if decimals else f"{sign}{whole}"


def _plain_amount(value: Fraction, unit: str) -> dict[str, str]:
    """_amount through _plain_decimal."""
    return {"value": _plain_decimal(value), "unit": unit}


@lru_cache(maxsize=1 << 14)  # the same doses recur row after row and table after table
def _ratio_text(numerator: int, denominator: int) -> str:
    """_plain_decimal(Fraction(numerator, denominator)) without reducing the fraction (denominator > 0)."""
    found = _decimal_places(denominator)
    if found is not None:
        places, multiplier = found
        scaled = numerator * multiplier
        digits = str(abs(scaled))
        # more places than the reduced fraction would have only add trailing zeros, stripped below
        if len(digits) <= 28:
            digits = digits.rjust(places + 1, "0")
            whole, decimals = digits[: len(digits) - places], digits[len(digits) - places :].rstrip("0")
            sign = "-" if scaled < 0 else ""
            return f"{sign}{whole}.{decimals}" if decimals else f"{sign}{whole}"
    return _plain_decimal(Fraction(numerator, denominator))


def _steps_half_up(a: int, b: int, c: int, d: int) -> int:
    """floor(a/b / (c/d) + 1/2) for b, c, d > 0: how many steps c/d the value a/b rounds half up to."""
    return (2 * a * d + b * c) // (2 * b * c)


_WEIGHT_STEP = (WEIGHT_STEP.numerator, WEIGHT_STEP.denominator)
_MAX_WEIGHT = (MAX_WEIGHT_KG.numerator, MAX_WEIGHT_KG.denominator)


class PreparedSpec:
    """A calculator spec with its numbers parsed once, for many weights (a dose table).

    `evaluate_kg(kg)` gives exactly `evaluate_spec(spec, kg)` for a weight in kg given as a Decimal:
    the same rounding of the weight to 0.1 kg, the same refusals, the same result digit for digit
    (tests/test_dosing_prepared.py compares the two).
    """

    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec
        self.fixed = spec["kind"] == "fixed"
        self.cap = Fraction(spec["cap"]) if "cap" in spec else None
        self.amount = Fraction(spec["fixed"]) if self.fixed else None
        self.per_kg = None if self.fixed else Fraction(spec["per_kg"])
        self.step = None if self.fixed else Fraction(spec["step"])
        self.range = (Fraction(spec["range"]["min"]), Fraction(spec["range"]["max"])) if "range" in spec else None
        # amount * multiply / divide is amount * (multiply / divide): the same rational number
        self.derived = [(figure["key"], Fraction(figure["multiply"]) / Fraction(figure["divide"]),
                         Fraction(figure["step"]), figure["unit"]) for figure in spec["derived"]]
        table = spec.get("table")
        self.table = (Fraction(table["from"]), Fraction(table["to"])) if table is not None else None
        # the same numbers as integer pairs: a Fraction's numerator is a property, slow in a loop of rows
        self._cap = (self.cap.numerator, self.cap.denominator) if self.cap is not None else None
        self._step = (self.step.numerator, self.step.denominator) if self.step is not None else (1, 1)
        self._per_kg = (self.per_kg.numerator, self.per_kg.denominator) if self.per_kg is not None else (0, 1)
        self._range = [(end.numerator, end.denominator) for end in self.range] if self.range is not None else None
        self._derived = [(key, ratio.numerator, ratio.denominator, step.numerator, step.denominator, unit)
                         for key, ratio, step, unit in self.derived]

    def _within_table(self, kg_num: int, kg_den: int) -> bool:
        assert self.table is not None
        low, high = self.table
        return (low.numerator * kg_den <= kg_num * low.denominator
                and kg_num * high.denominator <= high.numerator * kg_den)

    def _rounded_steps(self, a: int, b: int) -> tuple[int, bool]:
        """_capped_and_rounded(a/b, cap, step) as a count of steps (all positive), and whether it was capped."""
        c, d = self._step
        if self._cap is None:
            return (2 * a * d + b * c) // (2 * b * c), False
        cap_n, cap_d = self._cap
        capped = a * cap_d > cap_n * b
        if capped:
            a, b = cap_n, cap_d
        steps = (2 * a * d + b * c) // (2 * b * c)
        if steps * c * cap_d > cap_n * d:  # rounded above the cap
            steps = (a * d) // (b * c)
        return steps, capped

    def evaluate_kg(self, weight: Decimal) -> dict[str, Any]:
        if not weight.is_finite() or len(format(weight, "f")) > MAX_WEIGHT_CHARACTERS:
            return evaluate_spec(self.spec, weight)  # refused: the same DoseError
        # the weight rounded half up to WEIGHT_STEP: kg_num / w_den, in integers (no Fraction made)
        n, d = weight.as_integer_ratio()
        w_num, w_den = _WEIGHT_STEP
        kg_num = _steps_half_up(n, d, w_num, w_den) * w_num
        if not 0 < kg_num or kg_num * _MAX_WEIGHT[1] > _MAX_WEIGHT[0] * w_den:
            return evaluate_spec(self.spec, weight)  # refused: the same DoseError
        # parse_weight's Decimal(shown) shown again by evaluate_spec: the same text (format_number is idempotent)
        weight_kg = _ratio_text(kg_num, w_den)
        spec = self.spec
        unit_of_amount = spec["unit"]
        result: dict[str, Any] = {"protocol": spec["protocol"], "version": spec["version"],
                                  "regimen": spec["regimen"], "weight_kg": weight_kg}
        if self.amount is not None:  # a fixed dose
            amount_num, amount_den = self.amount.numerator, self.amount.denominator
            result[spec["amount_key"]] = _plain_amount(self.amount, unit_of_amount)
            result["capped"] = False
            if self.range is not None:
                result["range"] = {"min": _plain_amount(self.range[0], unit_of_amount),
                                   "max": _plain_amount(self.range[1], unit_of_amount)}
        else:
            step_n, step_d = self._step
            per_kg_n, per_kg_d = self._per_kg
            steps, capped = self._rounded_steps(kg_num * per_kg_n, w_den * per_kg_d)
            amount_num, amount_den = steps * step_n, step_d
            result[spec["amount_key"]] = {"value": _ratio_text(amount_num, step_d), "unit": unit_of_amount}
            result["capped"] = capped
            if self._range is not None:
                (low_n, low_d), (high_n, high_d) = self._range
                low = self._rounded_steps(kg_num * low_n, w_den * low_d)[0]
                high = self._rounded_steps(kg_num * high_n, w_den * high_d)[0]
                result["range"] = {"min": {"value": _ratio_text(low * step_n, step_d), "unit": unit_of_amount},
                                   "max": {"value": _ratio_text(high * step_n, step_d), "unit": unit_of_amount}}
        for key, ratio_n, ratio_d, c, d, unit in self._derived:
            a, b = amount_num * ratio_n, amount_den * ratio_d
            result[key] = {"value": _ratio_text(((2 * a * d + b * c) // (2 * b * c)) * c, d), "unit": unit}
        warnings: list[str] = []
        table = spec.get("table")
        if self.table is not None and not self._within_table(kg_num, w_den):
            warnings.append(f"weight {weight_kg} kg is outside the dose table "
                            f"({table['from']} to {table['to']} kg); check the dose")
        result["warnings"] = warnings
        return result
