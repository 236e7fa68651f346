"""Typed models of the library files and the version file (§2, §3), and their JSON Schema.

Validation collects every error. Pydantic's error types are mapped to the rule codes of §6 by
`validate`; the field types (generator.field_types) raise errors whose type *is* the rule code.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from generator.diagnostics import excerpt
from generator.field_types import (
    LOCAL_ID,
    LONGEST_INTERVAL_MONTHS,
    PROTOCOL_ID,
    REFERENCE_ID,
    STATUSES,
    VERSION,
    Bool,
    Date,
    FrequencyField,
    Int,
    LocalId,
    Markdown,
    ProtocolId,
    QuantityField,
    ReferenceId,
    Text,
    TextOrInt,
    Version,
    describe,
)

# the patterns and describe() were defined here before field_types.py: kept importable from here
__all__ = ["LOCAL_ID", "PROTOCOL_ID", "REFERENCE_ID", "STATUSES", "VERSION", "describe"]


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
                "drug name {name} must be the lower-case generic name",
                {"name": excerpt(self.name), "hint": f"write name: {excerpt(self.name.lower(), quoted=False)}"},
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
    review_interval_months: Int = Field(default=24, ge=1, le=LONGEST_INTERVAL_MONTHS)
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
