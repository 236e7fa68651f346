"""Typed models of the library files and the version file (§2, §3), and their JSON Schema.

Validation collects every error. Pydantic's error types are mapped to the rule codes of §6 by
`validate`; the field types (generator.model.field_types) raise errors whose type *is* the rule code.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, model_validator
from pydantic_core import PydanticCustomError

from generator.diagnostics import excerpt
from generator.model.field_types import (
    LOCAL_ID,
    LONGEST_INTERVAL_MONTHS,
    PROTOCOL_ID,
    REFERENCE_ID,
    STATUSES,
    VERSION,
    Bool,
    Date,
    Doi,
    FrequencyField,
    Int,
    LocalId,
    Markdown,
    Pmid,
    ProtocolId,
    QuantityField,
    ReferenceId,
    Route,
    Text,
    TextOrInt,
    Url,
    Version,
    describe,
)

# the patterns and describe() were defined here before field_types.py: kept importable from here
__all__ = ["LOCAL_ID", "PROTOCOL_ID", "REFERENCE_ID", "STATUSES", "VERSION", "describe"]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, populate_by_name=True)


# --- library files (§2) ---------------------------------------------------------------------------------
# Every field carries a description and an example: they become the JSON Schemas' editor help (§6a).


def _field(description: str, example: Any, default: Any = ..., **constraints: Any) -> Any:
    return Field(default, description=description, examples=[example], **constraints)


class Reference(Model):
    """One entry of references.yaml, under its reference id."""

    type: Literal["article", "guideline", "label", "book", "web"] = _field(
        "What kind of source this is; an article needs authors and a journal", "article")
    authors: list[Text] | None = _field("Authors as 'Surname Initials'; required for an article",
                                        ["Phillips JL", "Norris S"], None)
    title: Text = _field("Title of the source, as published", "Single, repeated, and maintenance ketamine infusions")
    journal: Text | None = _field("Journal name (articles): journal or publisher is required",
                                  "American Journal of Psychiatry", None)
    publisher: Text | None = _field("Publisher (guidelines, labels, books, web pages)", "NICE", None)
    year: Int = _field("Year of publication", 2019)
    volume: TextOrInt | None = _field("Journal volume", "176", None)
    issue: TextOrInt | None = _field("Journal issue", "5", None)
    pages: TextOrInt | None = _field("Page range", "401-409", None)
    doi: Doi | None = _field("Bare DOI, without the https://doi.org/ prefix (P306)",
                             "10.1176/appi.ajp.2018.18070834", None)
    pmid: Pmid | None = _field("PubMed id, digits only (P306)", "30922101", None)
    url: Url | None = _field("https URL of the source (P306)", "https://www.nice.org.uk/guidance/ta854", None)

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
    """One entry of drugs.yaml, under its drug id."""

    name: Text = _field("Lower-case generic name (P105)", "ketamine")
    class_: Text | None = _field("Drug class", "NMDA receptor antagonist", None, alias="class")
    ceiling: QuantityField | None = _field(
        "Largest dose per administration a source states; a regimen's max_dose may not exceed it", "84 mg", None)
    notes: Markdown | None = _field("Notes shown with the drug (Markdown)", "Schedule III controlled substance.", None)

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
    """How many sign-offs approve a version, and by whom."""

    minimum: Int = _field("Number of distinct reviewers who must sign a version", 2, ge=1)
    required_roles: list[Text] = _field("Roles of which at least one reviewer must sign", ["pharmacist"], [])
    signatures: Literal["required", "optional"] = _field(
        "Whether each sign-off must carry an SSH signature", "required", "required")


class Reviewer(Model):
    """One entry of the register (§2). Names and keys are judged by `generator.approvals.register`, with their
    locations, so one bad entry does not discard the whole policy."""

    name: Text = _field("The reviewer's full name, as written in approvals.yaml", "Dr A. Example")
    roles: list[Text] = _field("Roles the reviewer may sign in", ["psychiatrist"], [])
    keys: list[Text] = _field("SSH public keys (one line each) the reviewer signs with",
                              ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA... a.example@hospital"], [])


class Policy(Model):
    """policy.yaml: the review policy and the reviewer register."""

    model_config = ConfigDict(title="Review policy (policy.yaml)")

    approval: ApprovalPolicy = _field("Who must approve a version", {"minimum": 2, "required_roles": ["pharmacist"]})
    review_interval_months: Int = _field(
        "Months from effective date to review due", 24, 24, ge=1, le=LONGEST_INTERVAL_MONTHS)
    reviewers: list[Reviewer] = _field(
        "The reviewer register", [{"name": "Dr A. Example", "roles": ["psychiatrist"], "keys": []}], [])


class Handbook(Model):
    """One entry of handbooks.yaml: an ordered collection of protocols."""

    id: LocalId = _field("Handbook id: lower-case letters, digits and hyphens", "psychiatry-trd")
    title: Text = _field("Title of the handbook", "Psychiatry: treatment-resistant depression")
    description: Markdown | None = _field("Introduction shown on the handbook page (Markdown)",
                                          "Protocols for treatment-resistant depression.", None)
    protocols: list[ProtocolId] = _field("Protocol ids, in reading order", ["ketamine-trd"])


class Approval(Model):
    """One ledger entry (§4): a sign-off, or with `withdrawn: true` the withdrawal of one."""

    version: Version = _field("The version signed, quoted", "1.0")
    reviewer: Text = _field("The reviewer's name, as in the register", "Dr A. Example")
    role: Text = _field("The role signed in, one of the reviewer's roles", "psychiatrist")
    date: Date = _field("Date of the sign-off, YYYY-MM-DD", "2026-02-11")
    withdrawn: Bool = _field("true for the withdrawal of an earlier sign-off", False, False)
    fingerprint: Text = _field("Fingerprint of the signed version's content (written by `protocols approve`)",
                               "sha256:a903001ce9fd9a081ad6d144d1a17b4df0a96d6bd9d486974bd22f3dc18bcdc1")
    signature: Text | None = _field("SSH signature of the sign-off (written by `protocols approve`)",
                                    "-----BEGIN SSH SIGNATURE-----...", None)


# --- the version file (§3) ------------------------------------------------------------------------------


class DoseRange(Model):
    """The allowed range of a dose; must contain the dose (P201)."""

    min: QuantityField = _field("Smallest allowed dose", "0.1 mg/kg")
    max: QuantityField = _field("Largest allowed dose", "0.75 mg/kg")


class Regimen(Model):
    """One way of giving a drug (§3.2)."""

    id: LocalId = _field("Regimen id, used by phases and {{ regimen-id.field }}", "ketamine-iv")
    drug: LocalId = _field("Drug id of drugs.yaml", "ketamine")
    route: Route = _field("Route in words or standard abbreviations; never SC or SQ (write SUBCUT)", "IV")
    dose: QuantityField = _field("Standard dose; its unit says how it is computed (§3.2)", "0.5 mg/kg")
    dose_range: DoseRange | None = _field("Allowed range, containing the dose",
                                          {"min": "0.1 mg/kg", "max": "0.75 mg/kg"}, None)
    options: list[QuantityField] | None = _field("The allowed fixed doses, each inside dose_range",
                                                 ["56 mg", "84 mg"], None)
    max_dose: QuantityField | None = _field("Cap per administration for a weight-based dose", "60 mg", None)
    duration: QuantityField | None = _field("Time over which the dose is given", "40 min", None)
    concentration: QuantityField | None = _field("Concentration of the prepared drug, for volumes", "10 mg/mL", None)
    unit_dose: QuantityField | None = _field("Size of one unit (device, tablet); fixed doses are multiples of it",
                                             "28 mg", None)
    rounding: QuantityField | None = _field("Step computed amounts are rounded to (default: 0.1 of the unit)",
                                            "0.1 mg", None)
    cite: list[ReferenceId] = _field("Reference ids of references.yaml", ["phillips-2019"], [])
    notes: Markdown | None = _field("Notes shown with the regimen (Markdown)", "Infuse with a syringe pump.", None)


class Phase(Model):
    """One phase of treatment (§3.3)."""

    id: LocalId = _field("Phase id, used by {{ phase-id.field }}", "induction")
    name: Text = _field("Name of the phase", "Induction")
    regimen: LocalId = _field("Regimen id given in this phase", "ketamine-iv")
    frequency: FrequencyField = _field('"N per day|week|month" or "every N h|days|weeks|months"', "3 per week")
    length: QuantityField | None = _field("How long the phase lasts (open-ended when absent)", "2 weeks", None)
    doses: Int | None = _field("Stated total; must equal frequency x length (P205)", 6, None)
    cite: list[ReferenceId] = _field("Reference ids of references.yaml", ["phillips-2019"], [])
    notes: Markdown | None = _field("Notes shown with the phase (Markdown)", "Review response after 6 doses.", None)


class WeightRange(Model):
    """The body weights of a dose table."""

    from_: QuantityField = _field("First weight of the table", "40 kg", alias="from")
    to: QuantityField = _field("Last weight of the table", "120 kg")
    step: QuantityField = _field("Step between rows", "5 kg")


class DoseTable(Model):
    """A table of doses by body weight, for a weight-based regimen."""

    regimen: LocalId = _field("Regimen id, weight-based", "ketamine-iv")
    weights: WeightRange = _field("Weights of the rows", {"from": "40 kg", "to": "120 kg", "step": "5 kg"})


class Section(Model):
    """A section of prose."""

    id: LocalId = _field("Section id", "monitoring")
    title: Text = _field("Heading of the section", "Monitoring")
    body: Markdown = _field("Text of the section (Markdown, with {{ ... }} references)",
                            "Measure blood pressure before the infusion.")


class VersionDoc(Model):
    """One version file: a complete, self-contained snapshot of a protocol."""

    model_config = ConfigDict(title="Protocol version file")

    id: ProtocolId = _field("Protocol id, equal to the folder name", "ketamine-trd")
    version: Version = _field('MAJOR.MINOR in quotes, equal to the file name, e.g. "1.10"', "1.0")
    title: Text = _field("Title of the protocol", "Ketamine for treatment-resistant depression")
    status: Literal[STATUSES] = _field(  # type: ignore[valid-type]
        "draft, in-review, approved or retired", "draft")
    effective: Date | None = _field("Date the version takes effect, YYYY-MM-DD", "2026-02-11", None)
    review_due: Date | None = _field("Date the version is due for review, YYYY-MM-DD", "2028-02-11", None)
    owner: Text | None = _field("Who owns the protocol", "Department of Psychiatry", None)
    summary: Markdown = _field("Summary shown first (Markdown)", "IV ketamine for adults with TRD.", "")
    changes: list[Markdown] = _field("What changed since the previous version; required after the first",
                                     ["Monitoring section reworded."], [])
    regimens: list[Regimen] = _field("The regimens", [{"id": "ketamine-iv", "drug": "ketamine", "route": "IV",
                                                       "dose": "0.5 mg/kg"}], [])
    phases: list[Phase] = _field("The phases of treatment", [{"id": "induction", "name": "Induction",
                                                              "regimen": "ketamine-iv", "frequency": "3 per week"}], [])
    dose_tables: list[DoseTable] = _field("Tables of doses by weight", [{"regimen": "ketamine-iv", "weights": {
        "from": "40 kg", "to": "120 kg", "step": "5 kg"}}], [])
    sections: list[Section] = _field("Sections of prose", [{"id": "monitoring", "title": "Monitoring",
                                                            "body": "Measure blood pressure."}], [])
    algorithm: list[Markdown] = _field("Steps of the decision algorithm (Markdown)", ["Confirm the diagnosis."], [])


def drug_name(regimen: Regimen, drugs: Mapping[str, Drug] | None) -> str:
    """The regimen's drug as the formulary names it; its id when there is no formulary or no such drug."""
    drug = drugs.get(regimen.drug) if drugs is not None else None
    return drug.name if drug is not None else regimen.drug


# The file types of §2-§4 with their JSON Schema: the top-level shape and the title an editor shows.
SCHEMA_FILES: dict[str, tuple[Any, str]] = {
    "version": (VersionDoc, "Protocol version file"),
    "references": (dict[ReferenceId, Reference], "Bibliography (_library/references.yaml), by reference id"),
    "drugs": (dict[LocalId, Drug], "Formulary (_library/drugs.yaml), by drug id"),
    "policy": (Policy, "Review policy and reviewer register (_library/policy.yaml)"),
    "handbooks": (list[Handbook], "Handbooks (_library/handbooks.yaml)"),
    "approvals": (list[Approval], "Approvals ledger (<protocol>/approvals.yaml)"),
}


def file_json_schema(kind: str) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of one file type of SCHEMA_FILES, as kept in protocols/_schema/."""
    shape, title = SCHEMA_FILES[kind]
    schema = TypeAdapter(shape).json_schema(by_alias=True)
    if "patternProperties" in schema:  # a mapping by id: a key that is not a well-formed id is refused (P105)
        schema["additionalProperties"] = False
    schema["title"] = title
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"protocols/{kind}.schema.json"
    return schema


def version_json_schema() -> dict[str, Any]:
    return file_json_schema("version")
