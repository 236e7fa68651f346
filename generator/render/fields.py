"""Regimen and phase fields as words and numbers for the page (every number via quantity's formatter)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from generator.dosing import dose_engine as dosing
from generator.model.quantity import Quantity, format_length, format_number, format_quantity, format_range
from generator.model.schema import DoseRange, Drug, Phase, Regimen, drug_name
from generator.text.inline import word_list


def dose_range(value: DoseRange) -> str:
    return format_range(value.min, value.max)


def options(regimen: Regimen) -> str:
    shown = []
    for option in regimen.options or []:
        text = format_quantity(option)
        if regimen.unit_dose is not None:
            count = _devices(option, regimen.unit_dose)
            if count is not None:
                text += f" ({count} {'unit' if count == 1 else 'units'} of {format_quantity(regimen.unit_dose)})"
        shown.append(text)
    return word_list(shown)


def _devices(dose: Quantity, unit_dose: Quantity) -> int | None:
    try:
        return dosing.devices_per_dose(dose, unit_dose)
    except dosing.DoseError:
        return None


def how_computed(regimen: Regimen) -> str:
    """What the dose's unit means for the person giving it."""
    try:
        regimen_kind = dosing.kind(regimen)
    except dosing.DoseError:
        return ""
    if regimen_kind == "bolus":
        return "per kg of body weight"
    if regimen_kind == "continuous":
        return "per kg of body weight, as a continuous rate"
    return "fixed dose, the same for every weight"


def dose_statement(regimen: Regimen, drugs: Mapping[str, Drug]) -> str:
    """The bottom line of a regimen: "ketamine 0.5 mg/kg IV over 40 minutes"; with its cap,
    "ketamine 0.35 mg/kg/h IV (maximum 25 mg/h) for 4 hours"."""
    words = [drug_name(regimen, drugs), format_quantity(regimen.dose), regimen.route]
    if regimen.max_dose is not None:
        words.append(f"(maximum {format_quantity(regimen.max_dose)})")
    if regimen.duration is not None:
        continuous = dosing.is_weight_based(regimen) and dosing.kind(regimen) == "continuous"
        words.append(("for " if continuous else "over ") + format_length(regimen.duration))
    return " ".join(words)


def regimen_facts(regimen: Regimen, drugs: Mapping[str, Drug]) -> list[tuple[str, str]]:
    """(label, value) pairs of every field the regimen states, in a fixed order; plain text."""
    facts = [("Drug", drug_name(regimen, drugs)), ("Route", regimen.route)]
    computed = how_computed(regimen)
    facts.append(("Dose", format_quantity(regimen.dose) + (f" ({computed})" if computed else "")))
    if regimen.dose_range is not None:
        facts.append(("Range", dose_range(regimen.dose_range)))
    if regimen.options:
        facts.append(("Allowed doses", options(regimen)))
    if regimen.max_dose is not None:
        label = "Maximum rate" if "/" in regimen.max_dose.unit else "Maximum per dose"
        facts.append((label, format_quantity(regimen.max_dose) + " whatever the weight"))
    if regimen.duration is not None:
        facts.append(("Duration", format_length(regimen.duration)))
    if regimen.concentration is not None:
        facts.append(("Concentration", format_quantity(regimen.concentration)))
    if regimen.unit_dose is not None:
        facts.append(("Unit dose", format_quantity(regimen.unit_dose) + " per device, vial or tablet"))
    return facts


def phase_facts(phase: Phase) -> list[tuple[str, str]]:
    facts = [("Frequency", phase.frequency.in_words())]
    facts.append(("Length", format_length(phase.length) if phase.length is not None else "open-ended"))
    if phase.doses is not None:
        facts.append(("Doses", format_number(Decimal(phase.doses))))
    return facts
