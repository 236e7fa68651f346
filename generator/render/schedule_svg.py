"""An inline SVG timeline of a protocol's phases, with a text alternative and a visible summary.

Phases follow one another in the order written, except after an open-ended phase: that phase never
ends, so a phase written after it is an alternative to it and starts where it starts (esketamine's
maintenance every 2 weeks or once per week, both from week 9). Each phase is one row: its name and schedule in words,
then a line with one mark per administration (spaced by the frequency, from the start of the phase).
An open-ended phase shows a few marks and an arrow with "continues". Black on white with text labels,
so it prints as it shows; the SVG has <title> and <desc> and aria-labelledby, and the same facts are
written below it as an ordered list.

Days, weeks and hours share one time scale. A phase written in months has no exact length in days
(§3.3), so it is drawn with a nominal width of 4 weeks per month and says "not to scale".
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from generator.model.quantity import format_number
from generator.model.schema import Phase
from generator.render.dose_card import phase_line

WIDTH = 720
LEFT = 12
RIGHT = 100  # room for "continues" after the last phase
ROW_HEIGHT = 56
TOP = 8
AXIS_HEIGHT = 34
OPEN_ENDED_MARKS = 4
MAX_MARKS = 120  # a denser phase is drawn as a solid band with its dose count in words
_DAYS = {"h": Fraction(1, 24), "day": Fraction(1), "week": Fraction(7), "month": Fraction(28)}


@dataclass(frozen=True)
class PhaseSpan:
    phase: Phase
    start_days: Fraction
    length_days: Fraction
    marks_days: list[Fraction]  # offsets from the start of the phase
    open_ended: bool
    in_months: bool


def _interval_days(phase: Phase) -> Fraction:
    frequency = phase.frequency
    period = _DAYS[frequency.period]
    return period / frequency.count if frequency.kind == "per" else period * frequency.count


def _length_days(phase: Phase) -> Fraction | None:
    if phase.length is None:
        return None
    if phase.length.unit == "min":
        return Fraction(phase.length.value) / 1440
    return Fraction(phase.length.value) * _DAYS[phase.length.unit]


def phase_spans(phases: Sequence[Phase]) -> list[PhaseSpan]:
    """Where each phase starts and ends on the time line, in days, and the offset of each administration."""
    spans: list[PhaseSpan] = []
    start = Fraction(0)
    for phase in phases:
        if spans and spans[-1].open_ended:
            start = spans[-1].start_days  # an alternative to the open-ended phase before it
        interval = _interval_days(phase)
        length = _length_days(phase)
        open_ended = length is None
        if length is None:
            length = interval * OPEN_ENDED_MARKS
        count = phase.doses if phase.doses is not None and not open_ended else None
        if count is None:
            count = OPEN_ENDED_MARKS if open_ended else max(1, int(length / interval))
        marks = [interval * index for index in range(count) if interval * index < length] if interval > 0 else []
        in_months = "month" in (phase.frequency.period, phase.length.unit if phase.length is not None else "")
        spans.append(PhaseSpan(phase, start, length, marks, open_ended, in_months))
        start += length
    return spans


def _text(x: float, y: float, words: str, anchor: str = "start", size: int = 13, bold: bool = False) -> str:
    weight = ' font-weight="bold"' if bold else ""
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}"{weight} '
            f'fill="#000000">{html.escape(words)}</text>')


def _axis(total_days: Fraction, scale: float, y: float) -> list[str]:
    """Week ticks ("week 1" at day 0) when the schedule spans 3 weeks or more; day ticks otherwise."""
    step, word, first = (Fraction(7), "week", 1) if total_days >= 21 else (Fraction(1), "day", 1)
    ticks = int(total_days / step) + 1
    every = max(1, -(-ticks // 12))  # at most about 12 labels
    parts = [f'<line x1="{LEFT}" y1="{y:.1f}" x2="{LEFT + float(total_days) * scale:.1f}" y2="{y:.1f}" '
             'stroke="#000000" stroke-width="1"/>']
    for index in range(0, ticks, every):
        x = LEFT + float(step * index) * scale
        parts.append(f'<line x1="{x:.1f}" y1="{y:.1f}" x2="{x:.1f}" y2="{y + 5:.1f}" stroke="#000000"/>')
        parts.append(_text(x, y + 18, f"{word} {format_number(Decimal(first + index))}", "start", 11))
    return parts


def _row(span: PhaseSpan, scale: float, y: float) -> list[str]:
    x0 = LEFT + float(span.start_days) * scale
    x1 = LEFT + float(span.start_days + span.length_days) * scale
    label = phase_line(span.phase) + (" (months not to scale)" if span.in_months else "")
    line_y = y + 30
    parts = [_text(LEFT, y + 14, label, bold=True)]
    dash = ' stroke-dasharray="6 4"' if span.open_ended else ""
    parts.append(f'<line x1="{x0:.1f}" y1="{line_y:.1f}" x2="{x1:.1f}" y2="{line_y:.1f}" stroke="#000000" '
                 f'stroke-width="2"{dash}/>')
    if len(span.marks_days) > MAX_MARKS:
        parts.append(f'<rect x="{x0:.1f}" y="{line_y - 8:.1f}" width="{x1 - x0:.1f}" height="16" fill="#000000"/>')
    else:
        for offset in span.marks_days:
            x = x0 + float(offset) * scale
            parts.append(f'<line x1="{x:.1f}" y1="{line_y - 9:.1f}" x2="{x:.1f}" y2="{line_y + 9:.1f}" '
                         'stroke="#000000" stroke-width="3"/>')
    if span.open_ended:
        parts.append(f'<path d="M{x1:.1f},{line_y - 6:.1f} L{x1 + 10:.1f},{line_y:.1f} L{x1:.1f},{line_y + 6:.1f} Z" '
                     'fill="#000000"/>')
        parts.append(_text(x1 + 14, line_y + 4, "continues", size=12))
    return parts


def schedule_summary(phases: Sequence[Phase]) -> str:
    """The timeline in words, one sentence: the <desc> of the SVG."""
    if not phases:
        return ""
    spans = phase_spans(phases)
    text = phase_line(phases[0])
    for previous, span in zip(spans, spans[1:], strict=False):
        text += ("; or instead, from the same point, " if previous.open_ended else "; then ") + phase_line(span.phase)
    text += "."
    return ("Phases in order: " if len(phases) > 1 else "") + text + (
        " Each mark on the timeline is one administration, spaced evenly by the frequency; "
        "the marks do not fix weekdays.")


def render_schedule_svg(protocol_id: str, phases: Sequence[Phase]) -> str:
    """The timeline figure (an HTML block: <figure> with the SVG and a visible list); "" without phases."""
    if not phases:
        return ""
    spans = phase_spans(phases)
    total = max(span.start_days + span.length_days for span in spans)
    scale = (WIDTH - LEFT - RIGHT) / float(total)
    height = TOP + ROW_HEIGHT * len(spans) + AXIS_HEIGHT
    base = f"pc-schedule-{html.escape(protocol_id)}"
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" '
             f'height="{height}" role="img" aria-labelledby="{base}-title {base}-desc" '
             'font-family="sans-serif">',
             f'<title id="{base}-title">Schedule timeline</title>',
             f'<desc id="{base}-desc">{html.escape(schedule_summary(phases))}</desc>',
             f'<rect x="0" y="0" width="{WIDTH}" height="{height}" fill="#ffffff"/>']
    for index, span in enumerate(spans):
        parts.extend(_row(span, scale, TOP + ROW_HEIGHT * index))
    parts.extend(_axis(total, scale, TOP + ROW_HEIGHT * len(spans) + 4))
    parts.append("</svg>")
    items = "".join(f"<li>{html.escape(phase_line(phase))}</li>" for phase in phases)
    caption = "Each mark is one administration, spaced evenly by the frequency (not fixed weekdays)."
    if any(span.open_ended for span in spans):
        caption += " A dashed line with an arrow is a phase with no fixed end."
    # On a phone the figure keeps its size (text of 11 px and more) and scrolls sideways inside its own
    # box (assets/site.css); the box takes keyboard focus so that it can be scrolled without a mouse.
    return (f'<figure class="pc-schedule" id="{base}"><div class="pc-schedule__scroll" tabindex="0" role="group" '
            f'aria-label="Schedule timeline (scrolls sideways on a narrow screen)">{"".join(parts)}</div>'
            f'<figcaption><ol class="pc-schedule__phases">{items}</ol><p>{html.escape(caption)}</p>'
            "</figcaption></figure>")
