"""Typed models of the library files and the version file (§2, §3), and their JSON Schema.

Validation collects every error. Pydantic's error types are mapped to the rule codes of §6 by
`errors_to_diagnostics`; the custom field types below raise errors whose type *is* the rule code.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer, WithJsonSchema, model_validator
from pydantic_core import PydanticCustomError

from generator.frequency import Frequency, parse_frequency
from generator.quantity import Quantity, QuantityError, parse_quantity

PROTOCOL_ID = re.compile(r"^[a-z][a-z0-9-]{1,63}$")
VERSION = re.compile(r"^[0-9]+\.[0-9]+$")
REFERENCE_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
LOCAL_ID = re.compile(r"^[a-z][a-z0-9-]*$")
STATUSES = ("draft", "in-review", "approved", "retired")


def describe(value: Any) -> str:
    """How a YAML value reads to an author: 'boolean false', 'number 1.1', 'a list'."""
    if isinstance(value, bool):
        return f"boolean {str(value).lower()}"
    if isinstance(value, int | float):
        return f"number {value}"
    if isinstance(value, str):
        return f'text "{value}"'
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
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
        if not pattern.match(text):
            raise PydanticCustomError(
                "P105",
                'malformed {what} "{value}"',
                {"what": what, "value": text, "hint": f"use lower-case letters, digits and hyphens, e.g. {example}"},
            )
        return text

    return Annotated[str, BeforeValidator(check), WithJsonSchema({"type": "string", "pattern": pattern.pattern})]


def _version(value: Any) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise _type_error(
            "a quoted version string",
            value,
            'write the version in quotes, e.g. version: "1.10"; unquoted 1.10 reads as the number 1.1',
        )
    text = _text(value)
    if not VERSION.match(text):
        raise PydanticCustomError(
            "P105", 'malformed version "{value}"', {"value": text, "hint": 'write MAJOR.MINOR in quotes, e.g. "1.0"'}
        )
    return text


# Versions repeat most of their quantities and frequencies; both are immutable, so each distinct text is
# parsed once (a text that fails raises again each time: errors are not kept).
_parsed_quantity = functools.lru_cache(maxsize=4096)(parse_quantity)
_parsed_frequency = functools.lru_cache(maxsize=1024)(parse_frequency)


def _quantity(value: Any) -> Quantity:
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise PydanticCustomError(
            "P108",
            "malformed quantity {value}: a quantity needs a unit",
            {"value": value, "hint": 'write NUMBER UNIT, e.g. "0.5 mg/kg"'},
        )
    try:
        return _parsed_quantity(_text(value))
    except QuantityError as error:
        raise PydanticCustomError(error.code, "{message}", {"message": error.message, "hint": error.hint}) from None


def _frequency(value: Any) -> Frequency:
    try:
        return _parsed_frequency(_text(value))
    except QuantityError as error:
        raise PydanticCustomError(error.code, "{message}", {"message": error.message, "hint": error.hint}) from None


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date | str):
        raise _type_error("a date YYYY-MM-DD", value)
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise _type_error("a date YYYY-MM-DD", value) from None
    return value


def _strict(expected: str, kind: type) -> Any:
    def check(value: Any) -> Any:
        if isinstance(value, bool) and kind is not bool or not isinstance(value, kind):
            raise _type_error(expected, value)
        return value

    return check


QUANTITY_PATTERN = r"^[0-9]+(\.[0-9]+)? [A-Za-z/]+$"
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
    WithJsonSchema({"type": "string", "examples": ["3 per week", "every 2 weeks"]}),
]
Text = Annotated[str, BeforeValidator(_text)]
Markdown = Annotated[str, BeforeValidator(_text), WithJsonSchema({"type": "string", "description": "Markdown"})]
Date = Annotated[dt.date, BeforeValidator(_date), WithJsonSchema({"type": "string", "format": "date"})]
Int = Annotated[int, BeforeValidator(_strict("a whole number", int))]
Bool = Annotated[bool, BeforeValidator(_strict("true or false", bool))]
TextOrInt = Annotated[
    str, BeforeValidator(lambda v: str(v) if isinstance(v, int) and not isinstance(v, bool) else _text(v))
]
ProtocolId = _id_type(PROTOCOL_ID, "protocol id", "ketamine-trd")
ReferenceId = _id_type(REFERENCE_ID, "reference id", "phillips-2019")
LocalId = _id_type(LOCAL_ID, "id", "ketamine-iv")
Version = Annotated[str, BeforeValidator(_version), WithJsonSchema({"type": "string", "pattern": VERSION.pattern})]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, populate_by_name=True)


# --- library files (§2) ---------------------------------------------------------------------------------


class Reference(Model):
    type: Literal["article", "guideline", "label", "book", "web"]
    authors: list[Text] | None = None
    title: Text
    journal: Text | None = None
    publisher: Text | None = None
    year: Int
    volume: TextOrInt | None = None
    issue: TextOrInt | None = None
    pages: TextOrInt | None = None
    doi: Text | None = None
    pmid: TextOrInt | None = None
    url: Text | None = None

    @model_validator(mode="after")
    def _required_by_type(self) -> Reference:
        if self.type == "article" and not self.authors:
            raise PydanticCustomError(
                "P103",
                'missing required key "authors" (required for an article)',
                {"hint": "add authors: [Surname AB, ...]"},
            )
        if not self.journal and not self.publisher:
            raise PydanticCustomError(
                "P103",
                'missing required key "journal" or "publisher"',
                {"hint": "add journal: ... (articles) or publisher: ... (others)"},
            )
        return self


class Drug(Model):
    name: Text
    class_: Text | None = Field(default=None, alias="class")
    ceiling: QuantityField | None = None
    notes: Markdown | None = None

    @model_validator(mode="after")
    def _lower_case(self) -> Drug:
        if self.name != self.name.lower():
            raise PydanticCustomError(
                "P105",
                'drug name "{name}" must be the lower-case generic name',
                {"name": self.name, "hint": f"write name: {self.name.lower()}"},
            )
        return self


class ApprovalPolicy(Model):
    minimum: Int = Field(ge=1)
    required_roles: list[Text] = []
    signatures: Literal["required", "optional"] = "required"


class Reviewer(Model):
    """One entry of the register (§2). Names and keys are judged by `generator.register`, with their
    locations, so one bad entry does not discard the whole policy."""

    name: Text
    roles: list[Text] = []
    keys: list[Text] = []


class Policy(Model):
    approval: ApprovalPolicy
    review_interval_months: Int = Field(default=24, ge=1)
    reviewers: list[Reviewer] = []


class Handbook(Model):
    id: LocalId
    title: Text
    description: Markdown | None = None
    protocols: list[ProtocolId]


class Approval(Model):
    """One ledger entry (§4): a sign-off, or with `withdrawn: true` the withdrawal of one."""

    version: Version
    reviewer: Text
    role: Text
    date: Date
    withdrawn: Bool = False
    fingerprint: Text
    signature: Text | None = None


# --- the version file (§3) ------------------------------------------------------------------------------


class DoseRange(Model):
    min: QuantityField
    max: QuantityField


class Regimen(Model):
    id: LocalId
    drug: LocalId
    route: Text
    dose: QuantityField
    dose_range: DoseRange | None = None
    options: list[QuantityField] | None = None
    max_dose: QuantityField | None = None
    duration: QuantityField | None = None
    concentration: QuantityField | None = None
    unit_dose: QuantityField | None = None
    rounding: QuantityField | None = None
    cite: list[ReferenceId] = []
    notes: Markdown | None = None


class Phase(Model):
    id: LocalId
    name: Text
    regimen: LocalId
    frequency: FrequencyField
    length: QuantityField | None = None
    doses: Int | None = None
    cite: list[ReferenceId] = []
    notes: Markdown | None = None


class WeightRange(Model):
    from_: QuantityField = Field(alias="from")
    to: QuantityField
    step: QuantityField


class DoseTable(Model):
    regimen: LocalId
    weights: WeightRange


class Section(Model):
    id: LocalId
    title: Text
    body: Markdown


class VersionDoc(Model):
    """One version file: a complete, self-contained snapshot of a protocol."""

    model_config = ConfigDict(title="Protocol version file")

    id: ProtocolId
    version: Version
    title: Text
    status: Literal[STATUSES]  # type: ignore[valid-type]
    effective: Date | None = None
    review_due: Date | None = None
    owner: Text | None = None
    summary: Markdown = ""
    changes: list[Markdown] = []
    regimens: list[Regimen] = []
    phases: list[Phase] = []
    dose_tables: list[DoseTable] = []
    sections: list[Section] = []
    algorithm: list[Markdown] = []


def version_json_schema() -> dict[str, Any]:
    schema = VersionDoc.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "protocols/version.schema.json"
    return schema
