"""What protocol prose may not say: doses that drift from the data (P208), error-prone notation
(P209), unsafe unit spellings (P109) and raw HTML (P501). Pure text scanning with offsets; the rule
module `generator.checks.prose` turns findings into located diagnostics.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from generator.frequency import ABBREVIATIONS as FREQUENCY_ABBREVIATIONS
from generator.frequency import parse_frequency
from generator.inline import PlaceholderError, Span, inside, link_destinations, render_placeholder, unsafe_scheme
from generator.quantity import (
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


@dataclass(frozen=True)
class Finding:
    code: str
    offset: int  # in the field's text
    message: str
    hint: str = ""


RAW_HTML = re.compile(
    r"<!--.*?(?:-->|\Z)|<!\[CDATA\[.*?(?:\]\]>|\Z)|<![A-Za-z][^>]*>?|<\?.*?(?:\?>|\Z)"
    r"|</?[A-Za-z][A-Za-z0-9-]*(?=[\s/>])[^<>]*>",
    re.S,
)
# Python-Markdown's attr_list extension turns `{: onclick="..."}` into raw HTML attributes: it takes any
# `{...}` on one line (its BASE_RE `\{\:?[ ]*([^\}\n ][^\n]*)\}`), and a bare word such as `{: x onclick }`
# is an attribute too. Every "{" that opens such a group is matched (zero-width after it, so groups that
# overlap or nest are each found).
ATTRIBUTE_LIST = re.compile(r"\{(?=:?[ \t]*[^}\s][^\n]*\})")
# The groups an author is told about: those that read as attributes (`{: ...}`, `{#id}`, `{.class}`,
# `key=value`, an `on...` handler). Plain braces such as "{a, b}" are not reported: the renderer escapes
# every "{" anyway, so they are shown as written.
ATTRIBUTE_SHAPED = re.compile(r"^\{(?::|.*?(?:(?<![^\s{])[#.][\w-]|=|(?<![^\s{])on[a-z]))", re.I)

# Unit spellings that are errors after a number in prose (§3.1), by component.
PROSE_UNSAFE_UNITS = frozenset({"µg", "μg", "ug", "ml", "cc", "U", "IU"})
NOT_DOSE_DIMENSIONS = frozenset({"time", "weight"})

_NUMBER = r"(?:[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?|[0-9]+(?:\.[0-9]+)?|\.[0-9]+)"
# The look-ahead names the characters a number starts with, so the regex engine skips to them.
_PROSE_QUANTITY = re.compile(
    rf"(?=[0-9.])(?<![\w.,])(?P<a>{_NUMBER})(?:(?:[ \t\u00a0]*[-–—][ \t\u00a0]*|\s+(?:to|and|or)\s+)(?P<b>{_NUMBER}))?"
    r"\s*(?P<unit>[A-Za-zµμ]+(?:/[A-Za-z]+)*)(?![\w/])"
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
# Every spelling starts with one of these letters (tests/test_check_caches.py generates them to check).
ABBREVIATION_FIRST_LETTERS = "SsQqTtBbHhc"
ANY_ABBREVIATION = re.compile(
    f"(?=[{ABBREVIATION_FIRST_LETTERS}]){_WORD_BEFORE}(?="
    + "|".join(f"(?P<a{index}>{spellings}{_WORD_AFTER})" for index, (spellings, _i, _w) in
               enumerate(_ABBREVIATION_SPELLINGS))
    + ")"
)


def html_findings(text: str, exempt: list[Span]) -> Iterator[Finding]:
    """P501: raw HTML tags and comments, attribute lists, and javascript:/vbscript:/data: link URLs."""
    for match in RAW_HTML.finditer(text):
        if inside(match.start(), exempt):
            continue
        shown = _shorten(match.group(0))
        if shown.startswith("<!--"):
            yield Finding(
                "P501",
                match.start(),
                f'HTML comment "{shown}" in Markdown',
                "remove it; a note for authors belongs in a YAML comment (# ...) outside the text",
            )
        else:
            yield Finding(
                "P501",
                match.start(),
                f'raw HTML "{shown}" in Markdown',
                "use Markdown instead (**bold**, *italic*, lists, [links](https://...)); raw HTML is refused",
            )
    for match in ATTRIBUTE_LIST.finditer(text):
        if not inside(match.start(), exempt):
            group = text[match.start() : text.index("}", match.start()) + 1]
            line_end = text.find("\n", match.start())
            as_attr_list_reads = text[
                match.start() : text.rindex("}", match.start(), None if line_end < 0 else line_end) + 1
            ]
            if not ATTRIBUTE_SHAPED.match(as_attr_list_reads):
                continue
            yield Finding(
                "P501",
                match.start(),
                f'attribute list "{_shorten(group)}" in Markdown',
                'remove it: attribute lists write raw HTML attributes into the page; write braces as {{ "{...}" }}',
            )
    for start, end in link_destinations(text):
        scheme = unsafe_scheme(text[start:end])
        if scheme and not inside(start, exempt):
            yield Finding(
                "P501",
                start,
                f'unsafe link "{_shorten(text[start:end])}" in Markdown',
                f"{scheme}: links can run code in the reader's browser; link to an https:// address",
            )


def _shorten(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


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


_last_version: tuple[Any, list[tuple[str, Quantity]]] | None = None


def _version_quantities(doc: Any) -> list[tuple[str, Quantity]]:
    """`data_quantities(doc)`, computed once for the fields of one version (they are checked one after another)."""
    global _last_version
    if _last_version is None or _last_version[0] is not doc:
        _last_version = (doc, data_quantities(doc))
    return _last_version[1]


def _canonical_unit(unit: str) -> str | None:
    if unit in UNITS:
        return unit
    if unit in TIME_PLURALS:
        return TIME_PLURALS[unit]
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
    known: list[tuple[str, Quantity]],
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
    what = f'"{whole}"' if single else f'{shown} (in "{whole}")'
    shown_names = {name: _placeholder_text(doc, name) for name, _q in same_dimension}
    placeholders = [f"{{{{ {name} }}}} ({text})" for name, text in shown_names.items() if text is not None][:3]
    if placeholders:
        listed = ", ".join(placeholders)
        hint = f'use a placeholder such as {listed}, or quote a source\'s dose as {{{{ "{whole}" }}}}'
    else:
        hint = f'no quantity of this version is comparable with {unit}; quote a source\'s dose as {{{{ "{whole}" }}}}'
    return Finding("P208", start, f"dose {what} matches no quantity of this version's data", hint)


@dataclass(frozen=True)
class ProseQuantity:
    """A number (or range) with a unit in prose, and what the text alone says about it."""

    whole: str  # as written, e.g. "0.5 to 1 mg/kg"
    unit: str  # canonical
    single: bool  # one number, not a range
    numbers: tuple[tuple[str, int], ...]  # (number as written, offset in the field)
    notation: tuple[Finding, ...]  # P209 leading or trailing zero
    unsafe: Finding | None  # P109 unit spelling
    is_dose: bool  # a unit a dose is written in (not a time or a weight)


def prose_quantities(text: str, exempt: list[Span]) -> tuple[ProseQuantity, ...]:
    """Every number with a known unit in `text` outside the `exempt` spans, with its notation findings."""
    found = []
    for match in _PROSE_QUANTITY.finditer(text):
        if inside(match.start(), exempt):
            continue
        unit, whole = match.group("unit"), match.group(0)
        canonical = _canonical_unit(unit)
        if canonical is None:
            continue
        single = match.group("b") is None
        numbers = tuple((match.group(g), match.start(g)) for g in ("a", "b") if match.group(g) is not None)
        notation = tuple(
            finding for number, start in numbers if (finding := _notation(number, start, whole, single)) is not None
        )
        unsafe = None
        if [part for part in unit.split("/") if part in PROSE_UNSAFE_UNITS]:
            unsafe = Finding(
                "P109",
                match.start("unit"),
                f'unsafe unit spelling "{unit}" in "{whole}": write "{_respelled(match, canonical)}"',
                _unsafe_reason(unit),
            )
        is_dose = unit_dimension(canonical) not in NOT_DOSE_DIMENSIONS
        found.append(ProseQuantity(whole, canonical, single, numbers, notation, unsafe, is_dose))
    return tuple(found)


def quantity_findings(text: str, exempt: list[Span], doc: Any | None) -> Iterator[Finding]:
    """P208 (when `doc` is given), P209 notation and P109 spellings of the numbers with units in prose."""
    return quantities_findings(prose_quantities(text, exempt), doc)


def quantities_findings(quantities: tuple[ProseQuantity, ...], doc: Any | None) -> Iterator[Finding]:
    """The findings of `prose_quantities` in a version (`doc`; None outside protocols: no P208)."""
    for quantity in quantities:
        yield from quantity.notation
        if quantity.unsafe is not None:
            yield quantity.unsafe
            continue
        if doc is None or not quantity.is_dose:
            continue
        for number, start in quantity.numbers:
            value = Decimal(number.replace(",", ""))
            finding = _dose_finding(
                doc, value, quantity.unit, number, start, quantity.whole, quantity.single, _version_quantities(doc)
            )
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


def abbreviation_findings(text: str, exempt: list[Span]) -> Iterator[Finding]:
    """P209: error-prone abbreviations as whole words (not "cc" right after a number: that is P109)."""
    found = []
    for match in ANY_ABBREVIATION.finditer(text):
        group = match.lastgroup or ""
        found.append((int(group.removeprefix("a")), match.start(), match.group(group)))
    for index, start, written in sorted(found):  # abbreviation by abbreviation, as the list orders them
        if inside(start, exempt):
            continue
        if written == "cc" and _AFTER_NUMBER.search(text[max(0, start - 8) : start]):
            continue
        _pattern, instead, why = ABBREVIATIONS[index]
        yield Finding("P209", start, f'error-prone abbreviation "{written}": write {_quoted(instead)}', why)


def _quoted(text: str) -> str:
    return text if text.startswith('"') else f'"{text}"'
