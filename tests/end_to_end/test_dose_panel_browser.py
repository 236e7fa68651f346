"""The "Dose for this patient" panel and the page that knows its dates, in Chromium (issue 16).

- On each sample protocol's page, at 1366 x 768 and at 390 x 844, the weight field and the dose it gives
  are inside the first screen, and typing a weight shows the dose without scrolling.
- The panel shows Python's digits (dosing.evaluate_spec) with the cap in the dose line and the total with
  its time frame; refusals are errors, warnings are warnings; the weight's table row is highlighted.
- On superseded, upcoming, retired and draft pages the status word is inside the panel; a retired page's
  panel gives no dose; a link to a superseded version's #dose-table shows the warning beside the table.
- A page built before an upcoming version's effective date, opened with the browser's clock after it,
  says that a newer version is in force (and that a review fell due, after the review date).
- axe finds no serious or critical violation on the pages the panel changes, at both widths.
Fixture libraries in tmp (tests/panel_library.py) give the states the sample lacks.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from axe import axe_results, blocking
from browser import recorded_context
from local_http import served
from pagefind_index import fragments
from panel_library import AS_OF, REVIEW_DUE, UPCOMING_EFFECTIVE, build_panel_site

from generator.dosing.dose_engine import DoseError, calculator_spec, evaluate_spec
from generator.load.library import Library, load_library
from generator.model.quantity import format_number

ROOT = Path(__file__).resolve().parents[2]
VIEWPORTS = {"desktop": {"width": 1366, "height": 768}, "phone": {"width": 390, "height": 844}}
SAMPLE_PROTOCOLS = ("ketamine-trd", "ketamine-crps", "esketamine-trd")
SHOTS = Path("/tmp/panel-browser-shots")  # looked at by a person; not asserted on
DOSE_TEXT = re.compile(r"[0-9]+(\.[0-9]+)? ?(mcg|mg|g|units|mL|L)\b")


@pytest.fixture(scope="module")
def sample() -> Library:
    return load_library(ROOT / "protocols", "protocols")


@pytest.fixture(scope="module")
def panel_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_panel_site(tmp_path_factory.mktemp("panel"))


@pytest.fixture(scope="module")
def panel_site(panel_build: Path) -> Iterator[str]:
    with served(panel_build) as base:
        yield base


def test_search_finds_a_retired_protocol_under_a_title_that_says_retired(panel_build: Path) -> None:
    titles = {url: page["meta"]["title"] for url, page in fragments(panel_build).items()}
    assert titles["/protocols/gamma-old/"] == "Gamma bolus no longer used (retired)"
    assert titles["/protocols/alpha-drug/"] == "Alpha infusion for tests"
    assert titles["/whats-new/"] == "What's new"


def _grouped(figure: dict[str, str]) -> str:
    return f"{format_number(Decimal(figure['value']))} {figure['unit']}"


def expected_panel(spec: dict[str, Any], result: dict[str, Any], total_label: str) -> list[str]:
    """The figures the panel must list for a Python result."""
    key = spec["amount_key"]
    amount = f"{'Rate' if key == 'rate' else 'Dose'}: {_grouped(result[key])}"
    if "cap" in spec:
        cap = f"{format_number(Decimal(spec['cap']))} {spec['unit']}"
        amount += f" (capped at the maximum of {cap})" if result["capped"] else f" (maximum {cap})"
    lines = [amount]
    if "range" in result:
        lines.append(f"Range: {_grouped(result['range']['min'])} to {_grouped(result['range']['max'])}")
    labels = {"volume": "Volume", "total": total_label, "pump_rate": "Pump rate"}
    lines += [f"{labels[figure['key']]}: {_grouped(result[figure['key']])}" for figure in spec["derived"]]
    return lines


def type_weight(page: Any, weight: str, unit: str = "kg") -> None:
    page.locator(".pc-dose-panel__unit").select_option(unit)
    field = page.get_by_label("Patient weight")
    field.fill("")
    field.press_sequentially(weight)


def panel_text(page: Any) -> dict[str, Any]:
    panel = page.locator(".pc-dose-panel")
    return {
        "figures": panel.locator(".pc-dose-panel__figures li").all_inner_texts(),
        "warnings": panel.locator(".pc-dose-panel__warning").all_inner_texts(),
        "errors": panel.locator(".pc-dose-panel__error").all_inner_texts(),
        "matched": page.locator(".pc-dose-table tr.pc-dosecalc-match th").all_inner_texts(),
    }


def inside_first_screen(page: Any, locator: Any, height: int) -> bool:
    box = locator.bounding_box()
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= height


@pytest.mark.parametrize("viewport", sorted(VIEWPORTS))
@pytest.mark.parametrize("protocol_id", SAMPLE_PROTOCOLS)
def test_weight_field_and_dose_are_in_the_first_screen(served_sites: dict[str, Any], chromium_browser: Any,
                                                       sample: Library, protocol_id: str, viewport: str) -> None:
    size = VIEWPORTS[viewport]
    served_site = served_sites["clinician"]
    with recorded_context(chromium_browser, served_site.base, viewport=size) as (context, log):
        page = context.new_page()
        log.watch(page)
        page.goto(served_site.url(f"protocols/{protocol_id}/index.html"), wait_until="load")
        doc = sample.protocols[protocol_id].versions["1.0"].doc
        panel = page.locator(".pc-dose-panel")
        assert inside_first_screen(page, panel.locator("h2"), size["height"])
        if doc.dose_tables:
            field = page.get_by_label("Patient weight")
            assert field.is_visible() and inside_first_screen(page, field, size["height"])
            type_weight(page, "83")
            amount = panel.locator(".pc-dose-panel__amount").first
            assert amount.is_visible() and inside_first_screen(page, amount, size["height"])
            assert page.evaluate("window.scrollY") == 0
            table = doc.dose_tables[0]
            regimen = next(r for r in doc.regimens if r.id == table.regimen)
            spec = calculator_spec(protocol_id, "1.0", regimen, table.weights)
            total = "Total over 4 hours" if regimen.duration is not None and spec["amount_key"] == "rate" else "Total"
            assert panel_text(page)["figures"][: len(spec["derived"]) + 1 + ("range" in spec)] == \
                expected_panel(spec, evaluate_spec(spec, "83", "kg"), total)
        else:  # fixed doses: no weight field, the doses themselves are in the first screen
            assert page.get_by_label("Patient weight").count() == 0
            first_dose = panel.locator(".pc-dose-panel__figures li").first
            assert first_dose.inner_text() == "Dose: 56 mg (2 devices of 28 mg)"
            assert inside_first_screen(page, first_dose, size["height"])
        SHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{protocol_id}-{viewport}.png"))
        assert blocking(axe_results(page)["violations"]) == []
        assert log.page_errors == [] and log.failed == [] and log.external == []


CRPS_WEIGHTS = [("83", "kg"), ("71.4", "kg"), ("70", "kg"), ("39.9", "kg"), ("120.1", "kg"), ("154.3", "lb"),
                (" 85 ", "kg")]


def test_the_panel_gives_pythons_digits_with_cap_and_time_frame(served_sites: dict[str, Any],
                                                                 chromium_browser: Any, sample: Library) -> None:
    doc = sample.protocols["ketamine-crps"].versions["1.0"].doc
    regimen, table = doc.regimens[0], doc.dose_tables[0]
    spec = calculator_spec("ketamine-crps", "1.0", regimen, table.weights)
    served_site = served_sites["clinician"]
    with recorded_context(chromium_browser, served_site.base) as (context, log):
        page = context.new_page()
        log.watch(page)
        page.goto(served_site.url("protocols/ketamine-crps/index.html"), wait_until="load")
        assert page.locator(".pc-dose-panel__headline").inner_text() == \
            "ketamine IV: 0.35 mg/kg/h, maximum 25 mg/h, for 4 hours"
        assert page.locator(".pc-dose-panel__result").inner_text() == "Type the weight to see the dose."
        for weight, unit in CRPS_WEIGHTS:
            type_weight(page, weight, unit)
            result = evaluate_spec(spec, weight, unit)
            shown = panel_text(page)
            assert shown["figures"] == expected_panel(spec, result, "Total over 4 hours"), (weight, unit)
            assert shown["warnings"] == [f"Check: {warning}." for warning in result["warnings"]]
            assert shown["errors"] == []
            row = f"{result['weight_kg']} kg"
            assert shown["matched"] == ([row] if row in page.locator(".pc-dose-table tbody th").all_inner_texts()
                                        else [])
        type_weight(page, "83")
        assert panel_text(page)["figures"] == ["Rate: 25 mg/h (capped at the maximum of 25 mg/h)",
                                               "Total over 4 hours: 100 mg"]
        # a warning is styled apart from an error: not the errors' red
        type_weight(page, "39.9")
        warning = page.locator(".pc-dose-panel__warning").first
        assert warning.evaluate("e => getComputedStyle(e).color") == "rgb(77, 42, 0)"
        for typed in ("abc", "70,3", "0.04", "500.05", "-5"):
            type_weight(page, typed)
            with pytest.raises(DoseError) as refused:
                evaluate_spec(spec, typed, "kg")
            shown = panel_text(page)
            assert shown == {"figures": [], "warnings": [], "errors": [f"No dose: {refused.value}."], "matched": []}
        error = page.locator(".pc-dose-panel__error")
        assert error.evaluate("e => getComputedStyle(e).color") == "rgb(138, 28, 28)"
        # on paper the panel keeps its heading and headline, not the field or a typed patient's figures
        page.emulate_media(media="print")
        assert not page.get_by_label("Patient weight").is_visible()
        assert not page.locator(".pc-dose-panel__result").is_visible()
        assert page.locator(".pc-dose-panel__headline").is_visible()
        page.emulate_media(media="screen")
        # one weight field on the page: the table below has no calculator of its own
        assert page.get_by_role("textbox", name=re.compile("weight", re.IGNORECASE)).count() == 1
        assert page.locator("input[inputmode=decimal]").count() == 1
        assert page.locator(".pc-dosecalc").count() == 0
        assert log.page_errors == []


def _status(page: Any) -> str:
    return page.locator(".pc-dose-panel .pc-dose-panel__status").inner_text()


def test_superseded_and_upcoming_panels_name_the_status_and_link_the_version_in_use(
        panel_site: str, chromium_browser: Any) -> None:
    with recorded_context(chromium_browser, panel_site, viewport=VIEWPORTS["phone"]) as (context, log):
        page = context.new_page()
        log.watch(page)
        page.goto(panel_site + "protocols/alpha-drug/1.0/", wait_until="load")
        assert _status(page) == ("Superseded. Version 1.0 is no longer in use: use version 2.0, in use since "
                                 "2026-03-01.")
        assert inside_first_screen(page, page.locator(".pc-dose-panel__status"), VIEWPORTS["phone"]["height"])
        type_weight(page, "70")
        assert panel_text(page)["figures"] == ["Rate: 21 mg/h (maximum 25 mg/h)", "Total over 4 hours: 84 mg",
                                               "Pump rate: 10.5 mL/h"]
        assert panel_text(page)["warnings"] == [
            "Superseded: this is the dose of version 1.0, not of the version in use."]
        page.screenshot(path=str(SHOTS / "superseded-phone.png"))
        page.locator(".pc-dose-panel__status a").click()
        page.wait_for_load_state("load")
        assert page.url == panel_site + "protocols/alpha-drug/"
        assert page.locator(".pc-status-line").inner_text().startswith("Version 2.0 · current")
        assert page.locator(".pc-dose-panel__status").count() == 0  # the version in use needs no status
        page.goto(panel_site + "protocols/alpha-drug/3.0/", wait_until="load")
        assert _status(page) == ("Upcoming. Version 3.0 takes effect on 2026-09-01. Until then, version 2.0 is "
                                 "in use.")
        type_weight(page, "70")
        assert panel_text(page)["warnings"] == ["Upcoming: this is the dose of version 3.0, not yet in use."]
        assert log.page_errors == [] and log.failed == []


def test_a_link_to_a_superseded_dose_table_lands_beside_the_warning(panel_site: str, chromium_browser: Any) -> None:
    with recorded_context(chromium_browser, panel_site, viewport=VIEWPORTS["desktop"]) as (context, _log):
        page = context.new_page()
        page.goto(panel_site + "protocols/alpha-drug/1.0/#dose-table", wait_until="load")
        warning = page.locator("#dose-table + .admonition")
        assert warning.inner_text().startswith("Superseded: not the dose table of the version in use")
        assert inside_first_screen(page, warning, VIEWPORTS["desktop"]["height"])
        page.screenshot(path=str(SHOTS / "superseded-dose-table.png"))
        # a link to one regimen's table lands on its heading: the note is inside the table's box
        page.goto(panel_site + "protocols/alpha-drug/1.0/#dose-table-alpha-infusion", wait_until="load")
        note = page.locator("#dose-table-alpha-infusion + .pc-dose-table .pc-dose-table__status")
        assert note.inner_text() == "Superseded: this table is version 1.0's, not the version in use."
        assert inside_first_screen(page, note, VIEWPORTS["desktop"]["height"])


@pytest.mark.parametrize("path", ["protocols/gamma-old/", "protocols/gamma-old/1.0/"])
def test_a_retired_page_names_its_status_in_the_panel_and_gives_no_dose(panel_site: str, chromium_browser: Any,
                                                                        path: str) -> None:
    with recorded_context(chromium_browser, panel_site, viewport=VIEWPORTS["phone"]) as (context, log):
        page = context.new_page()
        log.watch(page)
        page.goto(panel_site + path, wait_until="load")
        panel = page.locator(".pc-dose-panel")
        assert _status(page) == "Retired. This protocol has been retired and must not be used for new treatment."
        assert page.get_by_label("Patient weight").count() == 0
        assert DOSE_TEXT.search(panel.inner_text()) is None
        assert page.locator("h1").inner_text().removesuffix("¶").endswith("(retired)")  # also the search title
        assert "current" not in page.locator(".pc-status-line").inner_text()
        assert "No approvals yet" not in page.locator("article").inner_text()
        # the dose tables are kept for the record, closed: no dose on screen until asked for
        assert page.locator("details.pc-retired-tables").get_attribute("open") is None
        assert not page.locator(".pc-dose-table").first.is_visible()
        page.screenshot(path=str(SHOTS / f"retired-{path.count('/')}.png"))
        assert log.page_errors == []


def test_a_draft_on_the_reviewer_site_says_so_in_the_panel(served_sites: dict[str, Any], chromium_browser: Any) -> None:
    served_site = served_sites["reviewer"]
    with recorded_context(chromium_browser, served_site.base) as (context, _log):
        page = context.new_page()
        page.goto(served_site.url("protocols/ketamine-trd/1.1/index.html"), wait_until="load")
        assert _status(page).startswith("Draft. Version 1.1 is a draft: not approved for clinical use.")
        type_weight(page, "70")
        assert "Draft: this dose is not approved for clinical use." in panel_text(page)["warnings"]


def test_one_weight_gives_every_weight_based_regimen_its_dose(panel_site: str, chromium_browser: Any,
                                                               tmp_path: Path) -> None:
    from panel_library import panel_library

    doc = panel_library(tmp_path).protocols["epsilon-two"].versions["1.0"].doc
    bolus, infusion = doc.regimens
    with recorded_context(chromium_browser, panel_site) as (context, log):
        page = context.new_page()
        log.watch(page)
        page.goto(panel_site + "protocols/epsilon-two/", wait_until="load")
        assert page.get_by_label("Patient weight").count() == 1
        type_weight(page, "95")
        results = page.locator(".pc-dose-panel__result")
        assert results.count() == 2
        bolus_spec = calculator_spec("epsilon-two", "1.0", bolus, doc.dose_tables[0].weights)
        infusion_spec = calculator_spec("epsilon-two", "1.0", infusion)
        first, second = results.nth(0), results.nth(1)
        assert first.locator("li").all_inner_texts() == expected_panel(bolus_spec, evaluate_spec(bolus_spec, "95"),
                                                                       "Total")
        assert first.locator(".pc-dose-panel__warning").all_inner_texts() == [
            "Check: weight 95 kg is outside the dose table (50 to 90 kg); check the dose."]
        # no table for the infusion: no range warning, no row
        assert second.locator("li").all_inner_texts() == expected_panel(
            infusion_spec, evaluate_spec(infusion_spec, "95"), "Total") == ["Rate: 190 mcg/min"]
        assert second.locator(".pc-dose-panel__warning").count() == 0
        type_weight(page, "70")
        assert page.locator(".pc-dose-table tr.pc-dosecalc-match th").all_inner_texts() == ["70 kg"]
        assert log.page_errors == []


def _open_on(context: Any, url: str, day: dt.date) -> Any:
    page = context.new_page()
    page.clock.set_fixed_time(dt.datetime(day.year, day.month, day.day, 12, 0))
    page.goto(url, wait_until="load")
    return page


def test_a_page_built_before_an_upcoming_version_says_later_that_it_is_in_force(
        panel_site: str, chromium_browser: Any) -> None:
    with recorded_context(chromium_browser, panel_site) as (context, log):
        before = _open_on(context, panel_site + "protocols/alpha-drug/", UPCOMING_EFFECTIVE - dt.timedelta(days=1))
        assert before.locator(".pc-page-dates").count() == 0
        after = _open_on(context, panel_site + "protocols/alpha-drug/", UPCOMING_EFFECTIVE + dt.timedelta(days=1))
        notice = after.locator(".pc-page-dates")
        assert notice.locator("p").all_inner_texts() == [
            "Since this page was built (on your date, 2026-09-02)",
            "A newer version is in force: version 3.0 took effect on 2026-09-01, after this page was built on "
            "2026-06-01. Version 2.0 shown here is no longer the version in use. Open version 3.0.",
        ]
        assert inside_first_screen(after, notice, 768)
        assert notice.evaluate("n => n.nextElementSibling.classList.contains('pc-status-line')")
        after.screenshot(path=str(SHOTS / "page-dates.png"))
        notice.locator("a").click()
        after.wait_for_load_state("load")
        assert after.url == panel_site + "protocols/alpha-drug/3.0/"
        # the upcoming version's own page: it is no longer upcoming
        assert after.locator(".pc-page-dates p").nth(1).inner_text() == (
            "Version 3.0 took effect on 2026-09-01, after this page was built on 2026-06-01: it is no longer "
            "upcoming.")
        # the superseded version says nothing more: it was already not in use
        old = _open_on(context, panel_site + "protocols/alpha-drug/1.0/", UPCOMING_EFFECTIVE)
        assert old.locator(".pc-page-dates").count() == 0
        assert log.page_errors == []


def test_a_review_that_falls_due_after_the_build_is_announced(panel_site: str, chromium_browser: Any) -> None:
    with recorded_context(chromium_browser, panel_site) as (context, _log):
        on_due = _open_on(context, panel_site + "protocols/delta-fixed/", dt.date(2028, 2, 1))
        assert on_due.locator(".pc-page-dates").count() == 0
        late = _open_on(context, panel_site + "protocols/alpha-drug/", REVIEW_DUE + dt.timedelta(days=1))
        paragraphs = late.locator(".pc-page-dates p").all_inner_texts()
        assert paragraphs[-1] == ("The review of version 2.0 fell due on 2028-03-01, after this page was built on "
                                  "2026-06-01: check with the protocol owner that it still applies.")
        assert paragraphs[1].startswith("A newer version is in force: version 3.0")
        # a reader whose clock is behind the build date is told nothing
        behind = _open_on(context, panel_site + "protocols/alpha-drug/", AS_OF - dt.timedelta(days=30))
        assert behind.locator(".pc-page-dates").count() == 0


@pytest.mark.parametrize("path", ["", "whats-new/"])
def test_the_home_and_whats_new_pages_say_which_versions_took_effect_since_the_build(
        panel_site: str, chromium_browser: Any, path: str) -> None:
    with recorded_context(chromium_browser, panel_site) as (context, log):
        before = _open_on(context, panel_site + path, UPCOMING_EFFECTIVE - dt.timedelta(days=1))
        assert before.locator(".pc-page-dates").count() == 0
        after = _open_on(context, panel_site + path, UPCOMING_EFFECTIVE)
        assert after.locator(".pc-page-dates p").all_inner_texts() == [
            "Since this page was built (on your date, 2026-09-01)",
            "Alpha infusion for tests: version 3.0 took effect on 2026-09-01, after this page was built on "
            "2026-06-01; this page still lists the versions of 2026-06-01. Open version 3.0.",
        ]
        after.locator(".pc-page-dates a").click()
        after.wait_for_load_state("load")
        assert after.url == panel_site + "protocols/alpha-drug/3.0/"
        assert log.page_errors == [] and log.failed == []


PANEL_PAGES = ["protocols/alpha-drug/", "protocols/alpha-drug/1.0/", "protocols/alpha-drug/3.0/",
               "protocols/gamma-old/", "protocols/delta-fixed/", "whats-new/", ""]


@pytest.mark.parametrize("viewport", sorted(VIEWPORTS))
def test_axe_finds_nothing_serious_on_the_pages_the_panel_changes(panel_site: str, chromium_browser: Any,
                                                                  viewport: str) -> None:
    with recorded_context(chromium_browser, panel_site, viewport=VIEWPORTS[viewport]) as (context, _log):
        page = context.new_page()
        found = []
        for path in PANEL_PAGES:
            page.goto(panel_site + path, wait_until="load")
            if page.get_by_label("Patient weight").count():
                type_weight(page, "39.9")  # a result with a warning, as a reader sees it
            found += [f"{path}: {violation}" for violation in blocking(axe_results(page)["violations"])]
        assert found == []
