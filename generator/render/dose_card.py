"""Dose cards of fixed-dose regimens: the dose, the allowed options, how many devices make each dose
(56 mg is 2 devices of 28 mg) and the schedule of the phases that give the regimen.

A weight-based regimen has a dose table and calculator instead, so it gets no card. The card is one
raw HTML block (no blank lines) for the Markdown page, autoescaped by construction: every text goes
through html.escape, every number through quantity.format_number.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from decimal import Decimal

from generator.dosing import dose_engine as dosing
from generator.model.quantity import Quantity, format_length, format_number, format_quantity, format_range
from generator.model.schema import Drug, Phase, Regimen
from generator.render.fields import drug_name
from generator.text.inline import anchor

# What one unit_dose is called, by route; anything else is a "unit".
_DEVICE_WORDS = {"intranasal": ("device", "devices"), "PO": ("tablet", "tablets"), "SL": ("tablet", "tablets"),
                 "IV": ("vial", "vials"), "IM": ("vial", "vials"), "SUBCUT": ("vial", "vials")}


def device_words(route: str, count: int) -> str:
    singular, plural = _DEVICE_WORDS.get(route, ("unit", "units"))
    return singular if count == 1 else plural


def devices_text(dose: Quantity, regimen: Regimen) -> str:
    """"2 devices of 28 mg"; "" without unit_dose or when the dose is not a whole number of them."""
    if regimen.unit_dose is None:
        return ""
    try:
        count = dosing.devices_per_dose(dose, regimen.unit_dose)
    except dosing.DoseError:
        return ""
    words = device_words(regimen.route, count)
    return f"{format_number(Decimal(count))} {words} of {format_quantity(regimen.unit_dose)}"


def dose_with_devices(dose: Quantity, regimen: Regimen) -> str:
    devices = devices_text(dose, regimen)
    return f"{format_quantity(dose)}: {devices}" if devices else format_quantity(dose)


def phase_line(phase: Phase) -> str:
    """"Induction (weeks 1 to 4): twice per week for 4 weeks, 8 doses"; open-ended phases say so."""
    words = f"{phase.name}: {phase.frequency.in_words()}"
    if phase.length is not None:
        words += f" for {format_length(phase.length)}"
    else:
        words += ", open-ended"
    if phase.doses is not None:
        words += f", {format_number(Decimal(phase.doses))} {'dose' if phase.doses == 1 else 'doses'}"
    return words


def _item(label: str, values: Sequence[str], ordered: bool = False) -> str:
    if len(values) == 1:
        value = html.escape(values[0])
    else:
        tag = "ol" if ordered else "ul"
        value = f"<{tag}>" + "".join(f"<li>{html.escape(text)}</li>" for text in values) + f"</{tag}>"
    return f"<dt>{html.escape(label)}</dt><dd>{value}</dd>"


def render_dose_card(regimen: Regimen, phases: Sequence[Phase], drugs: Mapping[str, Drug]) -> str:
    """The card of one fixed-dose regimen as an HTML block (anchor `dose-card-<regimen-id>`); "" otherwise."""
    try:
        if dosing.is_weight_based(regimen):
            return ""
    except dosing.DoseError:  # a dose unit that computes nothing: the checks report it (P206)
        return ""
    title = f"{drug_name(regimen, drugs)} {format_quantity(regimen.dose)} {regimen.route}"
    items = [_item("Dose", [dose_with_devices(regimen.dose, regimen)])]
    if regimen.options:
        items.append(_item("Allowed doses", [dose_with_devices(option, regimen) for option in regimen.options]))
    if regimen.dose_range is not None:
        items.append(_item("Range", [format_range(regimen.dose_range.min, regimen.dose_range.max)]))
    if regimen.unit_dose is not None:
        items.append(_item("Each " + device_words(regimen.route, 1), [format_quantity(regimen.unit_dose)]))
    if regimen.duration is not None:
        items.append(_item("Given over", [format_length(regimen.duration)]))
    own_phases = [phase for phase in phases if phase.regimen == regimen.id]
    if own_phases:
        label = "Schedule, one phase after another" if len(own_phases) > 1 else "Schedule"
        items.append(_item(label, [phase_line(phase) for phase in own_phases], ordered=True))
    return (f'<div class="pc-dose-card" id="{html.escape(anchor("dose_card", regimen.id))}">'
            f'<p class="pc-dose-card__title"><strong>Dose card</strong>: {html.escape(title)}, the same dose for '
            f"every body weight</p><dl>{''.join(items)}</dl></div>")


def render_dose_cards(regimens: Sequence[Regimen], phases: Sequence[Phase], drugs: Mapping[str, Drug]) -> str:
    """Every card of a version, one HTML block each, separated by blank lines; "" when no regimen is fixed."""
    cards = [render_dose_card(regimen, phases, drugs) for regimen in regimens]
    return "\n\n".join(card for card in cards if card)
