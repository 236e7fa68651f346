"""Server-side weight-based dose tables (#dose-table): one HTML table per `dose_tables` entry.

Every figure comes from dosing.table_rows, so the table, the command line and the calculator share
one computation; every number is shown through quantity.format_number. The table works with
JavaScript off and in print. dosecalc.js enhances `.pc-dose-table[data-dosecalc-spec]` with a
calculator and matches a computed weight to the row whose header cell reads "<kg> kg".
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from functools import cache
from typing import Any

from markupsafe import Markup, escape

from generator.dosing import dose_engine as dosing
from generator.model.quantity import Quantity, format_length, format_number, format_range, fraction_to_decimal
from generator.model.schema import DoseTable, Drug, Regimen, VersionDoc
from generator.render.dose_calculator import spec_as_json
from generator.render.fields import dose_statement
from generator.render.templates import heading, render_template
from generator.text.inline import anchor

LB_PER_KG = 1 / dosing.LB_IN_KG
POUND_STEP = Fraction(1, 10)

# Column key in a dosing result, in the order shown.
AMOUNT_COLUMNS = ("dose", "rate", "range", "volume", "total", "pump_rate")


@dataclass(frozen=True)
class DoseTableView:
    regimen_id: str
    anchor: str
    heading: str
    caption: str
    columns: list[tuple[str, str]]  # (key, heading with its unit)
    rows_html: Markup  # the body rows as <tr> elements, escaped (body_rows_html)
    any_capped: bool  # some row gives the maximum instead of the weight-based figure
    capped_note: str
    rounding_note: str


@cache  # the same few hundred weights recur in every table
def pounds(kg_text: str) -> str:
    """A weight in kg shown in pounds, rounded half up to 0.1 lb (for reading only, never for dosing)."""
    exact = Fraction(kg_text) * LB_PER_KG
    rounded = (exact / POUND_STEP + Fraction(1, 2)).__floor__() * POUND_STEP
    return format_number(fraction_to_decimal(rounded))


@cache  # doses and weights recur across rows and tables
def _shown(number_text: str) -> str:
    """A spec number (plain decimal text) as the page shows it, grouped: "3,000", "0.5"."""
    return format_number(Decimal(number_text))


def _amount(figure: Mapping[str, str]) -> str:
    return f"{_shown(figure['value'])} {figure['unit']}"


def _quantity(figure: Mapping[str, str]) -> Quantity:
    return Quantity(Decimal(figure["value"]), figure["unit"])


def _headings(regimen: Regimen, first_row: Mapping[str, Any]) -> dict[str, str]:
    total = "Total"
    if regimen.duration is not None:
        total = f"Total over {format_length(regimen.duration)}"
    names = {
        "dose": "Dose",
        "rate": "Rate",
        "range": "Range",
        "volume": "Volume",
        "total": total,
        "pump_rate": "Pump rate",
    }
    units = {key: figure["unit"] for key, figure in first_row.items() if isinstance(figure, dict) and "unit" in figure}
    if "range" in first_row:
        units["range"] = first_row["range"]["max"]["unit"]
    return {key: f"{name} ({units[key]})" for key, name in names.items() if key in units}


def _cell(key: str, row: Mapping[str, Any], capped_words: str) -> str:
    if key == "range":
        return format_range(_quantity(row["range"]["min"]), _quantity(row["range"]["max"]))
    text = _amount(row[key])
    if key in ("dose", "rate") and row["capped"]:
        text += f" ({capped_words})"
    return text


def _rounding_note(spec: Mapping[str, Any]) -> str:
    what = "Rates" if spec["amount_key"] == "rate" else "Doses"
    parts = [f"{what} are rounded half up to {format_number(Decimal(spec['step']))} {spec['unit']}"]
    names = {"volume": "volumes", "total": "totals", "pump_rate": "pump rates"}
    for figure in spec["derived"]:
        parts.append(
            f"{names.get(figure['key'], figure['key'])} to {format_number(Decimal(figure['step']))} {figure['unit']}"
        )
    derived = " (computed from the rounded amount)" if spec["derived"] else ""
    inward = (" Range ends are rounded inward (the minimum up, the maximum down), so a range never leaves the "
              "computed one." if "range" in spec and spec["kind"] != "fixed" else "")
    return "; ".join(parts) + f"{derived}.{inward} The weight is rounded half up to 0.1 kg first."


def body_rows_html(rows: list[dict[str, Any]]) -> Markup:
    """The table's body rows, each "<tr>...</tr>" and a newline, every text escaped as Jinja escapes it.

    Built here, not in the template: Jinja's per-cell overhead made these loops a fifth of all template time."""
    lines = []
    for row in rows:
        capped = ' class="pc-capped"' if row["capped"] else ""
        cells = "".join(f"<td>{_escaped(cell)}</td>" for cell in row["cells"])
        weight = f'<th scope="row">{_escaped(row["kg"])} kg</th><td>{_escaped(row["lb"])} lb</td>'
        lines.append(f"<tr{capped}>{weight}{cells}</tr>\n")
    return Markup("".join(lines))


_HTML_SPECIAL = re.compile(r"[&<>'\"]")


def _escaped(text: str) -> str:
    """markupsafe.escape(text), skipped for the usual cell of digits, units and words."""
    return str(escape(text)) if _HTML_SPECIAL.search(text) else text


CAPPED_WORDS = "capped at the maximum"
# A table's rows by what they are computed from: its calculator spec without the protocol, version and
# regimen that name it, and its weight step. Versions that keep a dose share their rows.
RowsCache = dict[str, "TableRows"]


@dataclass(frozen=True)
class TableRows:
    first: dict[str, Any]  # the first row as dosing.table_rows gives it: the columns and their units
    html: Markup  # DoseTableView.rows_html
    any_capped: bool


def _table_rows(spec: dict[str, Any], regimen: Regimen, table: DoseTable, cache: RowsCache | None) -> TableRows:
    weights = table.weights
    key = ""
    if cache is not None:
        named = {name: value for name, value in spec.items() if name not in ("protocol", "version", "regimen")}
        key = f"{spec_as_json(named)} {weights.step.value}"
        if key in cache:
            return cache[key]
    rows = dosing.table_rows(regimen, weights.from_, weights.to, weights.step, spec=spec)
    keys = [key for key in AMOUNT_COLUMNS if key in rows[0]]
    view_rows = [
        {
            "kg": _shown(row["weight_kg"]),
            "lb": pounds(row["weight_kg"]),
            "cells": [_cell(key, row, CAPPED_WORDS) for key in keys],
            "capped": bool(row["capped"]),
        }
        for row in rows
    ]
    found = TableRows(rows[0], body_rows_html(view_rows), any(row["capped"] for row in view_rows))
    if cache is not None:
        cache[key] = found
    return found


def dose_table_view(
    protocol_id: str, version: str, regimen: Regimen, table: DoseTable, drugs: Mapping[str, Drug],
    cache: RowsCache | None = None,
) -> DoseTableView:
    """`cache`: rows already computed in this build, shared by tables computed from the same numbers."""
    weights = table.weights
    spec = dosing.calculator_spec(protocol_id, version, regimen, weights)
    computed = _table_rows(spec, regimen, table, cache)
    headings = _headings(regimen, computed.first)
    keys = [key for key in AMOUNT_COLUMNS if key in computed.first]
    capped_note = ""
    if computed.any_capped and regimen.max_dose is not None:
        capped_note = (
            f"Rows marked \u201c{CAPPED_WORDS}\u201d give the maximum of "
            f"{format_number(regimen.max_dose.value)} {regimen.max_dose.unit} instead of the weight-based "
            "figure."
        )
    statement = dose_statement(regimen, drugs)
    return DoseTableView(
        regimen_id=regimen.id,
        anchor=anchor("dose_table", regimen.id),
        heading=statement,
        caption=f"{statement}, by body weight from {format_number(weights.from_.value)} to "
        f"{format_number(weights.to.value)} {weights.to.unit} in steps of "
        f"{format_number(weights.step.value)} {weights.step.unit}",
        columns=[("weight_kg", "Weight (kg)"), ("weight_lb", "Weight (lb)")] + [(key, headings[key]) for key in keys],
        rows_html=computed.html,
        any_capped=computed.any_capped,
        capped_note=capped_note,
        rounding_note=_rounding_note(spec),
    )


def render_dose_tables(
    protocol_id: str, doc: VersionDoc, drugs: Mapping[str, Drug], cache: RowsCache | None = None,
    status_note: str = "",
) -> str:
    """HTML for the body of #dose-table: a heading `#dose-table-<regimen-id>` and a table each.

    The tables carry no calculator (the protocol page's dose panel computes for them: one weight field
    per page, never two that could disagree). `status_note`: plain text shown
    above each table of a version not in use, for whoever lands on `#dose-table-<regimen-id>`."""
    regimens = {regimen.id: regimen for regimen in doc.regimens}
    blocks = []
    for table in doc.dose_tables:
        regimen = regimens[table.regimen]
        view = dose_table_view(protocol_id, doc.version, regimen, table, drugs, cache)
        html = render_template("dose_table.html.j2", table=view, status_note=status_note).strip()
        blocks.append(f"{heading(3, view.anchor, view.heading)}\n{html}\n")
    return "".join(blocks)
