"""The dose calculator in a real browser (Debian's Chromium, driven by Playwright): typed weights give the
digits of Python's evaluate_spec, the matching row is highlighted, refused weights show no number, the
keyboard alone works, the page fits 360 px, and a screenshot shows something.

Two pages: a small static page made of dose_tables.py's HTML + dosecalc.js + dosecalc.css, and the real
site that `protocols build` makes of the sample library.
"""

from __future__ import annotations

import functools
import http.server
import io
import shutil
import struct
import threading
import zlib
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from generator import cli
from generator.dosing.dose_engine import DoseError, NoDose, calculator_spec, evaluate_spec
from generator.load.library import Library, load_library
from generator.model.quantity import format_number
from generator.render.dose_tables import render_dose_tables

ROOT = Path(__file__).resolve().parent.parent
ASSETS = ROOT / "site_templates" / "assets"
LABELS = {"dose": "Dose", "rate": "Rate", "volume": "Volume", "total": "Total", "pump_rate": "Pump rate"}
PROTOCOLS = ("ketamine-trd", "ketamine-crps")


@pytest.fixture(scope="module")
def library() -> Library:
    return load_library(ROOT / "protocols")


def serve(directory: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    class QuietHandler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler,
                                                                                directory=str(directory)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def served_tables(library: Library, protocol_ids: tuple[str, ...], folder: Path) -> Iterator[str]:
    """index.html with the protocols' dose tables as dose_tables.py writes them, dosecalc.js by <script src>."""
    (folder / "assets").mkdir()
    for name in ("dosecalc.js", "dosecalc.css"):
        shutil.copy(ASSETS / name, folder / "assets" / name)
    tables = []
    for protocol_id in protocol_ids:
        doc = library.protocols[protocol_id].versions["1.0"].doc
        markdown = render_dose_tables(protocol_id, doc, library.drugs)
        tables.append(f'<section id="{protocol_id}">' + markdown.split("\n\n", 1)[1] + "</section>")
    (folder / "index.html").write_text(
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<title>Dose tables</title><link rel="stylesheet" href="assets/dosecalc.css"></head>'
        '<body class="md-typeset"><main>' + "\n".join(tables) + "</main>"
        '<script src="assets/dosecalc.js"></script></body></html>', encoding="utf-8")
    server, url = serve(folder)
    try:
        yield url
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def static_site(library: Library, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from served_tables(library, PROTOCOLS, tmp_path_factory.mktemp("static"))


@pytest.fixture(scope="module")
def coarse_library(tmp_path_factory: pytest.TempPathFactory) -> Library:
    """The issue's `rounding: 7 mg` on 0.1 to 0.75 mg/kg: every table row has a dose, lighter weights may not."""
    from helpers import VERSION, write_library

    extra = "    duration: 40 min\n    rounding: 7 mg\n    concentration: 10 mg/mL"
    text = VERSION.replace("    duration: 40 min", extra)
    return load_library(write_library(tmp_path_factory.mktemp("coarse"), {"ketamine-trd/1.0.yaml": text}))


@pytest.fixture(scope="module")
def coarse_site(coarse_library: Library, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from served_tables(coarse_library, ("ketamine-trd",), tmp_path_factory.mktemp("coarse-site"))


@pytest.fixture(scope="module")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    out = tmp_path_factory.mktemp("built") / "site"
    log = io.StringIO()
    status = cli.main(["build", "--as-of", "2026-06-01", "--out", str(out), str(ROOT / "protocols")], out=log)
    assert status == 0, log.getvalue()
    server, url = serve(out)
    try:
        yield url
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def browser(chromium_browser: Any) -> Any:
    """The session's one Chromium (conftest.py): Playwright's sync API cannot run twice at once."""
    return chromium_browser


def spec_of(library: Library, protocol_id: str) -> dict[str, Any]:
    doc = library.protocols[protocol_id].versions["1.0"].doc
    table = doc.dose_tables[0]
    regimen = next(r for r in doc.regimens if r.id == table.regimen)
    return calculator_spec(protocol_id, doc.version, regimen, table.weights)


def grouped(figure: dict[str, str]) -> str:
    return f"{format_number(Decimal(figure['value']))} {figure['unit']}"


def expected_figures(spec: dict[str, Any], result: dict[str, Any]) -> list[str]:
    """What the calculator must list for a Python result: the amount, the range, the derived figures."""
    key = spec["amount_key"]
    lines = [f"{LABELS[key]}: {grouped(result[key])}" + (" (capped at the maximum)" if result["capped"] else "")]
    if "range" in result:
        lines.append(f"Range: {grouped(result['range']['min'])} to {grouped(result['range']['max'])}")
    lines += [f"{LABELS[figure['key']]}: {grouped(result[figure['key']])}" for figure in spec["derived"]]
    return lines


def shown(page: Any, table: Any) -> dict[str, Any]:
    """What the calculator of one table shows now."""
    result = table.locator(".pc-dosecalc__result")
    return {
        "figures": result.locator(".pc-dosecalc__figures li").all_inner_texts(),
        "warnings": result.locator(".pc-dosecalc__warning").all_inner_texts(),
        "errors": result.locator(".pc-dosecalc__error").all_inner_texts(),
        "text": result.inner_text(),
        "matched": table.locator("tr.pc-dosecalc-match th").all_inner_texts(),
    }


def type_weight(table: Any, weight: str, unit: str = "kg") -> None:
    table.get_by_label("Unit").select_option(unit)
    field = table.get_by_label("Patient weight")
    field.fill("")
    field.press_sequentially(weight)


WEIGHTS = ["70.3", "70", "40", "120", "71.4", "71.5", "39.9", "120.1", "0.05", "500", "500.04", " 85 ", "68.55",
           "3", "199.99"]


@pytest.mark.parametrize("protocol_id", PROTOCOLS)
def test_typed_weights_show_pythons_digits_and_highlight_the_row(browser: Any, static_site: str,
                                                                 library: Library, protocol_id: str) -> None:
    spec = spec_of(library, protocol_id)
    page = browser.new_page()
    page.goto(static_site, wait_until="load")
    table = page.locator(f"#{protocol_id} .pc-dose-table")
    table_rows = {row.locator("th").inner_text(): row.locator("td").all_inner_texts()
                  for row in table.locator("tbody tr").all()}
    checked = 0
    for unit, weights in (("kg", WEIGHTS), ("lb", ["154.3", "165.3", "88.2", "1102.3", "1102.4", "100"])):
        for weight in weights:
            type_weight(table, weight, unit)
            now = shown(page, table)
            checked += 1
            try:
                result = evaluate_spec(spec, weight, unit)
            except NoDose as no_dose:  # 0.05 kg is 0.1 kg: 0.01 to 0.075 mg holds no multiple of 0.1 mg
                assert now["errors"] == [f"No dose: {no_dose}."] and now["figures"] == [], (weight, unit)
                continue
            assert now["errors"] == []
            assert now["figures"] == expected_figures(spec, result), (weight, unit)
            assert [w.removeprefix("Warning: ").rstrip(".") for w in now["warnings"] if "Capped" not in w] == \
                result["warnings"]
            assert any(w.startswith("Warning: Capped:") for w in now["warnings"]) is result["capped"]
            row_label = f"{result['weight_kg']} kg"
            if row_label in table_rows:
                assert now["matched"] == [row_label]
                cells = table.locator("tr.pc-dosecalc-match td").all_inner_texts()
                assert cells == table_rows[row_label]
                amount = result[spec["amount_key"]]
                assert cells[1].startswith(f"{grouped(amount)}")
            else:
                assert now["matched"] == []
    assert checked == len(WEIGHTS) + 6
    page.close()


@pytest.mark.parametrize("typed", ["abc", "70,3", "1e3", "-5", "0.04", "500.05", "."])
def test_a_refused_weight_shows_the_message_and_no_number(browser: Any, static_site: str, library: Library,
                                                           typed: str) -> None:
    spec = spec_of(library, "ketamine-trd")
    page = browser.new_page()
    page.goto(static_site, wait_until="load")
    table = page.locator("#ketamine-trd .pc-dose-table")
    type_weight(table, typed)
    with pytest.raises(DoseError) as refused:
        evaluate_spec(spec, typed, "kg")
    now = shown(page, table)
    assert now["errors"] == [f"No dose: {refused.value}."]
    assert now["figures"] == [] and now["warnings"] == [] and now["matched"] == []
    assert now["text"] == f"No dose: {refused.value}."
    page.close()


def test_empty_field_asks_for_a_weight(browser: Any, static_site: str) -> None:
    page = browser.new_page()
    page.goto(static_site, wait_until="load")
    table = page.locator("#ketamine-crps .pc-dose-table")
    assert shown(page, table)["text"] == "Type the weight to see the dose."
    type_weight(table, "80")
    type_weight(table, "")
    assert shown(page, table)["text"] == "Type the weight to see the dose."
    page.close()


def test_keyboard_only_with_visible_focus_and_a_live_region(browser: Any, static_site: str, library: Library) -> None:
    spec = spec_of(library, "ketamine-trd")
    page = browser.new_page()
    page.goto(static_site, wait_until="load")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.id")
    assert focused.endswith("-weight")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"
    page.keyboard.type("154.3")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.tagName") == "SELECT"
    page.keyboard.press("ArrowDown")  # kg -> lb
    table = page.locator("#ketamine-trd .pc-dose-table")
    assert table.get_by_label("Unit").input_value() == "lb"
    result = evaluate_spec(spec, "154.3", "lb")
    assert result["weight_kg"] == "70"
    assert shown(page, table)["figures"] == expected_figures(spec, result)
    live = table.locator(".pc-dosecalc__result")
    assert live.get_attribute("aria-live") == "polite"
    assert live.get_attribute("role") == "status"
    assert table.locator(".pc-dosecalc").get_attribute("role") == "group"
    page.close()


def png_pixels(data: bytes) -> tuple[int, int, list[bytes]]:
    """Width, height and unfiltered rows of an 8-bit RGB or RGBA, non-interlaced PNG (what Chromium writes)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    position, chunks, header = 8, [], b""
    while position < len(data):
        length, kind = struct.unpack(">I4s", data[position:position + 8])
        body = data[position + 8:position + 8 + length]
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            chunks.append(body)
        position += 12 + length
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", header)
    assert depth == 8 and colour in (2, 6) and interlace == 0
    channels = 3 if colour == 2 else 4
    raw = zlib.decompress(b"".join(chunks))
    stride = width * channels
    rows: list[bytes] = []
    previous = bytearray(stride)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for x in range(stride):
            left = line[x - channels] if x >= channels else 0
            up, up_left = previous[x], previous[x - channels] if x >= channels else 0
            if kind == 1:
                line[x] = (line[x] + left) & 0xFF
            elif kind == 2:
                line[x] = (line[x] + up) & 0xFF
            elif kind == 3:
                line[x] = (line[x] + (left + up) // 2) & 0xFF
            elif kind == 4:
                estimate = left + up - up_left
                pa, pb, pc = abs(estimate - left), abs(estimate - up), abs(estimate - up_left)
                line[x] = (line[x] + (left if pa <= pb and pa <= pc else up if pb <= pc else up_left)) & 0xFF
        rows.append(bytes(line))
        previous = line
    return width, height, rows


def test_fits_360_px_and_the_screenshot_is_not_blank(browser: Any, static_site: str, tmp_path: Path) -> None:
    page = browser.new_page(viewport={"width": 360, "height": 740})
    page.goto(static_site, wait_until="load")
    table = page.locator("#ketamine-crps .pc-dose-table")
    type_weight(table, "80")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    box = table.locator(".pc-dosecalc").bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 360
    table.locator(".pc-dosecalc").scroll_into_view_if_needed()
    shot = tmp_path / "calculator-360.png"
    page.screenshot(path=str(shot))
    page.close()
    width, height, rows = png_pixels(shot.read_bytes())
    assert (width, height) == (360, 740)
    channels = len(rows[0]) // width
    pixels = [row[x:x + 3] for row in rows for x in range(0, len(row), channels)]
    dark = sum(1 for pixel in pixels if max(pixel) < 96)
    colours = len(set(pixels))
    assert dark > 500, "no text drawn"
    assert colours > 20, "a flat screenshot"


def test_print_hides_the_calculator_and_keeps_the_table(browser: Any, static_site: str) -> None:
    page = browser.new_page()
    page.goto(static_site, wait_until="load")
    page.emulate_media(media="print")
    assert page.locator(".pc-dosecalc").first.evaluate("e => getComputedStyle(e).display") == "none"
    assert page.locator(".pc-dose-table table").first.is_visible()
    page.close()


def test_the_built_site_calculator_gives_pythons_digits(browser: Any, built_site: str, library: Library) -> None:
    """On the site the page's "Dose for this patient" panel computes for the table (dose-panel.js calls
    computeDose): the same figures, the table's row highlighted; tests/test_dose_panel_browser.py has more."""
    page = browser.new_page()
    failed: list[str] = []
    page.on("pageerror", lambda error: failed.append(str(error)))
    page.goto(built_site + "protocols/ketamine-crps/", wait_until="load")
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
    assert page.locator(".pc-dosecalc").count() == 0  # one weight field per page: the panel's
    assert failed == []
    page.close()


def test_coarse_rounding_inward_ranges_and_no_dose_in_the_browser(browser: Any, coarse_site: str,
                                                                  coarse_library: Library) -> None:
    spec = spec_of(coarse_library, "ketamine-trd")
    assert spec["step"] == "7"
    page = browser.new_page()
    failed: list[str] = []
    page.on("pageerror", lambda error: failed.append(str(error)))
    page.goto(coarse_site, wait_until="load")
    table = page.locator("#ketamine-trd .pc-dose-table")
    outcomes = {"dose": 0, "none": 0}
    for weight in ("120", "9", "1", "70.3", "45", "500", "13.9", "14", "28.1", "0.5"):
        type_weight(table, weight)
        now = shown(page, table)
        try:
            result = evaluate_spec(spec, weight, "kg")
        except DoseError as no_dose:
            assert str(no_dose).startswith("no dose for "), weight
            assert now["text"] == f"No dose: {no_dose}.", weight
            assert now["figures"] == [] and now["matched"] == []
            outcomes["none"] += 1
            continue
        assert now["errors"] == [], weight
        assert now["figures"] == expected_figures(spec, result), weight
        outcomes["dose"] += 1
    type_weight(table, "120")
    assert shown(page, table)["figures"] == ["Dose: 63 mg", "Range: 14 mg to 84 mg", "Volume: 6.3 mL"]  # not 91 mg
    assert outcomes["dose"] >= 4 and outcomes["none"] >= 3
    assert failed == []
    page.close()
