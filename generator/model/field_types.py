"""The scalar field types of the library files and the version file (§1, §3): text, ids, versions,
dates, quantities, frequencies, whole numbers.

Each is a pydantic type whose validator raises an error whose type *is* the rule code (P104, P105,
P108, P109, P209), with the hint in its context; `validate` turns them into located diagnostics.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from typing import Annotated, Any

from pydantic import BeforeValidator, PlainSerializer, WithJsonSchema
from pydantic_core import PydanticCustomError

from generator.diagnostics import excerpt
from generator.model.frequency import Frequency, parse_frequency
from generator.model.quantity import TIME_PLURALS, UNITS, Quantity, QuantityError, parse_quantity


def whole_value(pattern: str) -> re.Pattern[str]:
    """A pattern that matches a whole value with .match or .fullmatch alike: `$` would also accept a value
    ending in a line break ("caveats\\n"), so the end is `\\Z`."""
    return re.compile(rf"^{pattern}\Z")  # the patterns below have no top-level alternation


# The end of the value in a JSON Schema pattern. ECMAScript's `$` is the end already; Python's `$` (used by
# Python validators such as jsonschema) also matches before a final line break, which `(?!\n)` refuses.
JSON_END = "$(?!\\n)"


def json_pattern(pattern: re.Pattern[str]) -> str:
    """The same pattern for JSON Schema, for ECMAScript and Python validators alike."""
    return pattern.pattern.removesuffix("\\Z") + JSON_END


PROTOCOL_ID = whole_value(r"[a-z][a-z0-9-]{1,63}")
VERSION = whole_value(r"(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)")
REFERENCE_ID = whole_value(r"[a-z0-9][a-z0-9-]*")
LOCAL_ID = whole_value(r"[a-z][a-z0-9-]*")
DATE = whole_value(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
FIRST_YEAR, LAST_YEAR = 1900, 2199  # dates of §1
LONGEST_INTERVAL_MONTHS = 120
STATUSES = ("draft", "in-review", "approved", "retired")
PUBLISHED_STATUSES = ("approved", "retired")  # what the clinician site shows
UNPUBLISHED_STATUSES = ("draft", "in-review")  # in preparation: on the reviewer site only


def describe(value: Any) -> str:
    """How a YAML value reads to an author: 'boolean false', 'number 1.1', 'a list'."""
    if isinstance(value, bool):
        return f"boolean {str(value).lower()}"
    if isinstance(value, int | float):
        return f"number {excerpt(value, quoted=False)}"
    if isinstance(value, str):
        return f"text {excerpt(value)}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, dt.datetime):
        return f"date and time {value.isoformat()}"
    if isinstance(value, dt.date):
        return f"date {value.isoformat()}"
    return "nothing" if value is None else type(value).__name__


def _type_error(expected: str, value: Any, hint: str = "") -> PydanticCustomError:
    if not hint and isinstance(value, bool):
        hint = "YAML reads yes/no/on/off/true/false as booleans: put the text in quotes"
    return PydanticCustomError(
        "P104", "expected {expected}, got {received}", {"expected": expected, "received": describe(value), "hint": hint}
    )


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise _type_error("text", value)
    return value


def _id_type(pattern: re.Pattern[str], what: str, example: str) -> Any:
    def check(value: Any) -> str:
        text = _text(value)
        if not pattern.fullmatch(text):
            raise PydanticCustomError(
                "P105",
                "malformed {what} {value}",
                {
                    "what": what,
                    "value": excerpt(text),
                    "hint": f"use lower-case letters, digits and hyphens, e.g. {example}",
                },
            )
        return text

    schema = {"type": "string", "pattern": json_pattern(pattern)}
    return Annotated[str, BeforeValidator(check), WithJsonSchema(schema)]


def _version(value: Any) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise _type_error(
            "a quoted version string",
            value,
            'write the version in quotes, e.g. version: "1.10"; unquoted 1.10 reads as the number 1.1',
        )
    text = _text(value)
    if not VERSION.fullmatch(text):
        raise PydanticCustomError(
            "P105",
            "malformed version {value}",
            {"value": excerpt(text), "hint": 'write MAJOR.MINOR in quotes without leading zeros, e.g. "1.0", "1.10"'},
        )
    return text


# Versions repeat most of their quantities and frequencies; both are immutable, so each distinct text is
# parsed once (a text that fails raises again each time: errors are not kept).
_parsed_quantity = functools.lru_cache(maxsize=4096)(parse_quantity)
_parsed_frequency = functools.lru_cache(maxsize=1024)(parse_frequency)


# no quantity or frequency of the format is this long; a longer text is refused before it is parsed, so
# that no message quotes more than 60 characters of it (§1)
_LONGEST_QUANTITY = 60


def _short_text(value: Any, what: str, example: str) -> str:
    text = _text(value)
    if len(text) > _LONGEST_QUANTITY:
        raise PydanticCustomError(
            "P108",
            "malformed {what} {value}: longer than {limit} characters",
            {"what": what, "value": excerpt(text), "limit": _LONGEST_QUANTITY, "hint": f"write {example}"},
        )
    if not text.isprintable():  # a line break or tab: one space between number and unit
        raise PydanticCustomError(
            "P108", "malformed {what} {value}", {"what": what, "value": excerpt(text), "hint": f"write {example}"}
        )
    return text


def _quantity(value: Any) -> Quantity:
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise PydanticCustomError(
            "P108",
            "malformed quantity {value}: a quantity needs a unit",
            {"value": excerpt(value, quoted=False), "hint": 'write NUMBER UNIT, e.g. "0.5 mg/kg"'},
        )
    try:
        return _parsed_quantity(_short_text(value, "quantity", 'NUMBER UNIT, e.g. "0.5 mg/kg"'))
    except QuantityError as error:
        raise PydanticCustomError(error.code, "{message}", {"message": error.message, "hint": error.hint}) from None


def _frequency(value: Any) -> Frequency:
    try:
        return _parsed_frequency(_short_text(value, "frequency", '"3 per week" or "every 2 weeks"'))
    except QuantityError as error:
        raise PydanticCustomError(error.code, "{message}", {"message": error.message, "hint": error.hint}) from None


def _date(value: Any) -> dt.date:
    """A YAML date or a quoted YYYY-MM-DD (no other ISO 8601 form), in the years 1900 to 2199 (§1)."""
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date | str):
        raise _type_error("a date YYYY-MM-DD", value)
    if isinstance(value, str):
        try:
            if not DATE.fullmatch(value):
                raise ValueError(value)
            value = dt.date.fromisoformat(value)
        except ValueError:
            raise _type_error("a date YYYY-MM-DD", value, "write the date as YYYY-MM-DD, e.g. 2026-02-11") from None
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise PydanticCustomError(
            "P104",
            "date {value} is outside the years {first} to {last}",
            {"value": value.isoformat(), "first": FIRST_YEAR, "last": LAST_YEAR, "hint": "check the year"},
        )
    return value


def _strict(expected: str, kind: type) -> Any:
    def check(value: Any) -> Any:
        if isinstance(value, bool) and kind is not bool or not isinstance(value, kind):
            raise _type_error(expected, value)
        return value

    return check


# JSON Schema patterns of what the validators above accept, for editors (§1, §3.1, §3.3): written from the
# same tables, so a unit added to quantity.UNITS is also added here. The checks stay the authority; these
# only refuse early what they refuse (tests/model/test_schema_json.py holds the two together).
_UNIT_CHOICES = "|".join(re.escape(unit) for unit in sorted((*UNITS, *TIME_PLURALS), key=len, reverse=True))
# no trailing zero (5.0), no missing leading zero (.5), no leading zeros (05), no sign or exponent (P209, P108)
_NUMBER_PATTERN = r"(0|[1-9][0-9]*)(\.[0-9]*[1-9])?"
QUANTITY_PATTERN = rf"^{_NUMBER_PATTERN} ({_UNIT_CHOICES}){JSON_END}"
FREQUENCY_PATTERN = rf"^([1-9][0-9]* per (day|week|month)|every [1-9][0-9]* (h|days?|weeks?|months?)){JSON_END}"
_MONTH_DAY = r"(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
DATE_PATTERN = rf"^(19[0-9]{{2}}|2[01][0-9]{{2}})-{_MONTH_DAY}{JSON_END}"  # the years FIRST_YEAR to LAST_YEAR
# a route is free text, except the ISMP-listed spellings of subcutaneous (P209: write SUBCUT)
ROUTE_PATTERN = rf"^(?!(SC|sc|s\.c\.|SQ|sq)$)\S.*{JSON_END}"
DOI_PATTERN = rf"^10\.[0-9]{{4,9}}/\S+{JSON_END}"
PMID_PATTERN = rf"^[0-9]+{JSON_END}"
URL_PATTERN = rf"^https://[^\s/?#@<>]+([/?#][^\s<>]*)?{JSON_END}"

QuantityField = Annotated[
    Quantity,
    BeforeValidator(_quantity),
    PlainSerializer(lambda q: q.text, return_type=str),
    WithJsonSchema({"type": "string", "pattern": QUANTITY_PATTERN, "examples": ["0.5 mg/kg", "40 min"]}),
]
FrequencyField = Annotated[
    Frequency,
    BeforeValidator(_frequency),
    PlainSerializer(lambda f: f.text, return_type=str),
    WithJsonSchema({"type": "string", "pattern": FREQUENCY_PATTERN, "examples": ["3 per week", "every 2 weeks"]}),
]
Text = Annotated[str, BeforeValidator(_text)]
Markdown = Annotated[str, BeforeValidator(_text), WithJsonSchema({"type": "string", "description": "Markdown"})]
Date = Annotated[
    dt.date,
    BeforeValidator(_date),
    WithJsonSchema({"type": "string", "format": "date", "pattern": DATE_PATTERN, "examples": ["2026-02-11"]}),
]
Int = Annotated[int, BeforeValidator(_strict("a whole number", int))]
Bool = Annotated[bool, BeforeValidator(_strict("true or false", bool))]
TextOrInt = Annotated[
    str,
    BeforeValidator(lambda v: str(v) if isinstance(v, int) and not isinstance(v, bool) else _text(v)),
    WithJsonSchema({"type": ["string", "integer"]}),
]
# Text fields whose form the checks judge later (P209 route, P306 DOI/PMID/URL): the schema says the form
Route = Annotated[str, BeforeValidator(_text), WithJsonSchema({"type": "string", "pattern": ROUTE_PATTERN})]
Doi = Annotated[str, BeforeValidator(_text), WithJsonSchema({"type": "string", "pattern": DOI_PATTERN})]
Pmid = Annotated[
    str,
    BeforeValidator(lambda v: str(v) if isinstance(v, int) and not isinstance(v, bool) else _text(v)),
    WithJsonSchema({"anyOf": [{"type": "string", "pattern": PMID_PATTERN}, {"type": "integer", "minimum": 0}]}),
]
Url = Annotated[str, BeforeValidator(_text), WithJsonSchema({"type": "string", "pattern": URL_PATTERN})]
ProtocolId = _id_type(PROTOCOL_ID, "protocol id", "ketamine-trd")
ReferenceId = _id_type(REFERENCE_ID, "reference id", "phillips-2019")
LocalId = _id_type(LOCAL_ID, "id", "ketamine-iv")
Version = Annotated[
    str, BeforeValidator(_version), WithJsonSchema({"type": "string", "pattern": json_pattern(VERSION)})
]
