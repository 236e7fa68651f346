"""Properties of the dose engine over many weights, doses, caps and rounding steps.

The oracle is Python's decimal module with ROUND_HALF_UP at high precision, an implementation
independent of the engine's rational arithmetic.
"""

import re
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, localcontext

from hypothesis import given
from hypothesis import strategies as st

from generator.dosing import RegimenSpec, compute_dose, parse_weight
from generator.quantity import Quantity

PLAIN_DECIMAL = re.compile(r"(0|[1-9][0-9]*)(\.[0-9]*[1-9])?")

weights_kg = st.integers(min_value=1, max_value=5000).map(lambda tenths: Decimal(tenths) / 10)
per_kg_doses = st.integers(min_value=1, max_value=20000).map(lambda thousandths: Decimal(thousandths) / 1000)
caps = st.none() | st.integers(min_value=1, max_value=100000).map(lambda hundredths: Decimal(hundredths) / 100)
steps = st.sampled_from([Decimal("0.1"), Decimal("0.05"), Decimal("0.25"), Decimal("0.5"), Decimal("1"),
                         Decimal("2.5"), Decimal("0.01")])


def regimen(per_kg: Decimal, cap: Decimal | None, step: Decimal, unit: str = "mg/kg") -> RegimenSpec:
    amount = unit.replace("/kg", "")
    return RegimenSpec(
        id="r", drug="d", route="IV", dose=Quantity(per_kg, unit, f"{per_kg} {unit}"),
        max_dose=Quantity(cap, amount, f"{cap} {amount}") if cap is not None else None,
        rounding=Quantity(step, amount, f"{step} {amount}"),
        concentration=Quantity(Decimal("10"), f"{amount}/mL", f"10 {amount}/mL"),
    )


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
    result = compute_dose("p", "1.0", regimen(per_kg, cap, step), str(weight))
    expected, capped = oracle(weight, per_kg, cap, step)
    assert Decimal(result["dose"]["value"]) == expected
    assert result["capped"] is capped
    volume = (expected / 10).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    assert Decimal(result["volume"]["value"]) == volume


@given(weights_kg, per_kg_doses, caps, steps)
def test_never_above_the_cap(weight: Decimal, per_kg: Decimal, cap: Decimal | None, step: Decimal) -> None:
    result = compute_dose("p", "1.0", regimen(per_kg, cap, step), str(weight))
    if cap is not None:
        assert Decimal(result["dose"]["value"]) <= cap


@given(weights_kg, per_kg_doses, caps, steps)
def test_within_half_a_step_of_the_exact_product(
    weight: Decimal, per_kg: Decimal, cap: Decimal | None, step: Decimal
) -> None:
    dose = Decimal(compute_dose("p", "1.0", regimen(per_kg, cap, step), str(weight))["dose"]["value"])
    target = weight * per_kg if cap is None else min(weight * per_kg, cap)
    if cap is not None and target + step / 2 > cap and dose < target - step / 2:
        assert target - step < dose <= cap  # the cap forced rounding down: less than one step below
    else:
        assert abs(dose - target) <= step / 2
    assert (dose / step) == (dose / step).to_integral_value()


@given(weights_kg, weights_kg, per_kg_doses, caps, steps)
def test_non_decreasing_in_weight(
    first: Decimal, second: Decimal, per_kg: Decimal, cap: Decimal | None, step: Decimal
) -> None:
    light, heavy = sorted((first, second))
    spec = regimen(per_kg, cap, step)
    light_dose = Decimal(compute_dose("p", "1.0", spec, str(light))["dose"]["value"])
    heavy_dose = Decimal(compute_dose("p", "1.0", spec, str(heavy))["dose"]["value"])
    assert light_dose <= heavy_dose


@given(weights_kg, per_kg_doses, caps, steps, st.sampled_from(["mg/kg", "mcg/kg", "units/kg"]))
def test_amounts_are_plain_decimal_strings(
    weight: Decimal, per_kg: Decimal, cap: Decimal | None, step: Decimal, unit: str
) -> None:
    result = compute_dose("p", "1.0", regimen(per_kg, cap, step, unit), str(weight))
    assert PLAIN_DECIMAL.fullmatch(result["dose"]["value"])
    assert PLAIN_DECIMAL.fullmatch(result["volume"]["value"])
    assert PLAIN_DECIMAL.fullmatch(result["weight_kg"])
    assert result["dose"]["unit"] == unit.replace("/kg", "")


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
