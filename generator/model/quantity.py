"""Quantities of format §3.1: parsing, dimensions, exact conversion and the one number formatter.

A quantity is written `NUMBER UNIT` with one space. Numbers are non-negative plain decimals (no
exponent, no sign, no thousands separator in data). Every conversion is exact (`fractions.Fraction`),
so no binary floating point ever touches a dose.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from functools import cached_property, lru_cache

# The units a protocol may write (§3.1), canonical spellings.
UNITS: tuple[str, ...] = (
    "mcg", "mg", "g",
    "units",
    "mcg/kg", "mg/kg", "units/kg",
    "mcg/kg/min", "mcg/kg/h", "mg/kg/h", "units/kg/h",
    "mcg/min", "mg/h", "units/h",
    "mL", "L",
    "mcg/mL", "mg/mL", "units/mL",
    "mL/h",
    "min", "h", "day", "week", "month",
    "kg",
)

TIME_PLURALS: dict[str, str] = {"mins": "min", "days": "day", "weeks": "week", "months": "month"}

# Size of each unit component relative to its dimension's base (mcg, units, mL, min, kg).
_MASS = {"mcg": Fraction(1), "mg": Fraction(1000), "g": Fraction(1_000_000)}
_AMOUNT = {"units": Fraction(1)}
_VOLUME = {"mL": Fraction(1), "L": Fraction(1000)}
_TIME = {"min": Fraction(1), "h": Fraction(60), "day": Fraction(1440), "week": Fraction(10080)}
_MONTH = "month"  # months have no fixed length: they convert only to months (§3.3, P206)

# Unsafe or non-standard spellings of one unit component, with the safe spelling (P109).
UNSAFE_SPELLINGS: dict[str, str] = {
    "µg": "mcg", "μg": "mcg", "ug": "mcg",
    "cc": "mL", "ml": "mL", "l": "L",
    "U": "units", "u": "units", "IU": "units", "iu": "units", "unit": "units",
    "hr": "h", "hrs": "h", "hour": "h", "hours": "h",
    "minute": "min", "minutes": "min",
}

# Why a spelling is unsafe, by the spelling written (ISMP list of error-prone abbreviations).
_WHY_UNSAFE: dict[str, str] = {
    "µg": '"µg" is misread as "mg"', "μg": '"µg" is misread as "mg"', "ug": '"ug" is misread as "mg"',
    "cc": '"cc" is misread as "u" or "00"',
    "ml": 'the litre is written with a capital L', "l": 'a lower-case "l" is misread as "1"',
    "U": '"U" is misread as "0" or "4"', "u": '"u" is misread as "0" or "4"',
    "IU": '"IU" is misread as "IV" or "10"', "iu": '"iu" is misread as "IV" or "10"',
}

_NUMBER = re.compile(r"(0|[1-9][0-9]*)(\.[0-9]+)?")
_GROUPED_NUMBER = re.compile(r"[1-9][0-9]{0,2}(,[0-9]{3})+(\.[0-9]+)?")
_NUMBER_THEN_UNIT = re.compile(r"([0-9.,]+)\s*([^\s0-9.,].*)")


class QuantityError(ValueError):
    """A quantity, frequency or conversion that breaks the format.

    `code` is the rule (P108, P109, P206 or P209), `message` what is wrong, `hint` what to do.
    """

    def __init__(self, code: str, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.hint = hint


@dataclass(frozen=True)
class Quantity:
    """A parsed quantity. Equality compares value and unit only, so "3,000 mg" equals "3000 mg"."""

    value: Decimal
    unit: str
    text: str = field(default="", compare=False)

    @property
    def dimension(self) -> str:
        return unit_dimension(self.unit)

    @cached_property
    def exact(self) -> Fraction:
        """The value as an exact Fraction, made once (the checks and the pages compare the same quantities
        many times)."""
        return Fraction(self.value)


def _component_kind(component: str) -> str:
    if component in _MASS:
        return "mass"
    if component in _AMOUNT:
        return "units"
    if component in _VOLUME:
        return "volume"
    if component in _TIME or component == _MONTH:
        return "time"
    if component == "kg":
        return "kg"
    raise QuantityError("P108", f'unknown unit "{component}"')


@lru_cache(maxsize=1024)  # a library writes a few dozen units, asked about tens of thousands of times
def unit_dimension(unit: str) -> str:
    """'mg/kg/h' -> 'mass/kg/time', 'mL' -> 'volume', 'kg' -> 'weight' (names of ARCHITECTURE.md).

    Accepts any composition of known components, including result units such as "mcg/h" that a
    protocol may not write but the dosing engine produces.
    """
    parts = unit.split("/")
    kinds = [_component_kind(part) for part in parts]
    if kinds == ["kg"]:
        return "weight"
    return "/".join(kinds)


@lru_cache(maxsize=1024)
def _unit_factor(unit: str) -> Fraction:
    """Size of `unit` in its dimension's base units (mcg, units, mL, min, kg)."""
    parts = unit.split("/")
    factor = Fraction(1)
    for index, part in enumerate(parts):
        size = _MASS.get(part) or _AMOUNT.get(part) or _VOLUME.get(part) or _TIME.get(part)
        if part == "kg":
            size = Fraction(1)
        if size is None:
            raise QuantityError("P108", f'unknown unit "{part}"')
        factor = factor * size if index == 0 else factor / size
    return factor


def dimensions_compatible(a: Quantity | str, b: Quantity | str) -> bool:
    """Whether two quantities (or units) have the same dimension, so they may be compared or converted."""
    unit_a = a.unit if isinstance(a, Quantity) else a
    unit_b = b.unit if isinstance(b, Quantity) else b
    return unit_dimension(unit_a) == unit_dimension(unit_b)


def to_unit_exact(q: Quantity, unit: str) -> Fraction:
    """The value of `q` expressed in `unit`, exactly. P206 across dimensions or from/to months."""
    if q.unit == unit:
        return q.exact
    if not dimensions_compatible(q.unit, unit):
        shown = format_quantity(q, group=False)
        raise QuantityError(
            "P206",
            f'cannot convert {shown} ({q.dimension}) to {unit} ({unit_dimension(unit)})',
            "combine only quantities of the same dimension",
        )
    if _MONTH in q.unit.split("/") or _MONTH in unit.split("/"):
        raise QuantityError(
            "P206", f"cannot convert {format_quantity(q, group=False)} to {unit}: months convert only to months",
            "write both in months, or both in days or weeks",
        )
    return q.exact * _unit_factor(q.unit) / _unit_factor(unit)


def fraction_to_decimal(value: Fraction) -> Decimal:
    """Exact when the fraction terminates in base 10 (always, for conversions between metric units and
    minutes to hours of whole multiples); otherwise rounded to Decimal's 28 significant digits."""
    twos = fives = 0
    rest = value.denominator
    while rest % 2 == 0:
        rest //= 2
        twos += 1
    while rest % 5 == 0:
        rest //= 5
        fives += 1
    if rest == 1:
        digits = max(twos, fives)
        return Decimal(value.numerator * (10**digits // value.denominator)).scaleb(-digits)
    return Decimal(value.numerator) / Decimal(value.denominator)


def to_unit(q: Quantity, unit: str) -> Decimal:
    """`to_unit_exact` as a Decimal (exact whenever the result terminates, e.g. 500 mcg -> 0.5 mg)."""
    return fraction_to_decimal(to_unit_exact(q, unit))


def compare_quantities(a: Quantity, b: Quantity) -> int:
    """-1, 0 or 1 as a is less than, equal to or greater than b, exactly; P206 across dimensions."""
    a_value = a.exact
    b_value = to_unit_exact(b, a.unit)
    return (a_value > b_value) - (a_value < b_value)


@lru_cache(maxsize=8192)  # the text depends only on the value (equal Decimals hash alike), and values recur
def format_number(value: Decimal, group: bool = True) -> str:
    """Plain decimal: no trailing zero, leading zero kept, no exponent; "3,000" (group) or "3000"."""
    if value == 0:
        return "0"
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    sign = "-" if text.startswith("-") else ""
    text = text.lstrip("-")
    whole, dot, fraction = text.partition(".")
    if group:
        whole = f"{int(whole):,}"
    return f"{sign}{whole}{dot}{fraction}"


def format_quantity(q: Quantity, group: bool = True) -> str:
    """"3,000 mg", "0.5 mg/kg" (group=False: "3000 mg")."""
    return f"{format_number(q.value, group)} {q.unit}"


def format_range(low: Quantity, high: Quantity, group: bool = True) -> str:
    """"0.1 to 0.75 mg/kg"; "100 mcg to 1 mg" when the two ends are written in different units."""
    if low.unit == high.unit:
        return f"{format_number(low.value, group)} to {format_quantity(high, group)}"
    return f"{format_quantity(low, group)} to {format_quantity(high, group)}"


_TIME_WORDS: dict[str, tuple[str, str]] = {
    "min": ("minute", "minutes"),
    "h": ("hour", "hours"),
    "day": ("day", "days"),
    "week": ("week", "weeks"),
    "month": ("month", "months"),
}


def time_unit_words(unit: str, value: Decimal | int) -> str:
    singular, plural = _TIME_WORDS[unit]
    return singular if value == 1 else plural


def format_length(q: Quantity, group: bool = True) -> str:
    """A time in words: "40 minutes", "1 week", "4 hours"; any other quantity as `format_quantity`."""
    if q.unit not in _TIME_WORDS:
        return format_quantity(q, group)
    return f"{format_number(q.value, group)} {time_unit_words(q.unit, q.value)}"


def _malformed(text: str, hint: str = "") -> QuantityError:
    return QuantityError(
        "P108", f'malformed quantity "{text}": write NUMBER UNIT with one space, e.g. "5 mg"', hint
    )


def _parse_number(number: str, text: str, allow_grouping: bool) -> Decimal:
    plain = number.replace(",", "") if allow_grouping else number
    leading = re.fullmatch(r"\.[0-9]+", plain) is not None
    trailing = re.fullmatch(r"(0|[1-9][0-9]*)?\.[0-9]*0", plain) is not None
    if leading or trailing:
        fixed = text.replace(number, format_number(Decimal(plain), group=False), 1)
        if leading:
            raise QuantityError(
                "P209", f'missing leading zero in "{text}": write "{fixed}"',
                "a bare decimal point is easily missed: .5 is read as 5",
            )
        raise QuantityError(
            "P209", f'trailing zero in "{text}": write "{fixed}"',
            "a trailing zero is misread as a tenfold dose: 5.0 is read as 50",
        )
    if _NUMBER.fullmatch(number) or (allow_grouping and _GROUPED_NUMBER.fullmatch(number)):
        return Decimal(plain)
    raise QuantityError(
        "P108",
        f'malformed number "{number}" in "{text}": '
        'write a non-negative plain decimal such as "1000" or "0.5"',
        "no sign, exponent, thousands separator or leading zeros",
    )


def _safe_spelling(unit: str) -> str | None:
    """The canonical spelling a non-canonical unit stands for, or None when it is simply unknown."""
    parts = [UNSAFE_SPELLINGS.get(part, part) for part in unit.split("/")]
    candidate = "/".join(parts)
    if candidate in UNITS or candidate in TIME_PLURALS:
        return TIME_PLURALS.get(candidate, candidate)
    by_lower = {known.lower(): known for known in UNITS}
    return by_lower.get(candidate.lower())


def _parse_unit(unit: str, text: str, number: str) -> str:
    if unit in UNITS:
        return unit
    if unit in TIME_PLURALS:
        return TIME_PLURALS[unit]
    safe = _safe_spelling(unit)
    if safe is not None:
        reasons = [_WHY_UNSAFE[part] for part in unit.split("/") if part in _WHY_UNSAFE]
        return_hint = "; ".join(reasons) if reasons else f'the safe spelling is "{safe}"'
        raise QuantityError(
            "P109", f'unsafe unit spelling "{unit}" in "{text}": write "{number} {safe}"', return_hint
        )
    raise QuantityError(
        "P108", f'unknown unit "{unit}" in "{text}"', "units of version 1: " + ", ".join(UNITS)
    )


def parse_quantity(text: str, *, allow_grouping: bool = False) -> Quantity:
    """Parse `NUMBER UNIT`; raises QuantityError (P108, P109, P209).

    `allow_grouping` accepts thousands separators ("3,000 mg"), for prose only; data never has them.
    """
    if not isinstance(text, str):
        raise _malformed(str(text))
    pieces = text.split(" ")
    if len(pieces) != 2 or not pieces[0] or not pieces[1]:
        glued = _NUMBER_THEN_UNIT.fullmatch(text.strip())
        hint = f'write "{glued.group(1)} {glued.group(2).strip()}"' if glued else ""
        raise _malformed(text, hint)
    number, unit = pieces
    value = _parse_number(number, text, allow_grouping)
    return Quantity(value=value, unit=_parse_unit(unit, text, number), text=text)

