"""The inline syntax of §5 in Markdown fields: citations, cross-references, placeholders, verbatim text.

`tokenize` gives the syntax the Markdown parser (`generator.text.markdown`) found, with character offsets in
the field (so rules can point at file:line:col through `SourceFile.text_at`): nothing inside code, link
destinations or raw HTML is syntax, as the page shows it. `render_placeholder` gives a placeholder's
text; what a reader sees of prose is in `generator.text.prose_findings`; the render layer is
`generator.render.inline_render`. Protocol text is data: nothing here evaluates it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, cast

from generator.diagnostics import DataPath, excerpt
from generator.model.quantity import format_length, format_number, format_quantity, format_range
from generator.model.schema import drug_name

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
# The generator's own anchors on a protocol page, "<prefix><id>", by what they name; no author section id
# may start with one (P105).
ANCHOR_PREFIXES: dict[str, str] = {
    "reference": "ref-", "regimen": "regimen-", "phase": "phase-", "dose_table": "dose-table-",
    "dose_card": "dose-card-",
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
class SyntaxSpan:
    """Where a piece of §5 syntax stands in its field, and the text it was written as."""

    start: int
    end: int
    raw: str


@dataclass(frozen=True)
class Citation(SyntaxSpan):
    keys: tuple[CitationKey, ...]
    error: str = ""  # non-empty when the citation is malformed


@dataclass(frozen=True)
class CrossReference(SyntaxSpan):
    protocol: str = ""  # "" for [[#section]]
    version: str = ""  # "" for the current version
    section: str = ""
    label: str = ""
    error: str = ""


@dataclass(frozen=True)
class Placeholder(SyntaxSpan):
    target: str  # regimen or phase id
    field: str
    error: str = ""


@dataclass(frozen=True)
class Verbatim(SyntaxSpan):
    text: str


Token = Citation | CrossReference | Placeholder | Verbatim

_CITATION_KEY = re.compile(r"@([a-z0-9][a-z0-9-]*)")
_XREF_PARTS = re.compile(
    r"(?P<protocol>[a-z][a-z0-9-]*)?(?:@(?P<version>[^#|]*))?(?:#(?P<section>[^|]*))?(?:\|(?P<label>.*))?", re.S
)
_VERSION = re.compile(r"[0-9]+\.[0-9]+")
_SECTION = re.compile(r"[a-z][a-z0-9-]*")
_VERBATIM = re.compile(r'\s*"((?:[^"\\]|\\.)*)"\s*', re.S)
_PLACEHOLDER = re.compile(r"\s*([a-z][a-z0-9-]*)\.([a-z_]+)\s*")
_FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})[^\n]*\n.*?(?:^[ \t]*\1[ \t]*$|\Z)", re.M | re.S)
# A run of backticks not preceded by one; the look-behind comes after the run's first backtick so that the
# regex engine skips straight to backticks instead of trying every position (8 times faster on a page).
_CODE_SPAN = re.compile(r"(`(?<!``)`*)(?!`)(.+?)(?<!`)\1(?!`)", re.S)


def anchor(kind: str, item_id: str) -> str:
    """The id of a generated anchor on a protocol page: anchor("regimen", "ketamine-iv") -> "regimen-ketamine-iv"."""
    return ANCHOR_PREFIXES[kind] + item_id


def code_ranges(text: str) -> list[Span]:
    """Fenced code blocks and inline code spans of generated page Markdown (author text is parsed instead)."""
    # a fence needs three backticks or tildes: the substring test spares a scan of every line start
    ranges = [match.span() for match in _FENCE.finditer(text)] if "```" in text or "~~~" in text else []
    for match in _CODE_SPAN.finditer(text):
        if not inside(match.start(), ranges):
            ranges.append(match.span())
    return sorted(ranges)


def code_spans(text: str) -> tuple[Span, ...]:
    """`code_ranges` as a tuple: code of a page's Markdown (the handbook print view's rewriting)."""
    return tuple(code_ranges(text))


def inside(offset: int, ranges: list[Span] | tuple[Span, ...]) -> bool:
    return any(start <= offset < end for start, end in ranges)


def citation_token(match: re.Match[str]) -> Citation:
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


def cross_reference_token(match: re.Match[str]) -> CrossReference:
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


def braces_token(match: re.Match[str]) -> Placeholder | Verbatim:
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
    return list(_syntax(text))


def forget_syntax() -> None:
    """Drop what is kept of texts: the syntax, and the rules' scans (`generator.text.text_scan`)."""
    from generator.text.text_scan import forget

    _syntax.cache_clear()
    forget()


@lru_cache(maxsize=1 << 15)
def _syntax(text: str) -> tuple[Token, ...]:
    """The syntax of a text, from its one scan (`generator.text.text_scan`); kept beyond the scans, which a build
    drops after its check: the render needs only this (who links to whom, citation numbers)."""
    from generator.text.text_scan import text_scan  # it reads the parse, whose tokens are this module's classes

    return cast(tuple[Token, ...], text_scan(text).syntax)


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
    """Text fields shown as they are (no inline syntax) where a dose or an error-prone abbreviation could
    still be written (a route "SC" is P209 like one in prose)."""
    yield ("title",), doc.title
    for index, regimen in enumerate(doc.regimens):
        yield ("regimens", index, "route"), str(regimen.route)
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


@dataclass(frozen=True)
class VersionScan:
    """What one version's text points at, from the one parse of each Markdown field."""

    linked_protocols: frozenset[str]  # protocol ids of its [[...]] links, itself excluded
    cited_references: frozenset[str]  # reference ids of its citations and `cite:` lists


def scan_version(doc: Any) -> VersionScan:
    """The protocols a version links to and the references it cites, as its page renders them."""
    linked: set[str] = set()
    cited: set[str] = set()
    for _path, text in markdown_fields(doc):
        for token in tokenize(text):
            if isinstance(token, CrossReference) and token.protocol and not token.error:
                linked.add(token.protocol)
            elif isinstance(token, Citation) and not token.error:
                cited.update(key.id for key in token.keys)
    for item in [*doc.regimens, *doc.phases]:
        cited.update(item.cite or [])
    linked.discard(doc.id)
    return VersionScan(frozenset(linked), frozenset(cited))


# --- placeholders ---------------------------------------------------------------------------------------


class PlaceholderError(ValueError):
    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


def word_list(items: Sequence[str], conjunction: str = "or") -> str:
    """ "a", "a or b", "a, b or c": the one joiner of messages and pages."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


def _regimen_value(regimen: Any, field: str, drugs: Mapping[str, Any] | None) -> str | None:
    if field == "dose_range":
        return None if regimen.dose_range is None else format_range(regimen.dose_range.min, regimen.dose_range.max)
    if field == "options":
        return word_list([format_quantity(q) for q in regimen.options]) if regimen.options else None
    if field == "duration":
        return None if regimen.duration is None else format_length(regimen.duration)
    if field == "route":
        return str(regimen.route)
    if field == "drug":
        return drug_name(regimen, drugs)
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
            "use the id of one of this version's regimens or phases ("
            + (", ".join(excerpt(i, quoted=False) for i in ids) or "none defined")
            + ")",
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

