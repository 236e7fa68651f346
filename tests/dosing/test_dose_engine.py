import json
from decimal import Decimal
from types import SimpleNamespace

import pytest

from generator.dosing.dose_engine import (
    DoseError,
    NoDose,
    RegimenSpec,
    amount_unit,
    calculator_spec,
    compute_dose,
    devices_per_dose,
    evaluate_spec,
    kind,
    parse_weight,
    table_rows,
)
from generator.model.quantity import parse_quantity as q

KETAMINE = RegimenSpec(
    id="ketamine-iv", drug="ketamine", route="IV", dose=q("0.5 mg/kg"),
    dose_range_min=q("0.1 mg/kg"), dose_range_max=q("0.75 mg/kg"),
    duration=q("40 min"), concentration=q("10 mg/mL"),
)
INFUSION = RegimenSpec(
    id="ketamine-crps", drug="ketamine", route="IV", dose=q("0.35 mg/kg/h"),
    dose_range_min=q("0.1 mg/kg/h"), dose_range_max=q("0.35 mg/kg/h"),
    max_dose=q("25 mg/h"), duration=q("4 h"), concentration=q("1 mg/mL"),
)
ESKETAMINE = RegimenSpec(
    id="esketamine-in", drug="esketamine", route="intranasal", dose=q("56 mg"),
    dose_range_min=q("56 mg"), dose_range_max=q("84 mg"), options=(q("56 mg"), q("84 mg")),
    unit_dose=q("28 mg"),
)


def test_format_example_of_section_7() -> None:
    # The §7 example shows range min "7": under §3.2 (revision 2) range ends are rounded inward, and
    # 0.1 mg/kg x 70.3 kg = 7.03 mg rounds up to 7.1 mg (7 mg would leave the computed range).
    result = compute_dose("ketamine-trd", "1.0", KETAMINE, "70.3")
    assert json.dumps(result) == (
        '{"protocol": "ketamine-trd", "version": "1.0", "regimen": "ketamine-iv", "weight_kg": "70.3", '
        '"dose": {"value": "35.2", "unit": "mg"}, "capped": false, '
        '"range": {"min": {"value": "7.1", "unit": "mg"}, "max": {"value": "52.7", "unit": "mg"}}, '
        '"volume": {"value": "3.5", "unit": "mL"}, "warnings": []}'
    )


def test_keys_that_do_not_apply_are_absent() -> None:
    bare = RegimenSpec(id="r", drug="d", route="IV", dose=q("0.5 mg/kg"))
    assert compute_dose("p", "1.0", bare, "70") == {
        "protocol": "p", "version": "1.0", "regimen": "r", "weight_kg": "70",
        "dose": {"value": "35", "unit": "mg"}, "capped": False, "warnings": [],
    }


def test_cap_marks_capped_and_limits_range() -> None:
    capped = RegimenSpec(id="r", drug="d", route="IV", dose=q("0.5 mg/kg"), dose_range_min=q("0.1 mg/kg"),
                         dose_range_max=q("0.75 mg/kg"), max_dose=q("60 mg"), concentration=q("10 mg/mL"))
    result = compute_dose("p", "1.0", capped, "130")
    assert result["dose"] == {"value": "60", "unit": "mg"}
    assert result["capped"] is True
    assert result["range"] == {"min": {"value": "13", "unit": "mg"}, "max": {"value": "60", "unit": "mg"}}
    assert result["volume"] == {"value": "6", "unit": "mL"}
    assert compute_dose("p", "1.0", capped, "120")["capped"] is False  # 120 x 0.5 = 60: not above the cap


def test_rounding_that_would_exceed_the_cap_rounds_down() -> None:
    # 100 kg x 0.5 = 50 mg is capped at 49.96 mg; half up to 0.1 gives 50 > cap, so 49.9
    regimen = RegimenSpec(id="r", drug="d", route="IV", dose=q("0.5 mg/kg"), max_dose=q("49.96 mg"))
    result = compute_dose("p", "1.0", regimen, "100")
    assert result["dose"] == {"value": "49.9", "unit": "mg"}
    assert result["capped"] is True
    # 99.9 kg x 0.5 = 49.95 mg, below the cap, half up gives 50 > cap: down to 49.9, not capped
    result = compute_dose("p", "1.0", regimen, "99.9")
    assert result["dose"] == {"value": "49.9", "unit": "mg"}
    assert result["capped"] is False


def test_rounding_step_and_unit() -> None:
    regimen = RegimenSpec(id="r", drug="d", route="IV", dose=q("0.5 mg/kg"), rounding=q("2.5 mg"))
    assert compute_dose("p", "1.0", regimen, "70.3")["dose"] == {"value": "35", "unit": "mg"}
    assert compute_dose("p", "1.0", regimen, "72.5")["dose"] == {"value": "37.5", "unit": "mg"}
    in_mcg = RegimenSpec(id="r", drug="d", route="IV", dose=q("1 mcg/kg"), rounding=q("0.01 mg"))
    assert compute_dose("p", "1.0", in_mcg, "70.3")["dose"] == {"value": "70", "unit": "mcg"}


def test_half_up_not_half_even() -> None:
    # 70.5 kg x 0.5 mg/kg = 35.25 mg: half up gives 35.3 (half even and binary floats give 35.2)
    assert compute_dose("p", "1.0", KETAMINE, "70.5")["dose"] == {"value": "35.3", "unit": "mg"}
    assert compute_dose("p", "1.0", KETAMINE, "70.3")["dose"] == {"value": "35.2", "unit": "mg"}


def test_continuous_rate_total_and_pump_rate() -> None:
    result = compute_dose("ketamine-crps", "1.0", INFUSION, "60")
    assert result == {
        "protocol": "ketamine-crps", "version": "1.0", "regimen": "ketamine-crps", "weight_kg": "60",
        "rate": {"value": "21", "unit": "mg/h"}, "capped": False,
        "range": {"min": {"value": "6", "unit": "mg/h"}, "max": {"value": "21", "unit": "mg/h"}},
        "total": {"value": "84", "unit": "mg"}, "pump_rate": {"value": "21", "unit": "mL/h"}, "warnings": [],
    }
    capped = compute_dose("ketamine-crps", "1.0", INFUSION, "80")
    assert capped["rate"] == {"value": "25", "unit": "mg/h"}
    assert capped["capped"] is True
    assert capped["total"] == {"value": "100", "unit": "mg"}


def test_rate_per_minute_with_duration_in_minutes_and_concentration_in_mg() -> None:
    regimen = RegimenSpec(id="r", drug="d", route="IV", dose=q("2 mcg/kg/min"), duration=q("40 min"),
                          concentration=q("1 mg/mL"))
    result = compute_dose("p", "1.0", regimen, "70.3")
    assert result["rate"] == {"value": "140.6", "unit": "mcg/min"}
    assert result["total"] == {"value": "5624", "unit": "mcg"}  # 140.6 mcg/min x 40 min
    assert result["pump_rate"] == {"value": "8.4", "unit": "mL/h"}  # 8436 mcg/h / 1000 mcg/mL = 8.436


def test_total_uses_the_rounded_rate_and_converts_the_duration() -> None:
    # 0.35 mg/kg/h x 70.3 kg = 24.605 -> 24.6 mg/h; over 40 min: 24.6 x 2/3 = 16.4 mg
    regimen = RegimenSpec(id="r", drug="d", route="IV", dose=q("0.35 mg/kg/h"), duration=q("40 min"))
    result = compute_dose("p", "1.0", regimen, "70.3")
    assert result["rate"] == {"value": "24.6", "unit": "mg/h"}
    assert result["total"] == {"value": "16.4", "unit": "mg"}
    assert "pump_rate" not in result
    mcg_per_hour = RegimenSpec(id="r", drug="d", route="IV", dose=q("0.5 mcg/kg/h"), max_dose=q("0.03 mg/h"))
    result = compute_dose("p", "1.0", mcg_per_hour, "70")
    assert result["rate"] == {"value": "30", "unit": "mcg/h"}
    assert result["capped"] is True


def test_fixed_dose_is_the_same_for_every_weight() -> None:
    light = compute_dose("esketamine-trd", "1.0", ESKETAMINE, "45")
    heavy = compute_dose("esketamine-trd", "1.0", ESKETAMINE, "120", unit="lb")
    assert light["dose"] == heavy["dose"] == {"value": "56", "unit": "mg"}
    assert light["range"] == {"min": {"value": "56", "unit": "mg"}, "max": {"value": "84", "unit": "mg"}}
    assert heavy["weight_kg"] == "54.4"
    assert devices_per_dose(q("56 mg"), q("28 mg")) == 2
    assert devices_per_dose(q("84 mg"), q("28 mg")) == 3
    assert devices_per_dose(q("0.5 g"), q("250 mg")) == 2
    with pytest.raises(DoseError, match=r"^dose 70 mg is not a whole multiple of unit_dose 28 mg$"):
        devices_per_dose(q("70 mg"), q("28 mg"))
    with pytest.raises(DoseError, match=r"^dose 5 mL cannot be made from unit_dose 28 mg$"):
        devices_per_dose(q("5 mL"), q("28 mg"))


def test_fixed_rate_gives_rate_total_and_pump_rate() -> None:
    regimen = RegimenSpec(id="r", drug="d", route="IV", dose=q("22 mg/h"), duration=q("4 days"),
                          concentration=q("2 mg/mL"))
    result = compute_dose("p", "1.0", regimen, "70")
    assert result["rate"] == {"value": "22", "unit": "mg/h"}
    assert result["total"] == {"value": "2112", "unit": "mg"}
    assert result["pump_rate"] == {"value": "11", "unit": "mL/h"}


@pytest.mark.parametrize(
    ("dose", "expected_kind", "unit"),
    [("0.5 mg/kg", "bolus", "mg"), ("80 units/kg", "bolus", "units"), ("0.35 mg/kg/h", "continuous", "mg/h"),
     ("2 mcg/kg/min", "continuous", "mcg/min"), ("18 units/kg/h", "continuous", "units/h"),
     ("56 mg", "fixed", "mg"), ("5000 units", "fixed", "units"), ("22 mg/h", "fixed", "mg/h")],
)
def test_kind_and_amount_unit(dose: str, expected_kind: str, unit: str) -> None:
    regimen = RegimenSpec(id="r", drug="d", route="IV", dose=q(dose))
    assert kind(regimen) == expected_kind
    assert amount_unit(regimen) == unit


def test_kind_refuses_a_volume() -> None:
    with pytest.raises(DoseError, match=r"^dose 5 mL is not a dose unit"):
        kind(RegimenSpec(id="r", drug="d", route="IV", dose=q("5 mL")))


def test_units_that_do_not_combine() -> None:
    wrong_cap = RegimenSpec(id="r", drug="d", route="IV", dose=q("0.5 mg/kg"), max_dose=q("60 mL"))
    with pytest.raises(DoseError, match=r"^max_dose 60 mL: cannot convert 60 mL \(volume\) to mg \(mass\)$"):
        compute_dose("p", "1.0", wrong_cap, "70")
    inexact = RegimenSpec(id="r", drug="d", route="IV", dose=q("2 mcg/kg/min"), max_dose=q("1 mg/h"))
    with pytest.raises(DoseError, match=r"^max_dose cannot be written exactly in mcg/min: write it in mcg/min$"):
        compute_dose("p", "1.0", inexact, "70")
    monthly = RegimenSpec(id="r", drug="d", route="IV", dose=q("1 mg/kg/h"), duration=q("1 month"))
    with pytest.raises(DoseError, match=r"^duration 1 month cannot be combined with a rate in mg/h$"):
        compute_dose("p", "1.0", monthly, "70")


@pytest.mark.parametrize(
    ("weight", "unit", "kg"),
    [("70.3", "kg", "70.3"), (" 70 ", "kg", "70"), ("70.", "kg", "70"), ("70.25", "kg", "70.3"),
     ("70.249", "kg", "70.2"), ("154", "lb", "69.9"), ("1", "lb", "0.5"), ("0.05", "kg", "0.1"),
     ("500.04", "kg", "500"), (Decimal("70.30"), "kg", "70.3"), (70, "kg", "70"), (70.3, "kg", "70.3"),
     ("1102.3", "lb", "500")],
)
def test_parse_weight(weight: str | Decimal | int | float, unit: str, kg: str) -> None:
    assert parse_weight(weight, unit) == Decimal(kg)
    assert str(parse_weight(weight, unit)) == kg


@pytest.mark.parametrize(
    ("weight", "unit", "message"),
    [
        ("abc", "kg", 'weight "abc" is not a number: use digits and a decimal point, e.g. 70.3'),
        ("", "kg", 'weight "" is not a number: use digits and a decimal point, e.g. 70.3'),
        ("70,3", "kg", 'weight "70,3" is not a number: use digits and a decimal point, e.g. 70.3'),
        ("1e3", "kg", 'weight "1e3" is not a number: use digits and a decimal point, e.g. 70.3'),
        ("NaN", "kg", 'weight "NaN" is not a number: use digits and a decimal point, e.g. 70.3'),
        (True, "kg", 'weight "True" is not a number: use digits and a decimal point, e.g. 70.3'),
        ("0", "kg", "weight must be more than 0 kg"),
        ("0.04", "kg", "weight must be more than 0 kg"),
        ("-70", "kg", "weight must be more than 0 kg"),
        ("500.05", "kg", "weight 500.1 kg is more than 500 kg; check the weight and its unit"),
        ("1200", "lb", "weight 544.3 kg (1200 lb) is more than 500 kg; check the weight and its unit"),
        ("70", "st", 'weight unit "st" is not kg or lb'),
    ],
)
def test_refused_weights(weight: str, unit: str, message: str) -> None:
    with pytest.raises(DoseError) as caught:
        parse_weight(weight, unit)
    assert str(caught.value) == message
    with pytest.raises(DoseError):
        compute_dose("p", "1.0", KETAMINE, weight, unit)


def test_weight_outside_the_table_gives_a_warning() -> None:
    above = compute_dose("p", "1.0", KETAMINE, "130", table_range=(q("40 kg"), q("120 kg")))
    assert above["warnings"] == ["weight 130 kg is outside the dose table (40 to 120 kg); check the dose"]
    assert above["dose"] == {"value": "65", "unit": "mg"}
    below = compute_dose("p", "1.0", KETAMINE, "39.9", table_range=SimpleNamespace(from_=q("40 kg"), to=q("120 kg")))
    assert below["warnings"] == ["weight 39.9 kg is outside the dose table (40 to 120 kg); check the dose"]
    edge = compute_dose("p", "1.0", KETAMINE, "120", table_range=(Decimal(40), Decimal(120)))
    assert edge["warnings"] == []


def test_calculator_spec_of_the_example() -> None:
    spec = calculator_spec("ketamine-trd", "1.0", KETAMINE, (q("40 kg"), q("120 kg")))
    assert spec == {
        "format": 1, "protocol": "ketamine-trd", "version": "1.0", "regimen": "ketamine-iv",
        "kind": "bolus", "amount_key": "dose", "unit": "mg", "per_kg": "0.5",
        "range": {"min": "0.1", "max": "0.75"}, "step": "0.1",
        "derived": [{"key": "volume", "unit": "mL", "step": "0.1", "multiply": "1", "divide": "10"}],
        "weight": {"step": "0.1", "lb_in_kg": "0.45359237", "max_kg": "500"},
        "table": {"from": "40", "to": "120"},
    }
    assert json.loads(json.dumps(spec)) == spec
    assert evaluate_spec(spec, "70.3") == compute_dose("ketamine-trd", "1.0", KETAMINE, "70.3", table_range=(40, 120))


def test_calculator_spec_of_an_infusion() -> None:
    regimen = RegimenSpec(id="r", drug="d", route="IV", dose=q("2 mcg/kg/min"), duration=q("40 min"),
                          concentration=q("1 mg/mL"), max_dose=q("18 mg/h"), rounding=q("1 mcg"))
    spec = calculator_spec("p", "1.0", regimen)
    assert spec["amount_key"] == "rate"
    assert spec["unit"] == "mcg/min"
    assert spec["cap"] == "300"
    assert spec["step"] == "1"
    assert spec["derived"] == [
        {"key": "total", "unit": "mcg", "step": "0.1", "multiply": "40", "divide": "1"},
        {"key": "pump_rate", "unit": "mL/h", "step": "0.1", "multiply": "60", "divide": "1000"},
    ]
    assert "table" not in spec


def test_from_model_reads_attributes() -> None:
    model = SimpleNamespace(
        id="ketamine-iv", drug="ketamine", route="IV", dose=q("0.5 mg/kg"),
        dose_range=SimpleNamespace(min=q("0.1 mg/kg"), max=q("0.75 mg/kg")), options=None, max_dose=None,
        duration=q("40 min"), concentration=q("10 mg/mL"), unit_dose=None, rounding=None, cite=[], notes=None,
    )
    assert RegimenSpec.from_model(model) == KETAMINE
    assert compute_dose("ketamine-trd", "1.0", model, "70.3") == compute_dose("ketamine-trd", "1.0", KETAMINE, "70.3")


def test_table_rows() -> None:
    rows = table_rows(KETAMINE, 40, 120, 5, protocol_id="ketamine-trd", version="1.0")
    assert [row["weight_kg"] for row in rows] == [str(w) for w in range(40, 121, 5)]
    assert rows[0]["dose"] == {"value": "20", "unit": "mg"}
    assert rows[-1]["volume"] == {"value": "6", "unit": "mL"}
    assert all(row["warnings"] == [] for row in rows)
    assert [row["weight_kg"] for row in table_rows(KETAMINE, q("40 kg"), q("50 kg"), q("4 kg"))] == ["40", "44", "48"]
    with pytest.raises(DoseError, match=r"^dose table from 40 to 1,000 kg in steps of 1 kg has more than 200 rows$"):
        table_rows(KETAMINE, 40, 1000, 1)
    with pytest.raises(DoseError, match=r"^dose table from 40 to 120 kg in steps of 0 kg has no rows$"):
        table_rows(KETAMINE, 40, 120, 0)


def test_a_float_weighs_what_javascript_string_of_it_says() -> None:
    # dosecalc.js receives numbers from the page and reads them as String(number)
    assert parse_weight(70.0) == Decimal("70")
    assert parse_weight(0.1 + 0.2) == Decimal("0.3")
    refusals = {
        1e16: "weight 10000000000000000 kg is more than 500 kg; check the weight and its unit",
        1e21: 'weight "1e+21" is not a number: use digits and a decimal point, e.g. 70.3',
        float("nan"): 'weight "NaN" is not a number: use digits and a decimal point, e.g. 70.3',
        1e-7: 'weight "1e-7" is not a number: use digits and a decimal point, e.g. 70.3',
    }
    for weight, message in refusals.items():
        with pytest.raises(DoseError) as caught:
            parse_weight(weight)
        assert str(caught.value) == message


def test_a_weight_longer_than_twenty_characters_is_refused_without_echoing_it() -> None:
    import pytest

    from generator.dosing.dose_engine import DoseError, parse_weight

    with pytest.raises(DoseError, match="^weight has more than 20 characters: type it in kg or lb, e.g. 70.3$"):
        parse_weight("1" * 5000)


# ---- §3.2 revision 2: inward range ends, doses kept inside them, weights without a dose ----------


def _coarse(rounding: str, **fields: object) -> RegimenSpec:
    values: dict[str, object] = {"dose": q("0.5 mg/kg"), "dose_range_min": q("0.1 mg/kg"),
                                 "dose_range_max": q("0.75 mg/kg"), "rounding": q(rounding)}
    values.update(fields)
    return RegimenSpec(id="r", drug="d", route="IV", **values)  # type: ignore[arg-type]


def test_range_ends_are_rounded_inward_never_outside_the_computed_range() -> None:
    # the case: 0.75 mg/kg x 120 kg = 90 mg; half up to 7 mg would show 91 mg
    result = compute_dose("p", "1.0", _coarse("7 mg"), "120")
    assert result["range"] == {"min": {"value": "14", "unit": "mg"}, "max": {"value": "84", "unit": "mg"}}
    assert result["dose"] == {"value": "63", "unit": "mg"}  # 60 mg half up to 7 mg
    # 0.1 mg/kg x 70.3 kg = 7.03 mg: the minimum goes up to 7.1 mg, the maximum 52.725 mg down to 52.7 mg
    assert compute_dose("p", "1.0", KETAMINE, "70.3")["range"] == {
        "min": {"value": "7.1", "unit": "mg"}, "max": {"value": "52.7", "unit": "mg"}}
    # an end that is already a multiple of the step stays where it is
    assert compute_dose("p", "1.0", _coarse("7 mg"), "140")["range"]["max"] == {"value": "105", "unit": "mg"}


def test_a_dose_that_rounds_past_a_shown_end_is_that_end() -> None:
    # above the shown maximum: 0.5 mg/kg x 29 kg = 14.5 mg rounds half up to 15 mg, but the range
    # 13.05 to 14.5 mg shows 14 to 14 mg
    one = _coarse("1 mg", dose_range_min=q("0.45 mg/kg"), dose_range_max=q("0.5 mg/kg"))
    result = compute_dose("p", "1.0", one, "29")
    assert result["range"] == {"min": {"value": "14", "unit": "mg"}, "max": {"value": "14", "unit": "mg"}}
    assert result["dose"] == {"value": "14", "unit": "mg"}
    # below the shown minimum: 0.45 mg/kg x 23 kg = 10.35 mg rounds to 10 mg; the minimum 10.35 mg shows 11 mg
    low = _coarse("1 mg", dose=q("0.45 mg/kg"), dose_range_min=q("0.45 mg/kg"), dose_range_max=q("0.6 mg/kg"))
    result = compute_dose("p", "1.0", low, "23")
    assert result["range"] == {"min": {"value": "11", "unit": "mg"}, "max": {"value": "13", "unit": "mg"}}
    assert result["dose"] == {"value": "11", "unit": "mg"}


def test_derived_figures_come_from_the_dose_kept_inside_the_range() -> None:
    one = _coarse("1 mg", dose_range_min=q("0.45 mg/kg"), dose_range_max=q("0.5 mg/kg"), concentration=q("10 mg/mL"))
    assert compute_dose("p", "1.0", one, "29")["volume"] == {"value": "1.4", "unit": "mL"}  # 14 mg, not 15 mg


def test_a_capped_range_without_a_multiple_of_the_step_has_no_dose() -> None:
    # 0.5 to 0.75 mg/kg capped at 60 mg, step 7 mg: at 119 kg the range 59.5 to 60 mg holds no multiple of 7;
    # at 130 kg both ends are capped to 60 mg, and 60 to 60 mg holds none either
    capped = _coarse("7 mg", dose_range_min=q("0.5 mg/kg"), max_dose=q("60 mg"))
    assert compute_dose("p", "1.0", capped, "100")["range"] == {
        "min": {"value": "56", "unit": "mg"}, "max": {"value": "56", "unit": "mg"}}
    with pytest.raises(NoDose) as refused:
        compute_dose("p", "1.0", capped, "130")
    assert str(refused.value) == ("no dose for 130 kg: no multiple of the rounding step of 7 mg lies in the range "
                                  "60 to 60 mg; the step is too coarse for this regimen")
    with pytest.raises(NoDose, match="^no dose for 119 kg: .* in the range 59.5 to 60 mg; "):
        compute_dose("p", "1.0", capped, "119")


def test_a_dose_that_rounds_to_zero_is_no_dose() -> None:
    coarse = RegimenSpec(id="r", drug="d", route="IV", dose=q("0.5 mg/kg"), rounding=q("1000 mg"))
    with pytest.raises(NoDose) as refused:
        compute_dose("p", "1.0", coarse, "70")
    assert str(refused.value) == ("no dose for 70 kg: 35 mg rounds to 0 mg at the rounding step of 1000 mg; "
                                  "the step is too coarse for this regimen")
    assert isinstance(refused.value, DoseError)  # the command line and the calculator refuse it like a bad weight
    # 1000 kg would round to 500 mg -> 1000 mg, but weights stop at 500 kg; the default step of 0.1 mg:
    tiny = RegimenSpec(id="r", drug="d", route="IV", dose=q("0.001 mg/kg"))
    with pytest.raises(NoDose, match="^no dose for 40 kg: 0.04 mg rounds to 0 mg at the rounding step of 0.1 mg; "):
        compute_dose("p", "1.0", tiny, "40")
    assert compute_dose("p", "1.0", tiny, "50")["dose"] == {"value": "0.1", "unit": "mg"}  # 0.05 rounds half up


def test_a_cap_below_half_a_step_rounds_down_to_no_dose() -> None:
    # 600 mg half up to 1000 mg is above the cap of 600 mg: down to 0 mg, so no dose
    capped = RegimenSpec(id="r", drug="d", route="IV", dose=q("10 mg/kg"), max_dose=q("600 mg"),
                         rounding=q("1000 mg"))
    with pytest.raises(NoDose) as refused:
        compute_dose("p", "1.0", capped, "70")
    assert str(refused.value) == ("no dose for 70 kg: 600 mg rounds to 0 mg at the rounding step of 1000 mg; "
                                  "the step is too coarse for this regimen")


def test_a_range_without_a_multiple_of_the_step_is_no_dose_for_a_rate() -> None:
    rate = RegimenSpec(id="r", drug="d", route="IV", dose=q("0.5 mg/kg/h"), dose_range_min=q("0.45 mg/kg/h"),
                       dose_range_max=q("0.5 mg/kg/h"), rounding=q("5 mg"))
    with pytest.raises(NoDose) as refused:
        compute_dose("p", "1.0", rate, "13")
    assert str(refused.value) == ("no dose for 13 kg: no multiple of the rounding step of 5 mg/h lies in the range "
                                  "5.85 to 6.5 mg/h; the step is too coarse for this regimen")
    assert compute_dose("p", "1.0", rate, "20")["rate"] == {"value": "10", "unit": "mg/h"}


def test_fixed_doses_are_not_rounded_and_always_have_a_dose() -> None:
    assert compute_dose("p", "1.0", ESKETAMINE, "3")["dose"] == {"value": "56", "unit": "mg"}
