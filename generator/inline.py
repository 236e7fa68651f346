"""The inline syntax of §5 in Markdown fields: citations, cross-references, placeholders, verbatim text.

`tokenize` finds the syntax with character offsets (so rules can point at file:line:col through
`SourceFile.text_at`); `render_placeholder` gives a placeholder's text; prose scanning for doses and
error-prone notation is in `generator.prose`; the Markdown transform of the render layer is in
`generator.inline_render` (re-exported here). Protocol text is data: nothing here evaluates it.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from generator.diagnostics import DataPath
from generator.quantity import Quantity, format_length, format_number, format_quantity

# Generated section ids of §3.5, with the heading text a link to them shows by default.
GENERATED_SECTIONS: dict[str, str] = {
    "summary": "Summary",
    "dosing": "Dosing",
    "schedule": "Schedule",
    "dose-table": "Dose table",
    "algorithm": "Algorithm",
    "changes": "Changes",
    "references": "References",
    "versions": "Versions",
    "approvals": "Approvals",
}
REGIMEN_FIELDS = (
    "dose", "dose_range", "options", "max_dose", "duration", "concentration", "unit_dose", "route", "drug",
)
PHASE_FIELDS = ("frequency", "length", "doses", "name")

Span = tuple[int, int]


@dataclass(frozen=True)
class CitationKey:
    id: str
    offset: int  # of the id (after "@") in the field's text


@dataclass(frozen=True)
class Citation:
    start: int
    end: int
    raw: str
    keys: tuple[CitationKey, ...]
    error: str = ""  # non-empty when the citation is malformed


@dataclass(frozen=True)
class CrossReference:
    start: int
    end: int
    raw: str
    protocol: str = ""  # "" for [[#section]]
    version: str = ""  # "" for the current version
    section: str = ""
    label: str = ""
    error: str = ""


@dataclass(frozen=True)
class Placeholder:
    start: int
    end: int
    raw: str
    target: str  # regimen or phase id
    field: str
    error: str = ""


@dataclass(frozen=True)
class Verbatim:
    start: int
    end: int
    raw: str
    text: str


Token = Citation | CrossReference | Placeholder | Verbatim

_CITATION = re.compile(r"\[@([^\[\]]*)\](?![(\[])")
_CITATION_KEY = re.compile(r"@([a-z0-9][a-z0-9-]*)")
_XREF = re.compile(r"\[\[([^\[\]\n]*)\]\]")
_XREF_PARTS = re.compile(
    r"(?P<protocol>[a-z][a-z0-9-]*)?(?:@(?P<version>[^#|]*))?(?:#(?P<section>[^|]*))?(?:\|(?P<label>.*))?", re.S
)
_VERSION = re.compile(r"[0-9]+\.[0-9]+")
_SECTION = re.compile(r"[a-z][a-z0-9-]*")
_BRACES = re.compile(r"\{\{(.*?)\}\}", re.S)
_VERBATIM = re.compile(r'\s*"((?:[^"\\]|\\.)*)"\s*', re.S)
_PLACEHOLDER = re.compile(r"\s*([a-z][a-z0-9-]*)\.([a-z_]+)\s*")
_FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})[^\n]*\n.*?(?:^[ \t]*\1[ \t]*$|\Z)", re.M | re.S)
# A run of backticks not preceded by one; the look-behind comes after the run's first backtick so that the
# regex engine skips straight to backticks instead of trying every position (8 times faster on a page).
_CODE_SPAN = re.compile(r"(`(?<!``)`*)(?!`)(.+?)(?<!`)\1(?!`)", re.S)


def code_ranges(text: str) -> list[Span]:
    """Fenced code blocks and inline code spans: literal text, where no inline syntax applies."""
    # a fence needs three backticks or tildes: the substring test spares a scan of every line start
    ranges = [match.span() for match in _FENCE.finditer(text)] if "```" in text or "~~~" in text else []
    for match in _CODE_SPAN.finditer(text):
        if not inside(match.start(), ranges):
            ranges.append(match.span())
    return sorted(ranges)


def code_spans(text: str) -> tuple[Span, ...]:
    """`code_ranges` as a tuple, for `scanned` (the tokenizer and the prose rules both need them)."""
    return tuple(code_ranges(text))


def inside(offset: int, ranges: list[Span] | tuple[Span, ...]) -> bool:
    return any(start <= offset < end for start, end in ranges)


def _citation(match: re.Match[str]) -> Citation:
    raw, inner_start = match.group(0), match.start(1) - 1  # include the first "@"
    keys, error = [], ""
    position = inner_start
    for part in ("@" + match.group(1)).split(";"):
        stripped = part.strip()
        key = _CITATION_KEY.fullmatch(stripped)
        offset = position + (len(part) - len(part.lstrip()))
        if key:
            keys.append(CitationKey(key.group(1), offset + 1))
        elif not error:
            error = f'malformed citation key "{stripped}"'
        position += len(part) + 1
    return Citation(match.start(), match.end(), raw, tuple(keys), error)


def _cross_reference(match: re.Match[str]) -> CrossReference:
    inner, raw = match.group(1), match.group(0)
    parts = _XREF_PARTS.fullmatch(inner)
    start, end = match.span()
    if parts is None:
        return CrossReference(start, end, raw, error=f'malformed cross-reference "{raw}"')
    protocol, version = parts.group("protocol") or "", parts.group("version")
    section, label = parts.group("section"), parts.group("label")
    error = ""
    if not protocol and (version is not None or section is None):
        error = f'malformed cross-reference "{raw}": name a protocol id or a #section'
    elif version is not None and not _VERSION.fullmatch(version):
        error = f'malformed version "{version}" in cross-reference "{raw}"'
    elif section is not None and not _SECTION.fullmatch(section):
        error = f'malformed section id "{section}" in cross-reference "{raw}"'
    elif label is not None and not label.strip():
        error = f'empty label in cross-reference "{raw}"'
    return CrossReference(start, end, raw, protocol, version or "", section or "", (label or "").strip(), error)


def _braces(match: re.Match[str]) -> Placeholder | Verbatim:
    inner, raw = match.group(1), match.group(0)
    start, end = match.span()
    verbatim = _VERBATIM.fullmatch(inner)
    if verbatim:
        return Verbatim(start, end, raw, re.sub(r"\\(.)", r"\1", verbatim.group(1)))
    placeholder = _PLACEHOLDER.fullmatch(inner)
    if placeholder:
        return Placeholder(start, end, raw, placeholder.group(1), placeholder.group(2))
    return Placeholder(
        start, end, raw, "", "", f'malformed placeholder "{raw}": write {{{{ id.field }}}} or {{{{ "verbatim text" }}}}'
    )


def tokenize(text: str) -> list[Token]:
    """Every citation, cross-reference, placeholder and verbatim text, in order, outside code."""
    return list(scanned(text, _scan))


ScanResult = TypeVar("ScanResult")
_scans: dict[tuple[Callable[[str], Any], str], Any] | None = None


def scanned(text: str, scan: Callable[[str], ScanResult]) -> ScanResult:
    """`scan(text)`, computed once per text within `shared_scans()`; `scan` is pure and its result immutable."""
    if _scans is None:
        return scan(text)
    key = (scan, text)
    if key not in _scans:
        _scans[key] = scan(text)
    return cast(ScanResult, _scans[key])


@contextmanager
def shared_scans() -> Iterator[None]:
    """Within it, each text is scanned once by each scan: the rule families all tokenize every field, and
    versions of a protocol repeat most of their prose. Forgotten on leaving, so a build does not keep them.
    """
    global _scans
    outer = _scans
    if outer is None:
        _scans = {}
    try:
        yield
    finally:
        _scans = outer


def _scan(text: str) -> tuple[Token, ...]:
    found: list[Token] = [_braces(m) for m in _BRACES.finditer(text)]
    found += [_cross_reference(m) for m in _XREF.finditer(text)]
    found += [_citation(m) for m in _CITATION.finditer(text)]
    code = scanned(text, code_spans)
    tokens: list[Token] = []
    for token in sorted(found, key=lambda t: (t.start, -t.end)):
        if inside(token.start, code) or (tokens and token.start < tokens[-1].end):
            continue
        tokens.append(token)
    return tuple(tokens)


# --- fields ---------------------------------------------------------------------------------------------


def markdown_fields(doc: Any) -> Iterator[tuple[DataPath, str]]:
    """(data path, text) of every Markdown field of a version, in page order."""
    if doc.summary:
        yield ("summary",), doc.summary
    for index, regimen in enumerate(doc.regimens):
        if regimen.notes:
            yield ("regimens", index, "notes"), regimen.notes
    for index, phase in enumerate(doc.phases):
        if phase.notes:
            yield ("phases", index, "notes"), phase.notes
    for index, section in enumerate(doc.sections):
        yield ("sections", index, "body"), section.body
    for index, step in enumerate(doc.algorithm):
        yield ("algorithm", index), step
    for index, change in enumerate(doc.changes):
        yield ("changes", index), change


def plain_text_fields(doc: Any) -> Iterator[tuple[DataPath, str]]:
    """Text fields shown as they are (no inline syntax) where a dose could still be written."""
    yield ("title",), doc.title
    for index, phase in enumerate(doc.phases):
        yield ("phases", index, "name"), phase.name
    for index, section in enumerate(doc.sections):
        yield ("sections", index, "title"), section.title


def library_markdown_fields(library: Any) -> Iterator[tuple[str, DataPath, str]]:
    """(library file name, data path, text) of the Markdown fields of drugs.yaml and handbooks.yaml."""
    for drug_id, drug in library.drugs.items():
        if drug.notes:
            yield "drugs.yaml", (drug_id, "notes"), drug.notes
    for index, handbook in enumerate(library.handbooks):
        if handbook.description:
            yield "handbooks.yaml", (index, "description"), handbook.description


# --- placeholders ---------------------------------------------------------------------------------------


class PlaceholderError(ValueError):
    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


def _either(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


def _range_text(low: Quantity, high: Quantity) -> str:
    if low.unit == high.unit:
        return f"{format_number(low.value)} to {format_quantity(high)}"
    return f"{format_quantity(low)} to {format_quantity(high)}"


def _regimen_value(regimen: Any, field: str, drugs: Mapping[str, Any] | None) -> str | None:
    if field == "dose_range":
        return None if regimen.dose_range is None else _range_text(regimen.dose_range.min, regimen.dose_range.max)
    if field == "options":
        return _either([format_quantity(q) for q in regimen.options]) if regimen.options else None
    if field == "duration":
        return None if regimen.duration is None else format_length(regimen.duration)
    if field == "route":
        return str(regimen.route)
    if field == "drug":
        drug = (drugs or {}).get(regimen.drug)
        return drug.name if drug is not None else regimen.drug
    value = getattr(regimen, field)
    return None if value is None else format_quantity(value)


def _phase_value(phase: Any, field: str) -> str | None:
    if field == "frequency":
        return phase.frequency.in_words()
    if field == "length":
        return None if phase.length is None else format_length(phase.length)
    if field == "doses":
        return None if phase.doses is None else format_number(phase.doses)
    return str(phase.name)


def render_placeholder(doc: Any, ref_id: str, field: str, drugs: Mapping[str, Any] | None = None) -> str:
    """The text of `{{ ref_id.field }}` in a version; PlaceholderError (P304) when it does not resolve.

    `drugs` (the library's drugs.yaml) gives a regimen's drug name; without it the drug id is shown.
    """
    regimen = next((r for r in doc.regimens if r.id == ref_id), None)
    phase = next((p for p in doc.phases if p.id == ref_id), None)
    placeholder = f"{{{{ {ref_id}.{field} }}}}"
    if regimen is not None:
        kind, fields, value = "regimen", REGIMEN_FIELDS, None
        if field in REGIMEN_FIELDS:
            value = _regimen_value(regimen, field, drugs)
    elif phase is not None:
        kind, fields = "phase", PHASE_FIELDS
        value = _phase_value(phase, field) if field in PHASE_FIELDS else None
    else:
        ids = [r.id for r in doc.regimens] + [p.id for p in doc.phases]
        raise PlaceholderError(
            f'placeholder {placeholder}: no regimen or phase "{ref_id}" in this version',
            "use the id of one of this version's regimens or phases (" + (", ".join(ids) or "none defined") + ")",
        )
    if field not in fields:
        raise PlaceholderError(
            f'placeholder {placeholder}: "{field}" is not a {kind} field',
            f"{kind} fields: " + ", ".join(fields),
        )
    if value is None:
        raise PlaceholderError(
            f"placeholder {placeholder}: {kind} {ref_id} has no {field}",
            f"add {field} to the {kind}, or remove the placeholder",
        )
    return value


# --- links in author Markdown ---------------------------------------------------------------------------

UNSAFE_SCHEMES = ("javascript", "vbscript", "data")
_AUTOLINK = re.compile(r"<([A-Za-z][A-Za-z0-9+.\-]{1,31}:[^<>\s]*)>")
_REFERENCE_DEFINITION = re.compile(r"^[ \t]{0,3}\[[^\]\n]+\]:[ \t]*<?([^\s>]+)", re.M)
_INLINE_LINK_OPEN = re.compile(r"\]\([ \t]*<?")


def unsafe_scheme(url: str) -> str:
    """"javascript" for "JavaScript:alert(1)" (entities and whitespace as a browser reads them), else ""."""
    cleaned = re.sub(r"[\x00-\x20\x7f]", "", html.unescape(url)).lower()
    scheme = cleaned.partition(":")[0] if ":" in cleaned else ""
    return scheme if scheme in UNSAFE_SCHEMES else ""


def link_destinations(text: str) -> list[Span]:
    """Where the URL of every Markdown link, reference definition and autolink stands."""
    spans: list[Span] = []
    for match in _INLINE_LINK_OPEN.finditer(text):
        depth, position = 0, match.end()
        while position < len(text) and not text[position].isspace():
            char = text[position]
            if char == "(":
                depth += 1
            elif char == ")":
                if depth == 0:
                    break
                depth -= 1
            elif char == ">":
                break
            position += 1
        if position > match.end():
            spans.append((match.end(), position))
    spans += [m.span(1) for m in _REFERENCE_DEFINITION.finditer(text)]
    spans += [m.span(1) for m in _AUTOLINK.finditer(text)]
    return sorted(spans)


_RENDER_NAMES = (
    "CitationCounter", "LinkError", "LinkTarget", "PageContext", "SiteLinks", "escape_markdown", "render_cite_list",
    "render_markdown",
)


def __getattr__(name: str) -> object:
    """The render layer's names live in generator.inline_render; importable from here too."""
    if name in _RENDER_NAMES:
        from generator import inline_render

        return getattr(inline_render, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
