"""Server-side dose tables: every figure from dosing.table_rows, units in the headers, capped rows in words,
the calculator spec as a data attribute (no script), and the anchor of each table."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

from generator.dosing import dose_engine as dosing
from generator.load.library import Library, load_library
from generator.model.quantity import format_number
from generator.model.schema import DoseTable, Regimen
from generator.render.dose_card import devices_text, render_dose_card, render_dose_cards
from generator.render.dose_tables import body_rows_html, dose_table_view, pounds, render_dose_tables

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def library() -> Library:
    return load_library(ROOT / "protocols")


def table_html(library: Library, protocol_id: str, version: str = "1.0") -> str:
    doc = library.protocols[protocol_id].versions[version].doc
    return render_dose_tables(protocol_id, doc, library.drugs)


def body_rows(markup: str) -> list[list[str]]:
    """The text of every cell of every body row."""
    body = markup.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row) for row in re.findall(r"<tr[^>]*>.*?</tr>", body)]


def test_crps_table_heading_caption_headers_and_capped_rows(library: Library) -> None:
    markup = table_html(library, "ketamine-crps")
    assert markup.startswith(
        '<h3 id="dose-table-ketamine-infusion">ketamine 0.35 mg/kg/h IV (maximum 25 mg/h) for 4 hours'
        '<a class="headerlink" href="#dose-table-ketamine-infusion" title="Permanent link">&para;</a></h3>\n'
        '<div class="pc-dose-table" data-regimen="ketamine-infusion">\n<table>\n')
    assert "<caption>ketamine 0.35 mg/kg/h IV (maximum 25 mg/h) for 4 hours, by body weight from 40 to 120 kg " \
           "in steps of 5 kg</caption>" in markup
    assert ('<tr><th scope="col">Weight (kg)</th><th scope="col">Weight (lb)</th><th scope="col">Rate (mg/h)</th>'
            '<th scope="col">Total over 4 hours (mg)</th></tr>') in markup
    rows = body_rows(markup)
    assert len(rows) == 17
    assert rows[0] == ["40 kg", "88.2 lb", "14 mg/h", "56 mg"]
    assert rows[6] == ["70 kg", "154.3 lb", "24.5 mg/h", "98 mg"]
    assert rows[7] == ["75 kg", "165.3 lb", "25 mg/h (capped at the maximum)", "100 mg"]
    assert rows[16] == ["120 kg", "264.6 lb", "25 mg/h (capped at the maximum)", "100 mg"]
    assert '<tr class="pc-capped"><th scope="row">75 kg</th>' in markup
    assert ('<p class="pc-capped-note">Rows marked \u201ccapped at the maximum\u201d give the maximum of 25 mg/h '
            "instead of the weight-based figure.</p>") in markup
    assert ('<p class="pc-rounding-note">Rates are rounded half up to 0.1 mg/h; totals to 0.1 mg (computed from '
            "the rounded amount). The weight is rounded half up to 0.1 kg first.</p>") in markup


@pytest.mark.parametrize("protocol_id", ["ketamine-trd", "ketamine-crps"])
def test_every_figure_is_the_dose_engines(library: Library, protocol_id: str) -> None:
    doc = library.protocols[protocol_id].versions["1.0"].doc
    table = doc.dose_tables[0]
    regimen = next(r for r in doc.regimens if r.id == table.regimen)
    weights = table.weights
    expected = dosing.table_rows(regimen, weights.from_, weights.to, weights.step, protocol_id, "1.0")
    rows = body_rows(table_html(library, protocol_id))
    assert len(rows) == len(expected)
    for cells, row in zip(rows, expected, strict=True):
        assert cells[0] == f"{row['weight_kg']} kg"
        amount = row.get("dose") or row["rate"]
        assert cells[2].split(" (")[0] == f"{format_number(Decimal(amount['value']))} {amount['unit']}"
        assert cells[2].endswith("(capped at the maximum)") is row["capped"]


def test_trd_table_has_a_range_column_and_no_capped_rows(library: Library) -> None:
    markup = table_html(library, "ketamine-trd")
    assert '<th scope="col">Dose (mg)</th><th scope="col">Range (mg)</th></tr>' in markup
    rows = body_rows(markup)
    assert rows[6] == ["70 kg", "154.3 lb", "35 mg", "7 to 52.5 mg"]
    assert rows[1] == ["45 kg", "99.2 lb", "22.5 mg", "4.5 to 33.7 mg"]  # 33.75 mg rounded inward (§3.2)
    assert ("Range ends are rounded inward (the minimum up, the maximum down), so a range never leaves the "
            "computed one. The weight is rounded half up to 0.1 kg first.</p>") in markup
    assert "pc-capped" not in markup


def test_the_table_carries_no_calculator_and_no_script(library: Library) -> None:
    """The protocol page's dose panel computes for its tables (one weight field per page)."""
    markup = table_html(library, "ketamine-crps")
    assert '<div class="pc-dose-table" data-regimen="ketamine-infusion">' in markup
    assert "data-dosecalc-spec" not in markup
    assert "<script" not in markup and "onclick" not in markup.lower()


def fentanyl_like() -> tuple[Regimen, DoseTable]:
    regimen = Regimen.model_validate({"id": "opioid", "drug": "opioid", "route": "IV", "dose": "10 mcg/kg",
                                      "max_dose": "1500 mcg", "concentration": "50 mcg/mL"})
    table = DoseTable.model_validate({"regimen": "opioid", "weights": {"from": "100 kg", "to": "160 kg",
                                                                        "step": "10 kg"}})
    return regimen, table


def test_thousands_are_grouped_and_volumes_follow_the_rounded_dose() -> None:
    regimen, table = fentanyl_like()
    view = dose_table_view("p", "1.0", regimen, table, {})
    assert view.columns == [("weight_kg", "Weight (kg)"), ("weight_lb", "Weight (lb)"), ("dose", "Dose (mcg)"),
                            ("volume", "Volume (mL)")]
    rows = body_rows(f"<tbody>{view.rows_html}</tbody>")
    assert rows[0] == ["100 kg", "220.5 lb", "1,000 mcg", "20 mL"]
    assert rows[5] == ["150 kg", "330.7 lb", "1,500 mcg", "30 mL"]
    assert rows[6] == ["160 kg", "352.7 lb", "1,500 mcg (capped at the maximum)", "30 mL"]
    assert view.rows_html.count('<tr class="pc-capped">') == 1 and view.any_capped
    assert view.capped_note == ("Rows marked \u201ccapped at the maximum\u201d give the maximum of 1,500 mcg "
                                "instead of the weight-based figure.")


@pytest.mark.parametrize(("kg", "lb"), [("40", "88.2"), ("45", "99.2"), ("500", "1,102.3"), ("0.1", "0.2"),
                                         ("68.5", "151"), ("1", "2.2")])
def test_pounds_are_exact_and_rounded_half_up_to_a_tenth(kg: str, lb: str) -> None:
    assert pounds(kg) == lb


def test_a_pound_value_typed_back_gives_the_rows_weight() -> None:
    """Reading the lb column and typing it into the calculator in lb lands on the same row."""
    for tenths in range(1, 5001):
        kg = format_number(Decimal(tenths) / 10, group=False)
        typed = pounds(kg).replace(",", "")
        assert format_number(dosing.parse_weight(typed, "lb"), group=False) == kg


# ---- dose cards of fixed-dose regimens ---------------------------------------------------------------

def test_esketamine_card_gives_devices_per_dose_and_the_schedule(library: Library) -> None:
    doc = library.protocols["esketamine-trd"].versions["1.0"].doc
    assert render_dose_cards(doc.regimens, doc.phases, library.drugs) == (
        '<div class="pc-dose-card" id="dose-card-esketamine-in"><p class="pc-dose-card__title"><strong>Dose card'
        "</strong>: esketamine 56 mg intranasal, the same dose for every body weight</p><dl>"
        "<dt>Dose</dt><dd>56 mg: 2 devices of 28 mg</dd>"
        "<dt>Allowed doses</dt><dd><ul><li>56 mg: 2 devices of 28 mg</li><li>84 mg: 3 devices of 28 mg</li></ul></dd>"
        "<dt>Range</dt><dd>56 to 84 mg</dd><dt>Each device</dt><dd>28 mg</dd>"
        "<dt>Schedule, one phase after another</dt><dd><ol>"
        "<li>Induction (weeks 1 to 4): twice per week for 4 weeks, 8 doses</li>"
        "<li>Weeks 5 to 8: once per week for 4 weeks, 4 doses</li>"
        "<li>Maintenance (week 9 onward): every 2 weeks, open-ended</li></ol></dd></dl></div>")


def test_weight_based_regimens_get_no_card(library: Library) -> None:
    doc = library.protocols["ketamine-trd"].versions["1.0"].doc
    assert render_dose_card(doc.regimens[0], doc.phases, library.drugs) == ""
    assert render_dose_cards(doc.regimens, doc.phases, library.drugs) == ""


def test_card_words_for_tablets_and_doses_that_are_not_whole_devices() -> None:
    tablet = Regimen.model_validate({"id": "oral", "drug": "x", "route": "PO", "dose": "25 mg", "unit_dose": "12.5 mg",
                                     "options": ["25 mg", "30 mg"]})
    card = render_dose_card(tablet, [], {})
    assert "<dt>Dose</dt><dd>25 mg: 2 tablets of 12.5 mg</dd>" in card
    assert "<li>30 mg</li>" in card  # 30 mg is no whole number of 12.5 mg tablets: no count is shown
    assert "<dt>Each tablet</dt><dd>12.5 mg</dd>" in card
    assert "Schedule" not in card
    assert devices_text(tablet.dose, tablet) == "2 tablets of 12.5 mg"


def test_card_escapes_text() -> None:
    regimen = Regimen.model_validate({"id": "r", "drug": "x", "route": "IV <i>", "dose": "1000 mg"})
    card = render_dose_card(regimen, [], {})
    assert "</strong>: x 1,000 mg IV &lt;i&gt;, the same dose" in card


def test_body_rows_are_escaped_as_the_template_escapes() -> None:
    rows = [
        {"kg": "40", "lb": "88.2", "cells": ["20 mg", "<b>&'\"</b>"], "capped": False},
        {"kg": "45", "lb": "99.2", "cells": ["25 mg (capped at the maximum)", "x"], "capped": True},
    ]
    assert str(body_rows_html(rows)) == (
        '<tr><th scope="row">40 kg</th><td>88.2 lb</td><td>20 mg</td>'
        "<td>&lt;b&gt;&amp;&#39;&#34;&lt;/b&gt;</td></tr>\n"
        '<tr class="pc-capped"><th scope="row">45 kg</th><td>99.2 lb</td>'
        "<td>25 mg (capped at the maximum)</td><td>x</td></tr>\n"
    )
