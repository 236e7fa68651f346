"""The dose for a weight from a calculator spec (§3.2, §7): the one computation behind `protocols dose`,
the dose tables and P212, which site_templates/assets/dosecalc.js mirrors digit for digit.

Exact integer arithmetic on numerator/denominator pairs (no binary floating point, and no Fraction in the
loop over a table's rows, which made rows ten times slower). The algorithm, step by step, is in
ARCHITECTURE.md ("Dosing engine and calculator spec"); tests/dosing/test_dose_engine_properties.py checks it against
an independent `decimal` oracle and tests/render/test_dose_calculator_node.py against dosecalc.js.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from functools import cached_property, lru_cache
from typing import Any

from generator.dosing.dose_engine import MAX_WEIGHT_CHARACTERS, MAX_WEIGHT_KG, WEIGHT_STEP, NoDose, parse_weight
from generator.model.quantity import format_number, fraction_to_decimal


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


def _digits(numerator: int, denominator: int) -> str | None:
    """numerator / denominator (denominator > 0) as a plain decimal; None when it does not terminate or needs
    more than Decimal's 28 digits. A denominator above the reduced one only adds trailing zeros, stripped:
    the text is the reduced fraction's."""
    found = _decimal_places(denominator)
    if found is None:
        return None
    places, multiplier = found
    scaled = numerator * multiplier
    digits = str(abs(scaled))
    if len(digits) > 28:
        return None
    digits = digits.rjust(places + 1, "0")
    whole, decimals = digits[: len(digits) - places], digits[len(digits) - places :].rstrip("0")
    sign = "-" if scaled < 0 else ""
    return f"{sign}{whole}.{decimals}" if decimals else f"{sign}{whole}"


def _plain_decimal(value: Fraction) -> str:
    """format_number(fraction_to_decimal(value), group=False) without the Decimal, for the dose tables."""
    text = _digits(value.numerator, value.denominator)
    # not terminating or beyond 28 digits, Decimal's context rounds: leave it to Decimal
    return text if text is not None else format_number(fraction_to_decimal(value), group=False)


@lru_cache(maxsize=1 << 14)  # the same doses recur row after row and table after table
def _ratio_text(numerator: int, denominator: int) -> str:
    """_plain_decimal(Fraction(numerator, denominator)) without reducing the fraction (denominator > 0)."""
    text = _digits(numerator, denominator)
    return text if text is not None else _plain_decimal(Fraction(numerator, denominator))


def _steps_half_up(a: int, b: int, c: int, d: int) -> int:
    """floor(a/b / (c/d) + 1/2) for b, c, d > 0: how many steps c/d the value a/b rounds half up to."""
    return (2 * a * d + b * c) // (2 * b * c)


def _steps_down(a: int, b: int, c: int, d: int) -> int:
    """floor(a/b / (c/d)) for b, c, d > 0."""
    return (a * d) // (b * c)


def _steps_up(a: int, b: int, c: int, d: int) -> int:
    """ceil(a/b / (c/d)) for b, c, d > 0."""
    return -((-a * d) // (b * c))


def _pair(number: Fraction | str) -> tuple[int, int]:
    """A spec number as (numerator, denominator), reduced: a Fraction's numerator is a slow property in a
    loop of rows."""
    exact = Fraction(number)
    return exact.numerator, exact.denominator


_WEIGHT_STEP = _pair(WEIGHT_STEP)
_MAX_WEIGHT = _pair(MAX_WEIGHT_KG)


class PreparedSpec:
    """A calculator spec with its numbers parsed once, for one weight or many (a dose table).

    `evaluate(weight, unit)` is dosing.evaluate_spec; `evaluate_kg(kg)` gives the same for a weight in kg
    given as a Decimal, with the weight rounded in integers (tests/dosing/test_dose_evaluation.py compares them).
    """

    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec
        self.fixed = _pair(spec["fixed"]) if spec["kind"] == "fixed" else None
        self.cap = _pair(spec["cap"]) if "cap" in spec else None
        self.per_kg = _pair(spec["per_kg"]) if self.fixed is None else (0, 1)
        self.step = _pair(spec["step"]) if self.fixed is None else (1, 1)
        self.range = (_pair(spec["range"]["min"]), _pair(spec["range"]["max"])) if "range" in spec else None
        table = spec.get("table")
        self.table = (_pair(table["from"]), _pair(table["to"])) if table is not None else None

    @cached_property  # not needed by weights_without_dose (P212 in every check run)
    def derived(self) -> list[tuple[str, int, int, int, int, str]]:
        # amount * multiply / divide is amount * (multiply / divide): the same rational number
        return [(figure["key"], *_pair(Fraction(figure["multiply"]) / Fraction(figure["divide"])),
                 *_pair(figure["step"]), figure["unit"]) for figure in self.spec["derived"]]

    def _within_table(self, kg_num: int, kg_den: int) -> bool:
        assert self.table is not None
        (low_n, low_d), (high_n, high_d) = self.table
        return low_n * kg_den <= kg_num * low_d and kg_num * high_d <= high_n * kg_den

    def _capped_pair(self, a: int, b: int) -> tuple[int, int, bool]:
        """a/b, or the cap when a/b is above it, and whether it was capped."""
        if self.cap is not None and a * self.cap[1] > self.cap[0] * b:
            return self.cap[0], self.cap[1], True
        return a, b, False

    def _rounded_steps(self, a: int, b: int) -> tuple[int, bool]:
        """a/b capped, then rounded half up to the step (down instead when half up would pass the cap), as a
        count of steps (all positive), and whether it was capped."""
        c, d = self.step
        a, b, capped = self._capped_pair(a, b)
        steps = _steps_half_up(a, b, c, d)
        if self.cap is not None and steps * c * self.cap[1] > self.cap[0] * d:  # rounded above the cap
            steps = _steps_down(a, b, c, d)
        return steps, capped

    def _range_steps(self, kg_num: int, w_den: int) -> tuple[int, int]:
        """The range ends after the cap, rounded inward (minimum up, maximum down), as counts of steps."""
        assert self.range is not None
        c, d = self.step
        (low_n, low_d), (high_n, high_d) = self.range
        low_a, low_b, _ = self._capped_pair(kg_num * low_n, w_den * low_d)
        high_a, high_b, _ = self._capped_pair(kg_num * high_n, w_den * high_d)
        return _steps_up(low_a, low_b, c, d), _steps_down(high_a, high_b, c, d)

    def why_no_dose(self, kg_num: int, w_den: int) -> str:
        """Why the weight kg_num / w_den has no dose (where _amount_steps gives None), in the words of §3.2."""
        unit, step = self.spec["unit"], self.spec["step"]
        if self.range is not None:
            (low_n, low_d), (high_n, high_d) = self.range
            low = self._capped_pair(kg_num * low_n, w_den * low_d)
            high = self._capped_pair(kg_num * high_n, w_den * high_d)
            ends = self._range_steps(kg_num, w_den)
            if ends[0] > ends[1]:
                return (f"no multiple of the rounding step of {step} {unit} lies in the range "
                        f"{_ratio_text(low[0], low[1])} to {_ratio_text(high[0], high[1])} {unit}")
        base_n, base_d, _ = self._capped_pair(kg_num * self.per_kg[0], w_den * self.per_kg[1])
        return f"{_ratio_text(base_n, base_d)} {unit} rounds to 0 {unit} at the rounding step of {step} {unit}"

    def _amount_steps(self, kg_num: int, w_den: int) -> tuple[int, bool, tuple[int, int] | None] | None:
        """(steps of the amount, capped, range ends in steps) of a weight-based spec; None where the rounding
        step leaves no dose: no multiple of it inside the range, or an amount of 0 (NoDose)."""
        per_kg_n, per_kg_d = self.per_kg
        steps, capped = self._rounded_steps(kg_num * per_kg_n, w_den * per_kg_d)
        ends = None
        if self.range is not None:
            ends = self._range_steps(kg_num, w_den)
            if ends[0] > ends[1]:
                return None
            steps = min(max(steps, ends[0]), ends[1])
        return (steps, capped, ends) if steps != 0 else None

    def weights_without_dose(self, weights: Sequence[Decimal]) -> list[Decimal]:
        """The weights at which evaluate_kg gives no dose (NoDose), for the ascending weights of a dose table,
        each one the calculator accepts as is (P210)."""
        if self.fixed is not None or not weights or self._every_heavier_weight_has_a_dose(weights[0]):
            return []
        return [weight for weight in weights if not self.has_dose(weight)]

    def _every_heavier_weight_has_a_dose(self, lightest: Decimal) -> bool:
        """A sufficient condition, from the lightest weight alone (False means: look at every row).

        The dose, and each shown range end, never decrease as the weight grows (rounding, capping and
        keeping the dose inside the shown range are all non-decreasing), so a dose above 0 at the
        lightest weight stays above 0. Without a range that is all. With one, a multiple of the step
        lies inside the range at every heavier weight when the range is at least a step wide at the
        lightest weight (uncapped, it only widens) and the cap, if any, is a multiple of the step (once
        the maximum is capped, the cap itself is that multiple). tests/dosing/test_dose_evaluation.py holds this
        equal to looking at every row.
        """
        if not self.has_dose(lightest):
            return False
        if self.range is None:
            return True
        c, d = self.step
        if self.cap is not None and (self.cap[0] * d) % (self.cap[1] * c) != 0:
            return False
        (low_n, low_d), (high_n, high_d) = self.range
        n, den = lightest.as_integer_ratio()
        # lightest * (high - low) >= c / d
        return n * (high_n * low_d - low_n * high_d) * d >= c * den * high_d * low_d

    def has_dose(self, weight: Decimal) -> bool:
        """Whether evaluate_kg(weight) gives a dose for a weight that the calculator accepts as is
        (a multiple of 0.1 kg above 0 and at most 500 kg, as P210 requires of table weights)."""
        if self.fixed is not None:
            return True
        n, d = weight.as_integer_ratio()
        return self._amount_steps(n, d) is not None

    def evaluate(self, weight: str | Decimal | int | float, unit: str = "kg") -> dict[str, Any]:
        """The §7 dose object for a weight as typed or passed (dosing.parse_weight); DoseError or NoDose."""
        n, d = parse_weight(weight, unit).as_integer_ratio()
        return self._evaluate(n, d)

    def evaluate_kg(self, weight: Decimal) -> dict[str, Any]:
        """evaluate(weight) for a weight in kg, rounded to 0.1 kg in integers (the dose tables' many rows)."""
        if not weight.is_finite() or len(format(weight, "f")) > MAX_WEIGHT_CHARACTERS:
            return self.evaluate(weight)  # refused by parse_weight, with its message
        n, d = weight.as_integer_ratio()
        w_num, w_den = _WEIGHT_STEP
        kg_num = _steps_half_up(n, d, w_num, w_den) * w_num
        if not 0 < kg_num or kg_num * _MAX_WEIGHT[1] > _MAX_WEIGHT[0] * w_den:
            return self.evaluate(weight)  # refused by parse_weight, with its message
        return self._evaluate(kg_num, w_den)

    def _evaluate(self, kg_num: int, w_den: int) -> dict[str, Any]:
        """The dose object for an accepted weight of kg_num / w_den kg (a multiple of 0.1 kg, 0 to 500 kg)."""
        weight_kg = _ratio_text(kg_num, w_den)
        spec = self.spec
        unit_of_amount = spec["unit"]
        result: dict[str, Any] = {"protocol": spec["protocol"], "version": spec["version"],
                                  "regimen": spec["regimen"], "weight_kg": weight_kg}
        ends: tuple[tuple[int, int], ...] | None
        if self.fixed is not None:
            (amount_num, amount_den), capped, ends = self.fixed, False, self.range
        else:
            found = self._amount_steps(kg_num, w_den)
            if found is None:
                raise NoDose(weight_kg, self.why_no_dose(kg_num, w_den))
            steps, capped, end_steps = found
            step_n, step_d = self.step
            amount_num, amount_den = steps * step_n, step_d
            ends = None if end_steps is None else tuple((end * step_n, step_d) for end in end_steps)
        result[spec["amount_key"]] = {"value": _ratio_text(amount_num, amount_den), "unit": unit_of_amount}
        result["capped"] = capped
        if ends is not None:
            (low_n, low_d), (high_n, high_d) = ends
            result["range"] = {"min": {"value": _ratio_text(low_n, low_d), "unit": unit_of_amount},
                               "max": {"value": _ratio_text(high_n, high_d), "unit": unit_of_amount}}
        for key, ratio_n, ratio_d, c, d, unit in self.derived:
            a, b = amount_num * ratio_n, amount_den * ratio_d
            result[key] = {"value": _ratio_text(_steps_half_up(a, b, c, d) * c, d), "unit": unit}
        warnings: list[str] = []
        table = spec.get("table")
        if table is not None and not self._within_table(kg_num, w_den):
            warnings.append(f"weight {weight_kg} kg is outside the dose table "
                            f"({table['from']} to {table['to']} kg); check the dose")
        result["warnings"] = warnings
        return result
