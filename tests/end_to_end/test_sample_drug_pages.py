"""The sample library's drug pages as a clinician reads them (issue 16): a rate cap is labelled a maximum
rate, esketamine's 84 mg formulary ceiling shows where its regimen states no maximum of its own,
durations are given, no internal id appears, and the retired protocol is named as retired, without a
dose."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from helpers import shown_body

from generator.load.library import load_library
from generator.render.families import render_site

PROTOCOLS = Path(__file__).resolve().parents[2] / "protocols"
NBSP = "\u00a0"


@pytest.fixture(scope="module")
def pages() -> dict[str, str]:
    library = load_library(PROTOCOLS, "protocols")
    return dict(render_site(library, dt.date(2026, 11, 30), reviewer=False))


def rows(page: str) -> list[list[str]]:
    """The cells of each row of the "Regimens in use" table (pass the page as the site shows it)."""
    return [re.findall(r"<td>(.*)</td>", cells) for cells in re.findall(r"<tr>\n((?:<td>.*</td>\n)+)</tr>", page)]


def test_ketamine_page_labels_the_crps_rate_cap_a_maximum_rate(pages: dict[str, str]) -> None:
    page = shown_body(pages, "drugs/ketamine/index.md")
    assert rows(page) == [
        ['<a href="../../protocols/ketamine-crps/#dosing">IV ketamine infusion for complex regional pain syndrome</a>',
         "1.0 (current)", "IV", f"0.35{NBSP}mg/kg/h (per kg of body weight, as a continuous rate)", "not stated",
         f"25{NBSP}mg/h maximum rate", f"4{NBSP}hours"],
        ['<a href="../../protocols/ketamine-trd/#dosing">IV ketamine for treatment-resistant depression</a>',
         "1.0 (current)", "IV", f"0.5{NBSP}mg/kg (per kg of body weight)", f"0.1 to 0.75{NBSP}mg/kg",
         "not stated", f"40{NBSP}minutes"],
    ]
    assert "Maximum per dose" not in page and "ketamine-infusion" not in page and "ketamine-iv" not in page


def test_esketamine_page_shows_the_84_mg_ceiling(pages: dict[str, str]) -> None:
    page = shown_body(pages, "drugs/esketamine/index.md")
    assert '<tr><th scope="row">Ceiling per administration</th><td>84\u00a0mg</td></tr>' in page
    ((protocol, version, route, dose, allowed, maximum, duration),) = rows(page)
    assert (version, route, maximum, duration) == ("1.1 (current)", "intranasal",
                                                   f"84{NBSP}mg per dose (formulary ceiling)", "not stated")
    assert allowed == f"56{NBSP}mg (2{NBSP}units of 28{NBSP}mg) or 84{NBSP}mg (3{NBSP}units of 28{NBSP}mg)"
    assert "not stated" not in maximum and "esketamine-in" not in page


def test_the_retired_protocol_is_named_as_retired_without_a_dose(pages: dict[str, str]) -> None:
    page = shown_body(pages, "drugs/ketamine/index.md")
    retired = page[page.index('<h2 id="retired">'):]
    assert ('<li><a href="../../protocols/ketamine-trd-twice-weekly/">IV ketamine twice weekly for '
            "treatment-resistant depression</a>: retired since 2026-02-11</li>\n") in retired
    in_use = page[page.index('<h2 id="regimens">'):page.index('<h2 id="retired">')]
    assert "twice weekly" not in in_use
