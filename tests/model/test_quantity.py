from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from generator.model.frequency import Frequency, parse_frequency
from generator.model.quantity import (
    QuantityError,
    compare_quantities,
    dimensions_compatible,
    format_length,
    format_number,
    format_quantity,
    format_range,
    parse_quantity,
    to_unit,
    to_unit_exact,
    unit_dimension,
)


@pytest.mark.parametrize(
    ("text", "value", "unit", "dimension"),
    [
        ("5 mg", "5", "mg", "mass"),
        ("0.5 mg/kg", "0.5", "mg/kg", "mass/kg"),
        ("200 mcg", "200", "mcg", "mass"),
        ("1 g", "1", "g", "mass"),
        ("5000 units", "5000", "units", "units"),
        ("80 units/kg", "80", "units/kg", "units/kg"),
        ("0.35 mg/kg/h", "0.35", "mg/kg/h", "mass/kg/time"),
        ("2 mcg/kg/min", "2", "mcg/kg/min", "mass/kg/time"),
        ("18 units/kg/h", "18", "units/kg/h", "units/kg/time"),
        ("22 mg/h", "22", "mg/h", "mass/time"),
        ("1000 units/h", "1000", "units/h", "units/time"),
        ("3.5 mL", "3.5", "mL", "volume"),
        ("10 mg/mL", "10", "mg/mL", "mass/volume"),
        ("100 units/mL", "100", "units/mL", "units/volume"),
        ("12.5 mL/h", "12.5", "mL/h", "volume/time"),
        ("40 min", "40", "min", "time"),
        ("40 mins", "40", "min", "time"),
        ("4 h", "4", "h", "time"),
        ("1 day", "1", "day", "time"),
        ("10 days", "10", "day", "time"),
        ("2 weeks", "2", "week", "time"),
        ("1 week", "1", "week", "time"),
        ("6 months", "6", "month", "time"),
        ("70 kg", "70", "kg", "weight"),
        ("0 mg", "0", "mg", "mass"),
    ],
)
def test_parse_valid_quantities(text: str, value: str, unit: str, dimension: str) -> None:
    q = parse_quantity(text)
    assert q.value == Decimal(value)
    assert q.unit == unit
    assert q.text == text
    assert q.dimension == dimension


@pytest.mark.parametrize(
    ("text", "code", "message", "hint"),
    [
        ("5mg", "P108", 'malformed quantity "5mg": write NUMBER UNIT with one space, e.g. "5 mg"',
         'write "5 mg"'),
        ("5  mg", "P108", 'malformed quantity "5  mg": write NUMBER UNIT with one space, e.g. "5 mg"',
         'write "5 mg"'),
        ("mg", "P108", 'malformed quantity "mg": write NUMBER UNIT with one space, e.g. "5 mg"', ""),
        ("", "P108", 'malformed quantity "": write NUMBER UNIT with one space, e.g. "5 mg"', ""),
        ("5.0 mg", "P209", 'trailing zero in "5.0 mg": write "5 mg"',
         "a trailing zero is misread as a tenfold dose: 5.0 is read as 50"),
        ("0.50 mg/kg", "P209", 'trailing zero in "0.50 mg/kg": write "0.5 mg/kg"',
         "a trailing zero is misread as a tenfold dose: 5.0 is read as 50"),
        (".5 mg", "P209", 'missing leading zero in ".5 mg": write "0.5 mg"',
         "a bare decimal point is easily missed: .5 is read as 5"),
        ("5 ug", "P109", 'unsafe unit spelling "ug" in "5 ug": write "5 mcg"', '"ug" is misread as "mg"'),
        ("5 µg", "P109", 'unsafe unit spelling "µg" in "5 µg": write "5 mcg"', '"µg" is misread as "mg"'),
        ("2 ug/kg", "P109", 'unsafe unit spelling "ug/kg" in "2 ug/kg": write "2 mcg/kg"',
         '"ug" is misread as "mg"'),
        ("1 U/kg/h", "P109", 'unsafe unit spelling "U/kg/h" in "1 U/kg/h": write "1 units/kg/h"',
         '"U" is misread as "0" or "4"'),
        ("10 IU", "P109", 'unsafe unit spelling "IU" in "10 IU": write "10 units"',
         '"IU" is misread as "IV" or "10"'),
        ("3 cc", "P109", 'unsafe unit spelling "cc" in "3 cc": write "3 mL"',
         '"cc" is misread as "u" or "00"'),
        ("3 ml", "P109", 'unsafe unit spelling "ml" in "3 ml": write "3 mL"',
         "the litre is written with a capital L"),
        ("10 mg/ml", "P109", 'unsafe unit spelling "mg/ml" in "10 mg/ml": write "10 mg/mL"',
         "the litre is written with a capital L"),
        ("2 hours", "P109", 'unsafe unit spelling "hours" in "2 hours": write "2 h"',
         'the safe spelling is "h"'),
        ("5 MG", "P109", 'unsafe unit spelling "MG" in "5 MG": write "5 mg"', 'the safe spelling is "mg"'),
        ("1,000 mg", "P108",
         'malformed number "1,000" in "1,000 mg": write a non-negative plain decimal such as "1000" or "0.5"',
         "no sign, exponent, thousands separator or leading zeros"),
        ("1e3 mg", "P108",
         'malformed number "1e3" in "1e3 mg": write a non-negative plain decimal such as "1000" or "0.5"',
         "no sign, exponent, thousands separator or leading zeros"),
        ("-5 mg", "P108",
         'malformed number "-5" in "-5 mg": write a non-negative plain decimal such as "1000" or "0.5"',
         "no sign, exponent, thousands separator or leading zeros"),
        ("05 mg", "P108",
         'malformed number "05" in "05 mg": write a non-negative plain decimal such as "1000" or "0.5"',
         "no sign, exponent, thousands separator or leading zeros"),
    ],
)
def test_parse_errors(text: str, code: str, message: str, hint: str) -> None:
    with pytest.raises(QuantityError) as caught:
        parse_quantity(text)
    assert caught.value.code == code
    assert caught.value.message == message
    assert str(caught.value) == message
    assert caught.value.hint == hint


def test_unknown_unit_lists_the_units() -> None:
    with pytest.raises(QuantityError) as caught:
        parse_quantity("5 mgs")
    assert caught.value.code == "P108"
    assert caught.value.message == 'unknown unit "mgs" in "5 mgs"'
    assert caught.value.hint.startswith("units of version 1: mcg, mg, g, units, mcg/kg,")


def test_result_only_unit_is_not_writable() -> None:
    # mcg/h is what a mcg/kg/h regimen computes, but §3.1 does not list it for authors
    with pytest.raises(QuantityError) as caught:
        parse_quantity("5 mcg/h")
    assert caught.value.code == "P108"
    assert unit_dimension("mcg/h") == "mass/time"


def test_grouping_is_accepted_only_when_asked() -> None:
    q = parse_quantity("3,000 mg", allow_grouping=True)
    assert (q.value, q.unit, q.text) == (Decimal("3000"), "mg", "3,000 mg")
    assert q == parse_quantity("3000 mg")
    with pytest.raises(QuantityError):
        parse_quantity("3,00 mg", allow_grouping=True)


def test_equality_ignores_text() -> None:
    assert parse_quantity("40 mins") == parse_quantity("40 min")
    assert parse_quantity("1 week") == parse_quantity("1 weeks")
    assert parse_quantity("5 mg") != parse_quantity("5 mcg")


@pytest.mark.parametrize(
    ("value", "grouped", "plain"),
    [
        ("3000", "3,000", "3000"),
        ("1E+2", "100", "100"),
        ("0.50", "0.5", "0.5"),
        ("35.20", "35.2", "35.2"),
        ("1234567.8900", "1,234,567.89", "1234567.89"),
        ("0.000", "0", "0"),
        ("999", "999", "999"),
        ("0.001", "0.001", "0.001"),
        ("1E-7", "0.0000001", "0.0000001"),
    ],
)
def test_format_number(value: str, grouped: str, plain: str) -> None:
    assert format_number(Decimal(value)) == grouped
    assert format_number(Decimal(value), group=False) == plain


@pytest.mark.parametrize(
    ("low", "high", "grouped", "plain"),
    [
        ("0.1 mg/kg", "0.75 mg/kg", "0.1 to 0.75 mg/kg", "0.1 to 0.75 mg/kg"),
        ("1000 mg", "3000 mg", "1,000 to 3,000 mg", "1000 to 3000 mg"),
        ("100 mcg/kg", "1 mg/kg", "100 mcg/kg to 1 mg/kg", "100 mcg/kg to 1 mg/kg"),
        ("0.00001 mg", "10000.5 mg", "0.00001 to 10,000.5 mg", "0.00001 to 10000.5 mg"),
    ],
)
def test_format_range(low: str, high: str, grouped: str, plain: str) -> None:
    assert format_range(parse_quantity(low), parse_quantity(high)) == grouped
    assert format_range(parse_quantity(low), parse_quantity(high), group=False) == plain


def test_format_quantity_and_length() -> None:
    assert format_quantity(parse_quantity("3000 mg")) == "3,000 mg"
    assert format_quantity(parse_quantity("3000 mg"), group=False) == "3000 mg"
    assert format_length(parse_quantity("40 min")) == "40 minutes"
    assert format_length(parse_quantity("1 min")) == "1 minute"
    assert format_length(parse_quantity("4 h")) == "4 hours"
    assert format_length(parse_quantity("1 h")) == "1 hour"
    assert format_length(parse_quantity("2 weeks")) == "2 weeks"
    assert format_length(parse_quantity("1 week")) == "1 week"
    assert format_length(parse_quantity("10 days")) == "10 days"
    assert format_length(parse_quantity("1 month")) == "1 month"
    assert format_length(parse_quantity("5 mg")) == "5 mg"


def test_conversions_are_exact() -> None:
    assert to_unit(parse_quantity("500 mcg"), "mg") == Decimal("0.5")
    assert to_unit(parse_quantity("2 g"), "mg") == Decimal("2000")
    assert to_unit(parse_quantity("1.5 L"), "mL") == Decimal("1500")
    assert to_unit(parse_quantity("2 weeks"), "day") == Decimal("14")
    assert to_unit(parse_quantity("1 day"), "h") == Decimal("24")
    assert to_unit(parse_quantity("90 min"), "h") == Decimal("1.5")
    assert to_unit(parse_quantity("2 mcg/kg/min"), "mg/kg/h") == Decimal("0.12")
    assert to_unit_exact(parse_quantity("40 min"), "h") == Fraction(2, 3)
    assert to_unit(parse_quantity("3 month"), "month") == Decimal("3")


def test_conversion_errors() -> None:
    with pytest.raises(QuantityError) as caught:
        to_unit(parse_quantity("5 mg"), "mL")
    assert caught.value.code == "P206"
    assert caught.value.message == "cannot convert 5 mg (mass) to mL (volume)"
    with pytest.raises(QuantityError) as caught:
        to_unit(parse_quantity("1 month"), "week")
    assert caught.value.code == "P206"
    assert caught.value.message == "cannot convert 1 month to week: months convert only to months"
    with pytest.raises(QuantityError) as caught:
        to_unit(parse_quantity("4 weeks"), "month")
    assert caught.value.code == "P206"


def test_dimensions_compatible_and_compare() -> None:
    assert dimensions_compatible(parse_quantity("5 mg"), parse_quantity("200 mcg"))
    assert dimensions_compatible("mg/kg", "mcg/kg")
    assert not dimensions_compatible("mg/kg", "mg")
    assert not dimensions_compatible("units/kg", "mg/kg")
    assert compare_quantities(parse_quantity("0.1 mg/kg"), parse_quantity("100 mcg/kg")) == 0
    assert compare_quantities(parse_quantity("1 g"), parse_quantity("999 mg")) == 1
    assert compare_quantities(parse_quantity("40 min"), parse_quantity("1 h")) == -1


@pytest.mark.parametrize(
    ("text", "words", "per_week"),
    [
        ("3 per week", "3 times per week", Fraction(3)),
        ("1 per week", "once per week", Fraction(1)),
        ("2 per week", "twice per week", Fraction(2)),
        ("2 per day", "twice per day", Fraction(14)),
        ("every 2 weeks", "every 2 weeks", Fraction(1, 2)),
        ("every 1 week", "every week", Fraction(1)),
        ("every 6 h", "every 6 hours", Fraction(28)),
        ("every 1 h", "every hour", Fraction(168)),
        ("every 2 days", "every 2 days", Fraction(7, 2)),
        ("every 1 day", "every day", Fraction(7)),
    ],
)
def test_frequency_words_and_rate(text: str, words: str, per_week: Fraction) -> None:
    frequency = parse_frequency(text)
    assert frequency.in_words() == words
    assert frequency.doses_per("week") == per_week


def test_frequency_forms() -> None:
    assert parse_frequency("every 2 weeks") == Frequency("every", 2, "week")
    assert parse_frequency("every 1 week") == Frequency("every", 1, "week")
    assert parse_frequency("every 3 months").in_words() == "every 3 months"
    assert parse_frequency("1 per month").in_words() == "once per month"


def test_doses_in_length() -> None:
    assert parse_frequency("3 per week").doses_in(parse_quantity("2 weeks")) == 6
    assert parse_frequency("every 2 weeks").doses_in(parse_quantity("12 weeks")) == 6
    assert parse_frequency("2 per week").doses_in(parse_quantity("4 weeks")) == 8
    assert parse_frequency("1 per day").doses_in(parse_quantity("10 days")) == 10
    assert parse_frequency("1 per month").doses_in(parse_quantity("6 months")) == 6
    with pytest.raises(QuantityError) as caught:
        parse_frequency("1 per month").doses_in(parse_quantity("8 weeks"))
    assert caught.value.code == "P206"


@pytest.mark.parametrize(
    ("text", "code", "message"),
    [
        ("TIW", "P209", 'error-prone abbreviation "TIW": write "3 per week"'),
        ("BIW", "P209", 'error-prone abbreviation "BIW": write "2 per week"'),
        ("qd", "P209", 'error-prone abbreviation "qd": write "1 per day"'),
        ("qod", "P209", 'error-prone abbreviation "qod": write "every 2 days"'),
        ("q6h", "P209", 'error-prone abbreviation "q6h": write "every 6 h"'),
        ("3 per weeks", "P108",
         'malformed frequency "3 per weeks": write "3 per week", "every 2 weeks" or "every 6 h"'),
        ("every 6 hours", "P108",
         'malformed frequency "every 6 hours": write "3 per week", "every 2 weeks" or "every 6 h"'),
        ("0 per week", "P108",
         'malformed frequency "0 per week": write "3 per week", "every 2 weeks" or "every 6 h"'),
        ("2-3 per week", "P108",
         'malformed frequency "2-3 per week": write "3 per week", "every 2 weeks" or "every 6 h"'),
    ],
)
def test_frequency_errors(text: str, code: str, message: str) -> None:
    with pytest.raises(QuantityError) as caught:
        parse_frequency(text)
    assert caught.value.code == code
    assert caught.value.message == message


@given(st.integers(min_value=-10**12, max_value=10**12), st.integers(min_value=-6, max_value=8),
       st.integers(min_value=0, max_value=5), st.booleans())
def test_format_number_depends_only_on_the_value(digits: int, places: int, zeros: int, group: bool) -> None:
    """What lets format_number cache by value: 1.5, 1.50 and 15E-1 are one number and read alike."""
    short = Decimal(digits).scaleb(-places)
    padded = Decimal(digits * 10**zeros).scaleb(-(places + zeros))
    assert short == padded
    uncached = format_number.__wrapped__
    assert uncached(short, group) == uncached(padded, group) == format_number(padded, group)
