"""What protocol prose may not say: doses that drift from the data (P208), error-prone notation (P209)
and unsafe unit spellings (P109), judged on the text as a reader sees it (`generator.text.reader_text`), with
offsets in the field; the rule module `generator.checks.prose_rules` turns findings into located diagnostics.
Raw HTML, links and images are judged on the parse itself (`generator.checks.markdown`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from generator.diagnostics import excerpt
from generator.model.frequency import ABBREVIATIONS as FREQUENCY_ABBREVIATIONS
from generator.model.frequency import parse_frequency
from generator.model.quantity import (
    TIME_PLURALS,
    UNITS,
    UNSAFE_SPELLINGS,
    Quantity,
    QuantityError,
    compare_quantities,
    format_number,
    format_quantity,
    parse_quantity,
    unit_dimension,
)
from generator.text.inline import PlaceholderError, render_placeholder
from generator.text.reader_text import DATA, VERBATIM, ReaderRun


@dataclass(frozen=True)
class Finding:
    code: str
    offset: int  # in the field's text
    message: str
    hint: str = ""


# Unit spellings that are errors after a number in prose (§3.1), by component.
PROSE_UNSAFE_UNITS = frozenset({"µg", "μg", "ug", "ml", "cc", "U", "IU"})
NOT_DOSE_DIMENSIONS = frozenset({"time", "weight"})

_NUMBER = r"(?:[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?|[0-9]+(?:\.[0-9]+)?|\.[0-9]+)"
# The look-ahead names the characters a number starts with, so the regex engine skips to them.
_PROSE_QUANTITY = re.compile(
    rf"(?=[0-9.])(?<![\w.,])(?P<a>{_NUMBER})(?:(?:[ \t\u00a0]*[-–—][ \t\u00a0]*|\s+(?:to|and|or)\s+)(?P<b>{_NUMBER}))?"
    r"(?:\s*|-)(?P<unit>[A-Za-zµμ]+(?:/[A-Za-z]+)*)(?![\w/])"  # "a 50-mg dose" too
)

def _in_words(abbreviation: str) -> str:
    """What to write for a frequency abbreviation in prose: the frequency a phase's `frequency` field asks
    for instead of it (frequency.ABBREVIATIONS), in words."""
    return parse_frequency(FREQUENCY_ABBREVIATIONS[abbreviation]).in_words()


# Error-prone abbreviations of §6 P209 (ISMP list), as whole words, in the cases they are written:
# (spellings, what to write instead, why).
_WORD_BEFORE, _WORD_AFTER = r"(?<![\w-])", r"(?![\w-])"
_ABBREVIATION_SPELLINGS: list[tuple[str, str, str]] = [
    (r"(?:SC|sc|s\.c\.|SQ)", "SUBCUT", '"SC" is misread as "SL" (sublingual) and "SQ" as "5 every"'),
    (r"[qQ]\.?[oO]\.?[dD]\.?", _in_words("qod"), '"qod" is misread as "qd" (daily) or "qid" (4 times a day)'),
    (r"[qQ]\.?[dD]\.?", _in_words("qd"), '"qd" is misread as "qid" (4 times a day)'),
    (r"(?:TIW|tiw|t\.i\.w\.)", _in_words("tiw"), '"TIW" is misread as "3 times a day" or "twice a week"'),
    (r"(?:BIW|biw|b\.i\.w\.)", _in_words("biw"), '"BIW" is misread as "twice a day"'),
    (r"(?:HS|hs|h\.s\.)", '"at bedtime" or "half-strength"',
     '"HS" is read both as "half-strength" and as "at bedtime"'),
    (r"cc", "mL", '"cc" is misread as "u" (units) or "00"'),
]
ABBREVIATIONS: list[tuple[re.Pattern[str], str, str]] = [
    (re.compile(_WORD_BEFORE + spellings + _WORD_AFTER), instead, why)
    for spellings, instead, why in _ABBREVIATION_SPELLINGS
]
# All of them in one scan (a look-behind first defeats the regex engine's prefix search, so the first
# letters go before it). Each match is zero-width at the start of one abbreviation, whose text is in the
# group a<index>: found this way, matches of different abbreviations may overlap as they did one by one.
# Every spelling starts with one of these letters (tests/checks/test_prose_rules.py checks each one).
ABBREVIATION_FIRST_LETTERS = "SsQqTtBbHhc"
ANY_ABBREVIATION = re.compile(
    f"(?=[{ABBREVIATION_FIRST_LETTERS}]){_WORD_BEFORE}(?="
    + "|".join(f"(?P<a{index}>{spellings}{_WORD_AFTER})" for index, (spellings, _i, _w) in
               enumerate(_ABBREVIATION_SPELLINGS))
    + ")"
)


def data_quantities(doc: Any) -> list[tuple[str, Quantity]]:
    """Every quantity of a version's regimens and phases, named as a placeholder would name it."""
    found: list[tuple[str, Quantity]] = []
    for regimen in doc.regimens:
        for name in ("dose", "max_dose", "duration", "concentration", "unit_dose", "rounding"):
            value = getattr(regimen, name)
            if value is not None:
                found.append((f"{regimen.id}.{name}", value))
        if regimen.dose_range is not None:
            found += [
                (f"{regimen.id}.dose_range", regimen.dose_range.min),
                (f"{regimen.id}.dose_range", regimen.dose_range.max),
            ]
        found += [(f"{regimen.id}.options", option) for option in regimen.options or []]
    for phase in doc.phases:
        if phase.length is not None:
            found.append((f"{phase.id}.length", phase.length))
    return found


# Units written out in words: a reader takes "50 milligrams" for 50 mg, so P208 does too.
SPELLED_OUT_UNITS = {
    word + plural: unit
    for spelling, unit in (("milligram", "mg"), ("microgram", "mcg"), ("gram", "g"), ("millilitre", "mL"),
                           ("milliliter", "mL"), ("litre", "L"), ("liter", "L"))
    for word in (spelling, spelling.capitalize())
    for plural in ("", "s")
}


def _canonical_unit(unit: str) -> str | None:
    if unit in UNITS:
        return unit
    if unit in TIME_PLURALS:
        return TIME_PLURALS[unit]
    if unit in SPELLED_OUT_UNITS:
        return SPELLED_OUT_UNITS[unit]
    mapped = "/".join(UNSAFE_SPELLINGS.get(part, part) for part in unit.split("/"))
    mapped = TIME_PLURALS.get(mapped, mapped)
    return mapped if mapped in UNITS else None


def _notation(number: str, start: int, whole: str, single: bool) -> Finding | None:
    plain = number.replace(",", "")
    leading = plain.startswith(".")
    trailing = "." in plain and plain.endswith("0")
    if not (leading or trailing):
        return None
    fixed = format_number(Decimal(plain))
    where = f'"{whole}"' if single else f'"{number}" (in "{whole}")'
    written = whole.replace(number, fixed, 1) if single else fixed
    if leading:
        return Finding(
            "P209",
            start,
            f'missing leading zero in {where}: write "{written}"',
            "a bare decimal point is easily missed: .5 is read as 5",
        )
    return Finding(
        "P209",
        start,
        f'trailing zero in {where}: write "{written}"',
        "a trailing zero is misread as a tenfold dose: 5.0 is read as 50",
    )


def _placeholder_text(doc: Any, name: str) -> str | None:
    target, _, field = name.partition(".")
    try:
        return render_placeholder(doc, target, field)
    except PlaceholderError:  # rounding: a quantity of the data, but no placeholder shows it
        return None


def _dose_finding(
    doc: Any,
    value: Decimal,
    unit: str,
    number: str,
    start: int,
    whole: str,
    single: bool,
    known: Sequence[tuple[str, Quantity]],
) -> Finding | None:
    prose = Quantity(value, unit, f"{number} {unit}")
    same_dimension = [(name, q) for name, q in known if q.dimension == prose.dimension]
    for _name, quantity in same_dimension:
        try:
            if compare_quantities(prose, quantity) == 0:
                return None
        except QuantityError:  # months against other time units: no match
            continue
    shown = format_quantity(prose)
    what = excerpt(whole) if single else f"{excerpt(shown, quoted=False)} (in {excerpt(whole)})"
    own = [(name, q) for name, q in same_dimension if name.partition(".")[0] in _ids(doc)]
    shown_names = {name: _placeholder_text(doc, name) for name, _q in own}
    placeholders = [f"{{{{ {name} }}}} ({text})" for name, text in shown_names.items() if text is not None][:3]
    quoting = f"only a dose quoted from a study may be written as verbatim text, {{{{ {excerpt(whole)} }}}}"
    if placeholders:
        hint = f"write the dose as a placeholder of this version's data, such as {', '.join(placeholders)}; {quoting}"
    else:
        hint = (f"no quantity of this version is comparable with {unit}: add it to the data and write it as a "
                f"placeholder ({{{{ regimen-id.dose }}}}); {quoting}")
    return Finding("P208", start, f"dose {what} matches no quantity of this version's data", hint)


def _ids(doc: Any) -> set[str]:
    return {regimen.id for regimen in doc.regimens} | {phase.id for phase in doc.phases}


@dataclass(frozen=True)
class ProseQuantity:
    """A number (or range) with a unit in what a reader sees, and what the text alone says about it."""

    whole: str  # as read, e.g. "0.5 to 1 mg/kg"
    unit: str  # canonical
    single: bool  # one number, not a range
    numbers: tuple[tuple[str, int], ...]  # (number as read, offset in the field)
    notation: tuple[Finding, ...]  # P209 leading or trailing zero
    unsafe: Finding | None  # P109 unit spelling (P209 inside verbatim text)
    is_dose: bool  # a unit a dose is written in (not a time or a weight)
    quoted: bool = False  # all of it verbatim text {{ "..." }}: exempt from P208 only


def prose_quantities(run: ReaderRun) -> tuple[ProseQuantity, ...]:
    """Every number with a known unit in a reader's run of text, with its notation findings. A quantity
    shown entirely by a placeholder is the data itself: nothing to judge."""
    found = []
    text, origins, kinds = run.text, run.origins, run.kinds
    for match in _PROSE_QUANTITY.finditer(text):
        unit, whole = match.group("unit"), match.group(0)
        canonical = _canonical_unit(unit)
        if canonical is None:
            continue
        span_kinds = set(kinds[match.start() : match.end()])
        if span_kinds == {DATA}:
            continue
        quoted = span_kinds == {VERBATIM}
        single = match.group("b") is None
        numbers = tuple((match.group(g), origins[match.start(g)]) for g in ("a", "b") if match.group(g) is not None)
        notation = tuple(
            finding for number, start in numbers if (finding := _notation(number, start, whole, single)) is not None
        )
        unsafe = None
        if [part for part in unit.split("/") if part in PROSE_UNSAFE_UNITS]:
            unsafe = Finding(
                "P209" if quoted else "P109",
                origins[match.start("unit")],
                f'unsafe unit spelling "{unit}" in "{whole}": write "{_respelled(match, canonical)}"',
                _unsafe_reason(unit),
            )
        is_dose = unit_dimension(canonical) not in NOT_DOSE_DIMENSIONS
        found.append(ProseQuantity(whole, canonical, single, numbers, notation, unsafe, is_dose, quoted))
    return tuple(found)


def quantities_findings(
    quantities: Sequence[ProseQuantity], doc: Any | None, also: Sequence[tuple[str, Quantity]] = ()
) -> Iterator[Finding]:
    """The findings of `prose_quantities` in a version (`doc`; None outside protocols: no P208). `also`: more
    quantities a dose may equal (in `changes`, the previous version's)."""
    known: list[tuple[str, Quantity]] | None = None  # the version's, gathered at the first dose
    for quantity in quantities:
        yield from quantity.notation
        if quantity.unsafe is not None:
            yield quantity.unsafe
            continue
        if doc is None or not quantity.is_dose or quantity.quoted:
            continue
        if known is None:
            known = [*data_quantities(doc), *also]
        for number, start in quantity.numbers:
            value = Decimal(number.replace(",", ""))
            finding = _dose_finding(doc, value, quantity.unit, number, start, quantity.whole, quantity.single, known)
            if finding:
                yield finding


def _respelled(match: re.Match[str], canonical: str) -> str:
    start = match.start()
    return match.string[start : match.start("unit")] + canonical


def _unsafe_reason(unit: str) -> str:
    try:
        parse_quantity(f"1 {unit}")
    except QuantityError as error:
        return error.hint
    return ""


_AFTER_NUMBER = re.compile(r"[0-9][ \t\u00a0]*$")
# A comma inside a number that is not a thousands separator (groups of exactly three digits), before a unit:
# "0,5 mg" is read as 0.5 by some and as 5 by others, and no quantity rule would see it.
_DECIMAL_COMMA = re.compile(
    r"(?=[0-9])(?<![\w.,])(?P<number>[0-9]+(?:,[0-9]+)+)(?P<space>\s*)(?P<unit>[A-Za-zµμ]+(?:/[A-Za-z]+)*)(?![\w/])"
)
_GROUPED = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+")


def decimal_comma_findings(run: ReaderRun) -> Iterator[Finding]:
    """P209: a number with a decimal comma before a unit of §3.1 ("0,5 mg"), in a reader's text."""
    for match in _DECIMAL_COMMA.finditer(run.text):
        number, unit = match.group("number"), match.group("unit")
        if _GROUPED.fullmatch(number) or _canonical_unit(unit) is None or run.kinds[match.start()] == DATA:
            continue
        written = number.replace(",", ".") + match.group("space") + unit
        yield Finding("P209", run.origins[match.start()],
                      f'decimal comma in "{match.group(0)}": write "{written}" if that is the amount meant',
                      "a comma is read as a decimal point by some and as a thousands separator by others")


def abbreviation_findings(run: ReaderRun) -> Iterator[Finding]:
    """P209: error-prone abbreviations as whole words in a reader's text, verbatim text included (not "cc"
    right after a number: that is P109; not in a placeholder's value: that is the data's own rule), then
    decimal commas."""
    text = run.text
    found = []
    for match in ANY_ABBREVIATION.finditer(text):
        group = match.lastgroup or ""
        found.append((int(group.removeprefix("a")), match.start(), match.group(group)))
    for index, start, written in sorted(found):  # abbreviation by abbreviation, as the list orders them
        if run.kinds[start] == DATA:
            continue
        if written == "cc" and _AFTER_NUMBER.search(text[max(0, start - 8) : start]):
            continue
        _pattern, instead, why = ABBREVIATIONS[index]
        yield Finding("P209", run.origins[start], f'error-prone abbreviation "{written}": write {_quoted(instead)}',
                      why)
    yield from decimal_comma_findings(run)


def _quoted(text: str) -> str:
    return text if text.startswith('"') else f'"{text}"'
