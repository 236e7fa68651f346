"""Frequencies of format §3.3: "N per day|week|month" and "every N h|days|weeks|months".

Rendered in words only, never as Latin or ISMP-listed abbreviations (qd, qod, TIW, BIW).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Literal

from generator.model.quantity import TIME_PLURALS, Quantity, QuantityError, time_unit_words, to_unit_exact

_PER = re.compile(r"([1-9][0-9]*) per (day|week|month)")
_EVERY = re.compile(r"every ([1-9][0-9]*) (h|days?|weeks?|months?)")

# Error-prone abbreviations (P209) and what to write instead.
ABBREVIATIONS: dict[str, str] = {
    "qd": "1 per day", "od": "1 per day", "daily": "1 per day",
    "bid": "2 per day", "bd": "2 per day", "tid": "3 per day", "qid": "4 per day",
    "qod": "every 2 days", "eod": "every 2 days",
    "qw": "1 per week", "biw": "2 per week", "tiw": "3 per week",
}
_Q_HOURS = re.compile(r"q([1-9][0-9]*)h")
_EXAMPLE = '"3 per week", "every 2 weeks" or "every 6 h"'


@dataclass(frozen=True)
class Frequency:
    """`kind` "per": `count` doses per one `period`; "every": one dose per `count` periods."""

    kind: Literal["per", "every"]
    count: int
    period: str  # canonical time unit: "h", "day", "week" or "month"
    text: str = field(default="", compare=False)

    def doses_per(self, unit: str) -> Fraction:
        """Doses per one `unit` of time, exactly; P206 between months and other time units."""
        period = Quantity(Decimal(1), self.period, f"1 {self.period}")
        periods_per_unit = 1 / to_unit_exact(period, unit)
        if self.kind == "per":
            return self.count * periods_per_unit
        return periods_per_unit / self.count

    def doses_in(self, length: Quantity) -> Fraction:
        """How many doses fit in `length` (3 per week over 2 weeks -> 6; every 2 weeks over 12 weeks -> 6)."""
        return self.doses_per(length.unit) * length.exact

    def in_words(self) -> str:
        """"3 times per week", "once per week", "twice per day", "every 2 weeks", "every 6 hours"."""
        if self.kind == "per":
            times = {1: "once", 2: "twice"}.get(self.count, f"{self.count} times")
            return f"{times} per {self.period}"
        noun = time_unit_words(self.period, self.count)
        return f"every {noun}" if self.count == 1 else f"every {self.count} {noun}"


def parse_frequency(text: str) -> Frequency:
    """Parse a frequency; QuantityError P209 for an abbreviation such as TIW, P108 for anything else."""
    if not isinstance(text, str):
        raise QuantityError("P108", f'malformed frequency "{text}": write {_EXAMPLE}')
    per = _PER.fullmatch(text)
    if per:
        return Frequency("per", int(per.group(1)), per.group(2), text)
    every = _EVERY.fullmatch(text)
    if every:
        period = TIME_PLURALS.get(every.group(2), every.group(2))
        return Frequency("every", int(every.group(1)), period, text)
    lowered = text.strip().lower()
    hours = _Q_HOURS.fullmatch(lowered)
    instead = ABBREVIATIONS.get(lowered) or (f"every {hours.group(1)} h" if hours else None)
    if instead:
        raise QuantityError(
            "P209", f'error-prone abbreviation "{text}": write "{instead}"',
            "Latin and ISMP-listed frequency abbreviations are misread; write the frequency in words",
        )
    raise QuantityError(
        "P108", f'malformed frequency "{text}": write {_EXAMPLE}',
        '"N per day|week|month" or "every N h|days|weeks|months", N a whole number from 1',
    )
