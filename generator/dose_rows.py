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

    def _capped_and_rounded(self, kg: Fraction, per_kg: Fraction) -> tuple[Fraction, bool]:
        """_capped_and_rounded(kg * per_kg, cap, step) on numerators and denominators (all positive)."""
        cap, step = self.cap, self.step
        assert step is not None
        a, b = kg.numerator * per_kg.numerator, kg.denominator * per_kg.denominator
        capped = cap is not None and a * cap.denominator > cap.numerator * b
        if capped and cap is not None:
            a, b = cap.numerator, cap.denominator
        c, d = step.numerator, step.denominator
        rounded = Fraction(((2 * a * d + b * c) // (2 * b * c)) * c, d)
        if cap is not None and rounded > cap:
            rounded = Fraction(((a * d) // (b * c)) * c, d)
        return rounded, capped

    def evaluate_kg(self, weight: Decimal) -> dict[str, Any]:
        if not weight.is_finite() or len(format(weight, "f")) > MAX_WEIGHT_CHARACTERS:
            return evaluate_spec(self.spec, weight)  # refused: the same DoseError
        kg = _half_up_steps(Fraction(weight), WEIGHT_STEP)
        if not 0 < kg <= MAX_WEIGHT_KG:
            return evaluate_spec(self.spec, weight)  # refused: the same DoseError
        # parse_weight's Decimal(shown) shown again by evaluate_spec: the same text (format_number is idempotent)
        weight_kg = _plain_decimal(kg)
        spec = self.spec
        unit_of_amount = spec["unit"]
        result: dict[str, Any] = {"protocol": spec["protocol"], "version": spec["version"],
                                  "regimen": spec["regimen"], "weight_kg": weight_kg}
        ends: list[Fraction] | None
        if self.fixed:
            assert self.amount is not None
            amount, capped = self.amount, False
            ends = list(self.range) if self.range is not None else None
        else:
            assert self.per_kg is not None
            amount, capped = self._capped_and_rounded(kg, self.per_kg)
            ends = [self._capped_and_rounded(kg, end)[0] for end in self.range] if self.range is not None else None
        result[spec["amount_key"]] = _plain_amount(amount, unit_of_amount)
        result["capped"] = capped
        if ends is not None:
            result["range"] = {"min": _plain_amount(ends[0], unit_of_amount),
                               "max": _plain_amount(ends[1], unit_of_amount)}
        for key, ratio, step, unit in self.derived:
            a, b = amount.numerator * ratio.numerator, amount.denominator * ratio.denominator
            c, d = step.numerator, step.denominator
            result[key] = _plain_amount(Fraction(((2 * a * d + b * c) // (2 * b * c)) * c, d), unit)
        warnings: list[str] = []
        table = spec.get("table")
        if self.table is not None and not self.table[0] <= kg <= self.table[1]:
            warnings.append(f"weight {weight_kg} kg is outside the dose table "
                            f"({table['from']} to {table['to']} kg); check the dose")
        result["warnings"] = warnings
        return result
