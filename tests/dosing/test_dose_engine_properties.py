"""Properties of the dose engine over many weights, doses, caps and rounding steps.

The oracle is Python's decimal module with ROUND_HALF_UP at high precision, an implementation
independent of the engine's rational arithmetic.
"""

import re
from decimal import ROUND_CEILING, ROUND_DOWN, ROUND_FLOOR, ROUND_HALF_UP, Decimal, localcontext
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from generator.dosing.dose_engine import NoDose, RegimenSpec, compute_dose, parse_weight
from generator.model.quantity import Quantity

PLAIN_DECIMAL = re.compile(r"(0|[1-9][0-9]*)(\.[0-9]*[1-9])?")

weights_kg = st.integers(min_value=1, max_value=5000).map(lambda tenths: Decimal(tenths) / 10)
per_kg_doses = st.integers(min_value=1, max_value=20000).map(lambda thousandths: Decimal(thousandths) / 1000)
caps = st.none() | st.integers(min_value=1, max_value=100000).map(lambda hundredths: Decimal(hundredths) / 100)
steps = st.sampled_from([Decimal("0.1"), Decimal("0.05"), Decimal("0.25"), Decimal("0.5"), Decimal("1"),
                         Decimal("2.5"), Decimal("0.01"), Decimal("7"), Decimal("50"), Decimal("1000")])


def regimen(per_kg: Decimal, cap: Decimal | None, step: Decimal, unit: str = "mg/kg",
            ends: tuple[Decimal, Decimal] | None = None) -> RegimenSpec:
    amount = unit.replace("/kg", "")
    return RegimenSpec(
        id="r", drug="d", route="IV", dose=Quantity(per_kg, unit, f"{per_kg} {unit}"),
        dose_range_min=Quantity(ends[0], unit, f"{ends[0]} {unit}") if ends else None,
        dose_range_max=Quantity(ends[1], unit, f"{ends[1]} {unit}") if ends else None,
        max_dose=Quantity(cap, amount, f"{cap} {amount}") if cap is not None else None,
        rounding=Quantity(step, amount, f"{step} {amount}"),
        concentration=Quantity(Decimal("10"), f"{amount}/mL", f"10 {amount}/mL"),
    )


def dose_or_none(spec: RegimenSpec, weight: Decimal) -> dict[str, Any] | None:
    """The result, or None where the rounding step leaves the weight without a dose."""
    try:
        return compute_dose("p", "1.0", spec, str(weight))
    except NoDose:
        return None


def dose_value(spec: RegimenSpec, weight: Decimal) -> Decimal:
    """The dose, 0 where there is none."""
    result = dose_or_none(spec, weight)
    return Decimal(result["dose"]["value"]) if result is not None else Decimal(0)


def oracle(weight: Decimal, per_kg: Decimal, cap: Decimal | None, step: Decimal) -> tuple[Decimal, bool]:
    with localcontext() as context:
        context.prec = 60
        exact = weight * per_kg
        capped = cap is not None and exact > cap
        base = cap if capped and cap is not None else exact
        rounded = (base / step).quantize(Decimal(1), rounding=ROUND_HALF_UP) * step
        if cap is not None and rounded > cap:
            rounded = (base / step).quantize(Decimal(1), rounding=ROUND_DOWN) * step
        return rounded, capped


@given(weights_kg, per_kg_doses, caps, steps)
def test_matches_the_decimal_oracle(weight: Decimal, per_kg: Decimal, cap: Decimal | None, step: Decimal) -> None:
    expected, capped = oracle(weight, per_kg, cap, step)
    if expected == 0:
        with pytest.raises(NoDose, match=f"^no dose for {weight.normalize():f} kg: .* rounds to 0 mg at the rounding "
                                         "step of "):
            compute_dose("p", "1.0", regimen(per_kg, cap, step), str(weight))
        return
    result = compute_dose("p", "1.0", regimen(per_kg, cap, step), str(weight))
    assert Decimal(result["dose"]["value"]) == expected
    assert result["capped"] is capped
    volume = (expected / 10).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    assert Decimal(result["volume"]["value"]) == volume


@given(weights_kg, per_kg_doses, caps, steps)
def test_never_above_the_cap(weight: Decimal, per_kg: Decimal, cap: Decimal | None, step: Decimal) -> None:
    if cap is not None:
        assert dose_value(regimen(per_kg, cap, step), weight) <= cap


@given(weights_kg, per_kg_doses, caps, steps)
def test_within_half_a_step_of_the_exact_product(
    weight: Decimal, per_kg: Decimal, cap: Decimal | None, step: Decimal
) -> None:
    result = dose_or_none(regimen(per_kg, cap, step), weight)
    target = weight * per_kg if cap is None else min(weight * per_kg, cap)
    if result is None:  # no dose only where the rounded dose would be 0
        assert target < step  # half up of less than half a step, or the cap forced rounding down to 0
        return
    dose = Decimal(result["dose"]["value"])
    if cap is not None and target + step / 2 > cap and dose < target - step / 2:
        assert target - step < dose <= cap  # the cap forced rounding down: less than one step below
    else:
        assert abs(dose - target) <= step / 2
    assert dose > 0
    assert (dose / step) == (dose / step).to_integral_value()


@given(weights_kg, weights_kg, per_kg_doses, caps, steps)
def test_non_decreasing_in_weight(
    first: Decimal, second: Decimal, per_kg: Decimal, cap: Decimal | None, step: Decimal
) -> None:
    light, heavy = sorted((first, second))
    spec = regimen(per_kg, cap, step)
    assert dose_value(spec, light) <= dose_value(spec, heavy)


@given(weights_kg, per_kg_doses, caps, steps, st.sampled_from(["mg/kg", "mcg/kg", "units/kg"]))
def test_amounts_are_plain_decimal_strings(
    weight: Decimal, per_kg: Decimal, cap: Decimal | None, step: Decimal, unit: str
) -> None:
    result = dose_or_none(regimen(per_kg, cap, step, unit), weight)
    if result is None:
        return
    assert PLAIN_DECIMAL.fullmatch(result["dose"]["value"])
    assert PLAIN_DECIMAL.fullmatch(result["volume"]["value"])
    assert PLAIN_DECIMAL.fullmatch(result["weight_kg"])
    assert result["dose"]["unit"] == unit.replace("/kg", "")


# ---- ranges (§3.2 revision 2): ends rounded inward, the dose kept inside them ---------------------------

range_ends = st.tuples(per_kg_doses, per_kg_doses).map(lambda pair: (min(pair), max(pair)))


def range_oracle(weight: Decimal, per_kg: Decimal, ends: tuple[Decimal, Decimal], cap: Decimal | None,
                 step: Decimal) -> tuple[Decimal, Decimal, Decimal] | None:
    """(min, max, dose) as §3.2 words them, with decimal's own rounding modes; None for no dose."""
    with localcontext() as context:
        context.prec = 60
        low, high = (weight * end if cap is None else min(weight * end, cap) for end in ends)
        shown_low = (low / step).quantize(Decimal(1), rounding=ROUND_CEILING) * step
        shown_high = (high / step).quantize(Decimal(1), rounding=ROUND_FLOOR) * step
        if shown_low > shown_high:
            return None
        dose = min(max(oracle(weight, per_kg, cap, step)[0], shown_low), shown_high)
        return (shown_low, shown_high, dose) if dose != 0 else None


@given(weights_kg, per_kg_doses, range_ends, caps, steps)
def test_range_ends_inward_and_the_dose_inside(
    weight: Decimal, per_kg: Decimal, ends: tuple[Decimal, Decimal], cap: Decimal | None, step: Decimal
) -> None:
    result = dose_or_none(regimen(per_kg, cap, step, ends=ends), weight)
    expected = range_oracle(weight, per_kg, ends, cap, step)
    if expected is None:
        assert result is None
        return
    assert result is not None
    shown = (Decimal(result["range"]["min"]["value"]), Decimal(result["range"]["max"]["value"]),
             Decimal(result["dose"]["value"]))
    assert shown == expected
    low, high = (weight * end if cap is None else min(weight * end, cap) for end in ends)
    assert low <= shown[0] <= shown[2] <= shown[1] <= high  # never outside the computed range
    assert Decimal(result["volume"]["value"]) == (shown[2] / 10).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@given(st.integers(min_value=1, max_value=11023).map(lambda tenths: Decimal(tenths) / 10))
def test_pounds_convert_before_rounding(pounds: Decimal) -> None:
    with localcontext() as context:
        context.prec = 60
        expected = (pounds * Decimal("0.45359237")).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    if expected <= 0:
        return
    assert parse_weight(str(pounds), "lb") == expected


@given(st.integers(min_value=1, max_value=5000000).map(lambda thousandths: Decimal(thousandths) / 1000))
def test_kilograms_round_half_up_to_a_tenth(kg: Decimal) -> None:
    expected = kg.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    if 0 < expected <= 500:
        assert parse_weight(str(kg)) == expected
        assert parse_weight(format(kg, "f"), "kg") == parse_weight(kg)


def test_the_format_example_is_35_2_not_35_1() -> None:
    result = compute_dose("p", "1.0", regimen(Decimal("0.5"), None, Decimal("0.1")), "70.3")
    assert result["dose"] == {"value": "35.2", "unit": "mg"}


# ---- continuous regimens: rate, total over the duration and pump rate from the rounded rate ------------

@given(weights_kg, per_kg_doses, caps, steps, st.sampled_from([("40 min", Decimal(40) / 60), ("4 h", Decimal(4)),
                                                               ("90 min", Decimal("1.5"))]),
       st.sampled_from([Decimal("1"), Decimal("2.5"), Decimal("10")]))
def test_continuous_figures_match_the_decimal_oracle(
    weight: Decimal, per_kg: Decimal, cap: Decimal | None, step: Decimal, duration: tuple[str, Decimal],
    per_ml: Decimal,
) -> None:
    spec = RegimenSpec(
        id="r", drug="d", route="IV", dose=Quantity(per_kg, "mg/kg/h", f"{per_kg} mg/kg/h"),
        max_dose=Quantity(cap, "mg/h", f"{cap} mg/h") if cap is not None else None,
        rounding=Quantity(step, "mg", f"{step} mg"),  # a mass step for a rate: per hour
        duration=Quantity(Decimal(duration[0].split()[0]), duration[0].split()[1], duration[0]),
        concentration=Quantity(per_ml, "mg/mL", f"{per_ml} mg/mL"),
    )
    rate, capped = oracle(weight, per_kg, cap, step)
    try:
        result = compute_dose("p", "1.0", spec, str(weight))
    except NoDose:
        assert rate == 0
        return
    with localcontext() as context:
        context.prec = 60
        total = (rate * duration[1]).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        pump = (rate / per_ml).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    assert (Decimal(result["rate"]["value"]), result["capped"]) == (rate, capped)
    assert result["rate"]["unit"] == "mg/h"
    assert Decimal(result["total"]["value"]) == total
    assert Decimal(result["pump_rate"]["value"]) == pump
