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

from generator.diagnostics import excerpt
from generator.model.field_types import DATE, FIRST_YEAR, LAST_YEAR  # §1, the same as for dates in files

_SECONDS = re.compile(r"[0-9]{1,20}")


class BuildDateError(ValueError):
    """A build date that cannot be used; the message says what to write instead."""


def _within_years(day: dt.date, what: str, kind: str = "the build date") -> dt.date:
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise BuildDateError(f"{what} is {day.isoformat()}: {kind} must be from {FIRST_YEAR} to {LAST_YEAR}")
    return day


def today_utc() -> dt.date:
    """Today's date in UTC (never the machine's local time zone)."""
    return dt.datetime.now(dt.UTC).date()


def parse_as_of(text: str) -> dt.date:
    """A `--as-of` value: YYYY-MM-DD, a real day, year 1900 to 2199."""
    return parse_date_option(text, "--as-of", "the build date")


def parse_date_option(text: str, option: str, kind: str) -> dt.date:
    """A date given on the command line as `option`: YYYY-MM-DD, a real day, year 1900 to 2199."""
    if not DATE.fullmatch(text):
        raise BuildDateError(f"{option} {excerpt(text)} is not a date; write YYYY-MM-DD")
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise BuildDateError(f"{option} {excerpt(text)} is not a day of the calendar; write YYYY-MM-DD") from None
    return _within_years(day, f"{option} {text}", kind)


def from_epoch(text: str) -> dt.date:
    """The UTC date of a SOURCE_DATE_EPOCH value."""
    if not _SECONDS.fullmatch(text):
        raise BuildDateError(
            f"SOURCE_DATE_EPOCH {excerpt(text)} is not a whole number of seconds since 1970-01-01 UTC; "
            "unset it or give e.g. 1770768000"
        )
    seconds = int(text)
    latest = dt.datetime(LAST_YEAR, 12, 31, 23, 59, 59, tzinfo=dt.UTC).timestamp()
    if seconds > latest:
        raise BuildDateError(f"SOURCE_DATE_EPOCH {text} is after {LAST_YEAR}-12-31; the build date must be from "
                             f"{FIRST_YEAR} to {LAST_YEAR}")
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
