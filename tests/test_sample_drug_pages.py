"""The sample library's drug pages as a clinician reads them (issue 16): a rate cap is labelled a maximum
rate, esketamine's 84 mg formulary ceiling shows where its regimen states no maximum of its own,
durations are given, no internal id appears, and the retired protocol is named as retired, without a
dose."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from generator.load.library import load_library
from generator.render.families import render_site

PROTOCOLS = Path(__file__).resolve().parent.parent / "protocols"
NBSP = "\u00a0"


@pytest.fixture(scope="module")
def pages() -> dict[str, str]:
    library = load_library(PROTOCOLS, "protocols")
    return dict(render_site(library, dt.date(2026, 11, 30), reviewer=False))


def rows(page: str) -> list[list[str]]:
    return [[cell.strip() for cell in line.strip("|").split(" | ")] for line in page.splitlines()
            if line.startswith("| [")]


def test_ketamine_page_labels_the_crps_rate_cap_a_maximum_rate(pages: dict[str, str]) -> None:
    page = pages["drugs/ketamine/index.md"]
    assert rows(page) == [
        ["[IV ketamine infusion for complex regional pain syndrome](../../protocols/ketamine-crps/index.md#dosing)",
         "1.0 (current)", "IV", f"0.35{NBSP}mg/kg/h \\(per kg of body weight, as a continuous rate\\)", "not stated",
         f"25{NBSP}mg/h maximum rate", f"4{NBSP}hours"],
        ["[IV ketamine for treatment-resistant depression](../../protocols/ketamine-trd/index.md#dosing)",
         "1.0 (current)", "IV", f"0.5{NBSP}mg/kg \\(per kg of body weight\\)", f"0.1 to 0.75{NBSP}mg/kg",
         "not stated", f"40{NBSP}minutes"],
    ]
    assert "Maximum per dose" not in page and "ketamine-infusion" not in page and "ketamine-iv" not in page


def test_esketamine_page_shows_the_84_mg_ceiling(pages: dict[str, str]) -> None:
    page = pages["drugs/esketamine/index.md"]
    assert '<tr><th scope="row">Ceiling per administration</th><td>84\u00a0mg</td></tr>' in page
    ((protocol, version, route, dose, allowed, maximum, duration),) = rows(page)
    assert (version, route, maximum, duration) == ("1.1 (current)", "intranasal",
                                                   f"84{NBSP}mg per dose \\(formulary ceiling\\)", "not stated")
    assert allowed == f"56{NBSP}mg \\(2{NBSP}units of 28{NBSP}mg\\) or 84{NBSP}mg \\(3{NBSP}units of 28{NBSP}mg\\)"
    assert "not stated" not in maximum and "esketamine-in" not in page


def test_the_retired_protocol_is_named_as_retired_without_a_dose(pages: dict[str, str]) -> None:
    page = pages["drugs/ketamine/index.md"]
    retired = page[page.index("## Retired protocols {: #retired }"):]
    assert ("- [IV ketamine twice weekly for treatment-resistant depression]"
            "(../../protocols/ketamine-trd-twice-weekly/index.md): retired since 2026-02-11\n") in retired
    in_use = page[page.index("## Regimens in use"):page.index("## Retired protocols")]
    assert "twice weekly" not in in_use
