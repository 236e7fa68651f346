"""Server-side weight-based dose tables (#dose-table): one HTML table per `dose_tables` entry.

Every figure comes from dosing.table_rows, so the table, the command line and the calculator share
one computation. The calculator enhancement hooks onto `.pc-dose-table[data-regimen]`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from generator import dosing
from generator.quantity import format_length, format_number
from generator.render.fields import dose_statement, drug_name
from generator.render.templates import plain, render_template
from generator.schema import DoseTable, Drug, Regimen, VersionDoc

LB_PER_KG = 1 / dosing.LB_IN_KG

# Column key in a dosing result -> heading; in the order shown.
AMOUNT_COLUMNS = ("dose", "rate", "range", "volume", "total", "pump_rate")


@dataclass(frozen=True)
class DoseTableView:
    regimen_id: str
    anchor: str
    heading: str
    caption: str
    columns: list[tuple[str, str]]  # (key, heading)
    rows: list[dict[str, Any]]  # {"kg", "lb", "cells": [text, ...], "capped": bool}
    capped_note: str


def pounds(kg_text: str) -> str:
    """A weight in kg shown in pounds, rounded half up to 0.1 lb (for reading only, never for dosing)."""
    exact = Fraction(kg_text) * LB_PER_KG
    rounded = (Decimal(exact.numerator) / Decimal(exact.denominator)).quantize(Decimal("0.1"), ROUND_HALF_UP)
    return format_number(rounded)


def _amount(figure: Mapping[str, str]) -> str:
    return f"{format_number(Decimal(figure['value']))} {figure['unit']}"


def _headings(regimen: Regimen) -> dict[str, str]:
    total = "Total"
    if regimen.duration is not None:
        total = f"Total over {format_length(regimen.duration)}"
    return {
        "dose": "Dose",
        "rate": "Rate",
        "range": "Range",
        "volume": "Volume",
        "total": total,
        "pump_rate": "Pump rate",
    }


def _cell(key: str, row: Mapping[str, Any]) -> str:
    if key == "range":
        low, high = row["range"]["min"], row["range"]["max"]
        if low["unit"] == high["unit"]:
            return f"{format_number(Decimal(low['value']))} to {_amount(high)}"
        return f"{_amount(low)} to {_amount(high)}"
    text = _amount(row[key])
    if key in ("dose", "rate") and row["capped"]:
        text += " (capped at the maximum)"
    return text


def dose_table_view(
    protocol_id: str, version: str, regimen: Regimen, table: DoseTable, drugs: Mapping[str, Drug]
) -> DoseTableView:
    weights = table.weights
    rows = dosing.table_rows(regimen, weights.from_, weights.to, weights.step, protocol_id, version)
    headings = _headings(regimen)
    keys = [key for key in AMOUNT_COLUMNS if rows and key in rows[0]]
    view_rows = [
        {
            "kg": format_number(Decimal(row["weight_kg"])),
            "lb": pounds(row["weight_kg"]),
            "cells": [_cell(key, row) for key in keys],
            "capped": bool(row["capped"]),
        }
        for row in rows
    ]
    capped_note = ""
    if any(row["capped"] for row in view_rows) and regimen.max_dose is not None:
        capped_note = (
            f"Rows marked \u201ccapped at the maximum\u201d give the maximum of "
            f"{format_number(regimen.max_dose.value)} {regimen.max_dose.unit} instead of the weight-based "
            "figure."
        )
    return DoseTableView(
        regimen_id=regimen.id,
        anchor=f"dose-table-{regimen.id}",
        heading=dose_statement(regimen, drugs),
        caption=f"{drug_name(regimen, drugs)} {regimen.route} by body weight, "
        f"{format_number(weights.from_.value)} to {format_number(weights.to.value)} {weights.to.unit}",
        columns=[(key, headings[key]) for key in keys],
        rows=view_rows,
        capped_note=capped_note,
    )


def render_dose_tables(protocol_id: str, doc: VersionDoc, drugs: Mapping[str, Drug]) -> str:
    """Markdown for the body of #dose-table: a heading `#dose-table-<regimen-id>` and an HTML table each."""
    regimens = {regimen.id: regimen for regimen in doc.regimens}
    blocks = []
    for table in doc.dose_tables:
        regimen = regimens[table.regimen]
        view = dose_table_view(protocol_id, doc.version, regimen, table, drugs)
        html = render_template("dose_table.html.j2", table=view).strip()
        blocks.append(f"### {plain(view.heading)} {{: #{view.anchor} }}\n\n{html}\n")
    return "\n".join(blocks)
