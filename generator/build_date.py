"""The build date of §4, in one place: `--as-of YYYY-MM-DD`, else `SOURCE_DATE_EPOCH`, else today, all UTC.

Dates are strict (§1): four-digit year from 1900 to 2199, two-digit month and day, nothing else
(`date.fromisoformat` alone would also take `20260211` and `2026-W50-3`). SOURCE_DATE_EPOCH follows
the reproducible-builds definition: a non-negative whole number of seconds since 1970-01-01 UTC.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Mapping

MIN_YEAR, MAX_YEAR = 1900, 2199
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_SECONDS = re.compile(r"[0-9]{1,20}")
_SHOWN = 60  # a message quotes at most 60 characters of a value (§1)


class BuildDateError(ValueError):
    """A build date that cannot be used; the message says what to write instead."""


def _quoted(text: str) -> str:
    """The value in quotes, at most 60 characters of it, with line breaks and other invisible characters
    written as escapes so that the message stays one visible line."""
    shown = "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in text[:_SHOWN])
    return f'"{shown}..."' if len(text) > _SHOWN else f'"{shown}"'


def _within_years(day: dt.date, what: str) -> dt.date:
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise BuildDateError(f"{what} is {day.isoformat()}: the build date must be from {MIN_YEAR} to {MAX_YEAR}")
    return day


def today_utc() -> dt.date:
    """Today's date in UTC (never the machine's local time zone)."""
    return dt.datetime.now(dt.UTC).date()


def parse_as_of(text: str) -> dt.date:
    """A `--as-of` value: YYYY-MM-DD, a real day, year 1900 to 2199."""
    if not _DATE.fullmatch(text):
        raise BuildDateError(f"--as-of {_quoted(text)} is not a date; write YYYY-MM-DD")
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise BuildDateError(f"--as-of {_quoted(text)} is not a day of the calendar; write YYYY-MM-DD") from None
    return _within_years(day, f"--as-of {text}")


def from_epoch(text: str) -> dt.date:
    """The UTC date of a SOURCE_DATE_EPOCH value."""
    if not _SECONDS.fullmatch(text):
        raise BuildDateError(
            f"SOURCE_DATE_EPOCH {_quoted(text)} is not a whole number of seconds since 1970-01-01 UTC; "
            "unset it or give e.g. 1770768000"
        )
    seconds = int(text)
    latest = dt.datetime(MAX_YEAR, 12, 31, 23, 59, 59, tzinfo=dt.UTC).timestamp()
    if seconds > latest:
        raise BuildDateError(f"SOURCE_DATE_EPOCH {text} is after {MAX_YEAR}-12-31; the build date must be from "
                             f"{MIN_YEAR} to {MAX_YEAR}")
    return dt.datetime.fromtimestamp(seconds, dt.UTC).date()


def build_date(as_of: str | None = None, environ: Mapping[str, str] | None = None) -> dt.date:
    """--as-of, else SOURCE_DATE_EPOCH (when set and not empty), else today in UTC; BuildDateError if unusable."""
    if as_of is not None:
        return parse_as_of(as_of)
    environ = os.environ if environ is None else environ
    epoch = environ.get("SOURCE_DATE_EPOCH", "")
    if epoch:
        return from_epoch(epoch)
    return today_utc()
