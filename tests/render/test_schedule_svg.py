"""The schedule timeline: marks per administration, open-ended phases, text alternative, print colours."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
from fractions import Fraction
from pathlib import Path

import pytest

from generator.load.library import Library, load_library
from generator.model.schema import Phase
from generator.render.schedule_svg import phase_spans, render_schedule_svg, schedule_summary

ROOT = Path(__file__).resolve().parents[2]
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def library() -> Library:
    return load_library(ROOT / "protocols")


def phases_of(library: Library, protocol_id: str) -> list[Phase]:
    return list(library.protocols[protocol_id].versions["1.0"].doc.phases)


def svg_of(figure: str) -> ElementTree.Element:
    found = re.search(r"<svg .*</svg>", figure)
    assert found is not None
    return ElementTree.fromstring(found.group(0))


def administration_marks(svg: ElementTree.Element) -> list[ElementTree.Element]:
    return [line for line in svg.iter(f"{SVG}line") if line.get("stroke-width") == "3"]


def phase(**fields: object) -> Phase:
    return Phase.model_validate({"id": "p", "name": "Phase", "regimen": "r", **fields})


def test_ketamine_trd_spans_induction_then_open_ended_maintenance(library: Library) -> None:
    induction, maintenance = phase_spans(phases_of(library, "ketamine-trd"))
    assert (induction.start_days, induction.length_days, induction.open_ended) == (0, 14, False)
    assert induction.marks_days == [Fraction(7, 3) * index for index in range(6)]
    assert (maintenance.start_days, maintenance.open_ended) == (14, True)
    assert maintenance.marks_days == [0, 7, 14, 21]


@pytest.mark.parametrize(("protocol_id", "marks"), [("ketamine-trd", 6 + 4), ("esketamine-trd", 8 + 4 + 4),
                                                     ("ketamine-crps", 10)])
def test_one_mark_per_administration(library: Library, protocol_id: str, marks: int) -> None:
    svg = svg_of(render_schedule_svg(protocol_id, phases_of(library, protocol_id)))
    assert len(administration_marks(svg)) == marks


def test_text_alternative_and_visible_summary(library: Library) -> None:
    figure = render_schedule_svg("esketamine-trd", phases_of(library, "esketamine-trd"))
    svg = svg_of(figure)
    assert svg.get("role") == "img"
    assert svg.get("aria-labelledby") == "pc-schedule-esketamine-trd-title pc-schedule-esketamine-trd-desc"
    title, desc = svg.find(f"{SVG}title"), svg.find(f"{SVG}desc")
    assert title is not None and title.get("id") == "pc-schedule-esketamine-trd-title"
    assert title.text == "Schedule timeline"
    assert desc is not None and desc.get("id") == "pc-schedule-esketamine-trd-desc"
    assert desc.text == (
        "Phases in order: Induction (weeks 1 to 4): twice per week for 4 weeks, 8 doses; then Weeks 5 to 8: "
        "once per week for 4 weeks, 4 doses; then Maintenance (week 9 onward): every 2 weeks, open-ended. Each mark "
        "on the timeline is one administration, spaced evenly by the frequency; the marks do not fix weekdays.")
    assert ('<ol class="pc-schedule__phases"><li>Induction (weeks 1 to 4): twice per week for 4 weeks, 8 doses</li>'
            "<li>Weeks 5 to 8: once per week for 4 weeks, 4 doses</li>"
            "<li>Maintenance (week 9 onward): every 2 weeks, open-ended</li></ol>") in figure
    assert "A dashed line with an arrow is a phase with no fixed end." in figure
    texts = [text.text for text in svg.iter(f"{SVG}text")]
    assert "continues" in texts
    assert texts[:2] == ["Induction (weeks 1 to 4): twice per week for 4 weeks, 8 doses",
                         "Weeks 5 to 8: once per week for 4 weeks, 4 doses"]


def test_black_on_white_only(library: Library) -> None:
    for protocol_id in ("ketamine-trd", "esketamine-trd", "ketamine-crps"):
        svg = svg_of(render_schedule_svg(protocol_id, phases_of(library, protocol_id)))
        colours = {element.get(attribute) for element in svg.iter() for attribute in ("fill", "stroke")
                   if element.get(attribute) is not None}
        assert colours <= {"#000000", "#ffffff"}
        background = svg.find(f"{SVG}rect")
        assert background is not None and background.get("fill") == "#ffffff"


def test_a_short_course_has_a_day_axis_and_no_open_ended_note(library: Library) -> None:
    figure = render_schedule_svg("ketamine-crps", phases_of(library, "ketamine-crps"))
    labels = [text.text for text in svg_of(figure).iter(f"{SVG}text")]
    assert labels[1:] == [f"day {n}" for n in range(1, 12)]
    assert "no fixed end" not in figure


def test_months_are_drawn_but_said_to_be_not_to_scale() -> None:
    spans = phase_spans([phase(frequency="every 1 month", length="6 months")])
    assert len(spans[0].marks_days) == 6
    figure = render_schedule_svg("p", [phase(frequency="every 1 month", length="6 months")])
    assert "Phase: every month for 6 months (months not to scale)" in figure


def test_a_dense_phase_is_a_band_not_hundreds_of_marks() -> None:
    svg = svg_of(render_schedule_svg("p", [phase(frequency="4 per day", length="52 weeks")]))
    assert administration_marks(svg) == []
    assert len(svg.findall(f"{SVG}rect")) == 2


def test_no_phases_no_figure() -> None:
    assert render_schedule_svg("p", []) == ""
    assert schedule_summary([]) == ""


def test_names_are_escaped() -> None:
    figure = render_schedule_svg("p", [phase(name="A <b> & C", frequency="1 per week", length="2 weeks")])
    assert "A &lt;b&gt; &amp; C: once per week for 2 weeks" in figure
    assert "<b>" not in figure


def test_a_phase_after_an_open_ended_phase_is_an_alternative_from_the_same_point(library: Library) -> None:
    """esketamine-trd 1.1: maintenance every 2 weeks or once per week, both from week 9 (the label)."""
    phases = list(library.protocols["esketamine-trd"].versions["1.1"].doc.phases)
    spans = phase_spans(phases)
    assert [(span.phase.id, span.start_days, span.open_ended) for span in spans] == [
        ("induction", 0, False), ("consolidation", 28, False), ("maintenance", 56, True),
        ("maintenance-weekly", 56, True)]
    assert schedule_summary(phases).startswith(
        "Phases in order: Induction (weeks 1 to 4): twice per week for 4 weeks, 8 doses; then Weeks 5 to 8: once "
        "per week for 4 weeks, 4 doses; then Maintenance (week 9 onward): every 2 weeks, open-ended; or instead, from "
        "the same point, Maintenance alternative (week 9 onward): once per week, open-ended.")
