"""dosecalc.js in a real browser (Debian's Chromium, driven by Playwright), on the site `protocols build` makes
of the sample library: the page's "Dose for this patient" panel (dose-panel.js) computes with it and shows
the digits of Python's evaluate_spec. dosecalc.js itself writes nothing to a page: the old calculator that it
put above every dose table (issue 16: "Warning: Capped:") is gone, and no page carries a table calculator
spec. Digit-for-digit parity over many weights is tested in Node (tests/render/test_dose_calculator_node.py);
the panel's wording, refusals, keyboard and print in tests/end_to_end/test_dose_panel_browser.py.
"""

from __future__ import annotations

import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from generator.dosing.dose_engine import calculator_spec, evaluate_spec
from generator.load.library import Library, load_library
from generator.model.quantity import format_number

ROOT = Path(__file__).resolve().parents[2]
DOSECALC = ROOT / "site_templates" / "assets" / "dosecalc.js"


@pytest.fixture(scope="module")
def library() -> Library:
    return load_library(ROOT / "protocols")


def spec_of(library: Library, protocol_id: str) -> dict[str, Any]:
    doc = library.protocols[protocol_id].versions["1.0"].doc
    table = doc.dose_tables[0]
    regimen = next(r for r in doc.regimens if r.id == table.regimen)
    return calculator_spec(protocol_id, doc.version, regimen, table.weights)


def grouped(figure: dict[str, str]) -> str:
    return f"{format_number(Decimal(figure['value']))} {figure['unit']}"


def test_the_built_site_calculator_gives_pythons_digits(served_sites: dict[str, Any], chromium_browser: Any,
                                                        library: Library) -> None:
    """The panel computes for the table (dose-panel.js calls computeDose): the same figures, the table's row
    highlighted, and no second weight field."""
    page = chromium_browser.new_page()
    failed: list[str] = []
    page.on("pageerror", lambda error: failed.append(str(error)))
    try:
        page.goto(served_sites["clinician"].url("protocols/ketamine-crps/index.html"), wait_until="load")
        spec = spec_of(library, "ketamine-crps")
        panel = page.locator(".pc-dose-panel")
        field = panel.get_by_label("Patient weight")
        for weight in ("71.4", "71.5", "80", "39.9"):
            field.fill("")
            field.press_sequentially(weight)
            result = evaluate_spec(spec, weight, "kg")
            figures = panel.locator(".pc-dose-panel__figures li").all_inner_texts()
            rate = f"Rate: {grouped(result['rate'])}"
            rate += " (capped at the maximum of 25 mg/h)" if result["capped"] else " (maximum 25 mg/h)"
            assert figures == [rate, f"Total over 4 hours: {grouped(result['total'])}"]
        assert panel.locator(".pc-dose-panel__warning").all_inner_texts() == [
            "Check: weight 39.9 kg is outside the dose table (40 to 120 kg); check the dose."]
        field.fill("80")
        assert page.locator(".pc-dose-table tr.pc-dosecalc-match th").all_inner_texts() == ["80 kg"]
        assert page.get_by_label("Patient weight").count() == 1
        assert page.locator(".pc-dosecalc, .pc-dosecalc__warning").count() == 0
    finally:
        page.close()
    assert failed == []


def test_no_page_carries_a_table_calculator(built_sites: dict[str, Any]) -> None:
    for site in built_sites.values():
        pages = site.html_pages()
        assert len(pages) > 20
        carrying = [page for page in pages if "data-dosecalc-spec" in (site.root / page).read_text(encoding="utf-8")]
        assert carrying == []


def test_dosecalc_exports_the_computation_and_writes_nothing_itself() -> None:
    script = DOSECALC.read_text(encoding="utf-8")
    assert "Warning: " not in script and "Capped:" not in script and "document." not in script
    exported = subprocess.run(
        ["node", "-e", f"process.stdout.write(Object.keys(require({str(DOSECALC)!r})).join(','))"],
        capture_output=True, text=True, check=True).stdout
    assert exported == "computeDose,formatGrouped"
