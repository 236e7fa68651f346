"""dose_evaluation.PreparedSpec: evaluate_kg (the dose tables' weights rounded in integers) gives exactly what
evaluate_spec (the weight parsed by parse_weight) gives, row by row; has_dose and weights_without_dose agree
with it. The arithmetic itself is checked against an independent oracle in test_dose_engine_properties.py and
against dosecalc.js in test_dose_calculator_node.py."""

from decimal import Decimal
from fractions import Fraction

import pytest
from helpers import SAMPLE_LIBRARY
from hypothesis import given
from hypothesis import strategies as st

from generator.dosing.dose_engine import DoseError, NoDose, RegimenSpec, calculator_spec, evaluate_spec, table_rows
from generator.dosing.dose_evaluation import PreparedSpec, _plain_decimal
from generator.load.library import load_library
from generator.model.quantity import Quantity, format_number, fraction_to_decimal

tenths = st.integers(min_value=-20, max_value=5100).map(lambda n: Decimal(n) / 10)
hundredths = st.integers(min_value=-20, max_value=51000).map(lambda n: Decimal(n) / 100)
table_weights = tenths | hundredths | st.sampled_from([Decimal("2.25"), Decimal("2.35"), Decimal("500.04"),
                                                       Decimal("500.05"), Decimal("0.04"), Decimal("0.05"),
                                                       Decimal("1.0000000000000000000001")])
amounts = st.integers(min_value=1, max_value=200000).map(lambda n: Decimal(n) / 1000)
steps = st.sampled_from(["0.1", "0.05", "0.25", "0.5", "1", "2.5", "0.01", "7", "50", "1000", "12.5"])


def _quantity(value: Decimal, unit: str) -> Quantity:
    return Quantity(value, unit, f"{value} {unit}")


@st.composite
def regimens(draw: st.DrawFn) -> RegimenSpec:
    unit = draw(st.sampled_from(["mg/kg", "mcg/kg/min", "mg/kg/h", "mg", "units/kg"]))
    amount_unit = unit.replace("/kg", "")
    mass = amount_unit.split("/")[0]
    low, dose, high = sorted(draw(amounts) for _ in range(3))
    ranged = draw(st.booleans())
    return RegimenSpec(
        id="r", drug="d", route="IV", dose=_quantity(dose, unit),
        dose_range_min=_quantity(low, unit) if ranged else None,
        dose_range_max=_quantity(high, unit) if ranged else None,
        max_dose=draw(st.none() | amounts.map(lambda cap: _quantity(cap, amount_unit))),
        rounding=_quantity(Decimal(draw(steps)), amount_unit),
        concentration=draw(st.none() | st.sampled_from([_quantity(Decimal("10"), f"{mass}/mL"),
                                                         _quantity(Decimal("2.5"), f"{mass}/mL")])),
        duration=_quantity(Decimal("40"), "min") if "/" in amount_unit and draw(st.booleans()) else None,
    )


def _outcome(evaluate, weight: Decimal) -> object:  # noqa: ANN001 - either evaluator
    try:
        return evaluate(weight)
    except DoseError as error:
        return ("DoseError", str(error))


@given(regimens(), table_weights, st.booleans())
def test_prepared_spec_equals_evaluate_spec(regimen: RegimenSpec, weight: Decimal, with_table: bool) -> None:
    spec = calculator_spec("p", "1.0", regimen, (Decimal("3"), Decimal("120")) if with_table else None)
    prepared = PreparedSpec(spec)
    assert _outcome(prepared.evaluate_kg, weight) == _outcome(lambda kg: evaluate_spec(spec, kg), weight)


@given(regimens(), st.integers(min_value=1, max_value=5000).map(lambda n: Decimal(n) / 10))
def test_has_dose_is_whether_evaluate_spec_gives_one(regimen: RegimenSpec, weight: Decimal) -> None:
    spec = calculator_spec("p", "1.0", regimen)
    try:
        evaluate_spec(spec, weight)
    except NoDose:
        expected = False
    else:
        expected = True
    assert PreparedSpec(spec).has_dose(weight) is expected


def test_a_weight_without_a_dose_gives_the_same_no_dose() -> None:
    coarse = RegimenSpec(id="r", drug="d", route="IV", dose=_quantity(Decimal("0.5"), "mg/kg"),
                         rounding=_quantity(Decimal("1000"), "mg"))
    spec = calculator_spec("p", "1.0", coarse)
    assert not PreparedSpec(spec).has_dose(Decimal("70"))
    with pytest.raises(NoDose, match="^no dose for 70 kg: 35 mg rounds to 0 mg at the rounding step of 1000 mg; "):
        PreparedSpec(spec).evaluate_kg(Decimal("70"))


def test_refused_weights_give_the_same_message() -> None:
    spec = calculator_spec("p", "1.0", RegimenSpec(id="r", drug="d", route="IV",
                                                   dose=_quantity(Decimal("1"), "mg/kg")))
    with pytest.raises(DoseError, match="^weight must be more than 0 kg$"):
        PreparedSpec(spec).evaluate_kg(Decimal("0.04"))
    with pytest.raises(DoseError, match="^weight 500.1 kg is more than 500 kg; check the weight and its unit$"):
        PreparedSpec(spec).evaluate_kg(Decimal("500.05"))


def test_every_sample_table_equals_evaluate_spec_row_by_row() -> None:
    library = load_library(SAMPLE_LIBRARY)
    compared = 0
    for protocol in library.protocols.values():
        for version in protocol.versions.values():
            doc = version.doc
            regimens_by_id = {regimen.id: regimen for regimen in doc.regimens}
            for table in doc.dose_tables:
                weights = table.weights
                regimen = regimens_by_id[table.regimen]
                rows = table_rows(regimen, weights.from_, weights.to, weights.step, protocol.id, doc.version)
                spec = calculator_spec(protocol.id, doc.version, regimen, weights)
                start, step = Decimal(rows[0]["weight_kg"]), Decimal(weights.step.value)
                expected = [evaluate_spec(spec, start + index * step) for index in range(len(rows))]
                assert rows == expected
                compared += len(rows)
    assert compared > 0


@given(st.integers(min_value=-(10**40), max_value=10**40),
       st.sampled_from([1, 2, 3, 4, 5, 8, 10, 16, 20, 25, 40, 100, 125, 1000, 3125, 6, 7, 10**30, 2**70]))
def test_plain_decimal_is_format_number_of_fraction_to_decimal(numerator: int, denominator: int) -> None:
    value = Fraction(numerator, denominator)
    assert _plain_decimal(value) == format_number(fraction_to_decimal(value), group=False)


def test_plain_decimal_examples() -> None:
    assert [_plain_decimal(Fraction(text)) for text in ("0", "12.50", "0.05", "-3.2", "1000")] == [
        "0", "12.5", "0.05", "-3.2", "1000"]


@given(regimens(), st.integers(min_value=1, max_value=2000), st.integers(min_value=1, max_value=100),
       st.integers(min_value=1, max_value=60))
def test_weights_without_dose_equals_looking_at_every_row(regimen: RegimenSpec, start: int, step: int,
                                                          rows: int) -> None:
    """The shortcut from the lightest weight (PreparedSpec._every_heavier_weight_has_a_dose) never hides a row."""
    spec = calculator_spec("p", "1.0", regimen)
    weights = [Decimal(start + row * step) / 10 for row in range(rows) if start + row * step <= 5000]
    prepared = PreparedSpec(spec)
    expected = [weight for weight in weights if not prepared.has_dose(weight)]
    assert prepared.weights_without_dose(weights) == expected


def test_the_shortcut_is_taken_and_refused_where_it_should_be() -> None:
    def prepared(**fields: object) -> PreparedSpec:
        values: dict[str, object] = {"dose": _quantity(Decimal("0.5"), "mg/kg"),
                                     "dose_range_min": _quantity(Decimal("0.1"), "mg/kg"),
                                     "dose_range_max": _quantity(Decimal("0.75"), "mg/kg")}
        values.update(fields)
        return PreparedSpec(calculator_spec("p", "1.0", RegimenSpec(id="r", drug="d", route="IV", **values)))

    seven = _quantity(Decimal("7"), "mg")
    assert prepared(rounding=seven)._every_heavier_weight_has_a_dose(Decimal(40))  # 26 mg wide at 40 kg
    assert not prepared(rounding=seven)._every_heavier_weight_has_a_dose(Decimal(10))  # 6.5 mg wide
    # a cap that is not a multiple of the step: once both ends are capped, no multiple lies in the range
    capped = prepared(rounding=seven, max_dose=_quantity(Decimal("60"), "mg"),
                      dose_range_min=_quantity(Decimal("0.5"), "mg/kg"))
    assert not capped._every_heavier_weight_has_a_dose(Decimal(40))
    assert capped.weights_without_dose([Decimal(40), Decimal(119), Decimal(500)]) == [Decimal(119), Decimal(500)]
