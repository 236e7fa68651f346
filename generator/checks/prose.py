"""Rules over protocol prose: P208 (doses in prose), P209 and P109 (notation), P304 (placeholders),
P501 (raw HTML). Every Markdown field of every version (drafts too), the text fields a dose could be
written in (titles, phase names), and the Markdown of drugs.yaml and handbooks.yaml.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from generator.checks import CheckContext
from generator.diagnostics import DataPath, Diagnostic, format_path
from generator.inline import (
    Placeholder,
    PlaceholderError,
    Span,
    Verbatim,
    code_spans,
    inside,
    library_markdown_fields,
    link_destinations,
    markdown_fields,
    plain_text_fields,
    render_placeholder,
    scanned,
    tokenize,
)
from generator.library import Library
from generator.loader import SourceFile
from generator.prose import (
    Finding,
    ProseQuantity,
    abbreviation_findings,
    html_findings,
    prose_quantities,
    quantities_findings,
)


def _diagnostic(source: SourceFile, path: DataPath, finding: Finding) -> Diagnostic:
    return Diagnostic(finding.code, finding.message, source.text_at(path, finding.offset), format_path(path),
                      finding.hint)


@dataclass(frozen=True)
class _FieldScan:
    """What one Markdown text says whichever version it is in (versions repeat most of their prose)."""

    html: tuple[Finding, ...]  # P501 raw HTML, attribute lists, unsafe links
    verbatim_links: tuple[Finding, ...]  # P501 verbatim text in a link address
    placeholders: tuple[Placeholder, ...]
    quantities: tuple[ProseQuantity, ...]
    abbreviations: tuple[Finding, ...]  # P209


def _scan_markdown(text: str) -> _FieldScan:
    tokens = tokenize(text)
    token_spans = [(t.start, t.end) for t in tokens]
    destinations = link_destinations(text)
    exempt = token_spans + destinations
    return _FieldScan(
        tuple(html_findings(text, [*scanned(text, code_spans), *token_spans])),
        tuple(_verbatim_link_findings(text, tokens, destinations)),
        tuple(token for token in tokens if isinstance(token, Placeholder)),
        prose_quantities(text, exempt),
        tuple(abbreviation_findings(text, exempt)),
    )


def _scan_plain_text(text: str) -> tuple[tuple[ProseQuantity, ...], tuple[Finding, ...]]:
    return prose_quantities(text, []), tuple(abbreviation_findings(text, []))


def _placeholder_findings(
    placeholders: tuple[Placeholder, ...], doc: Any | None, drugs: Any, where: str
) -> Iterator[Finding]:
    for token in placeholders:
        if token.error:
            yield Finding("P304", token.start, token.error)
        elif doc is None:
            yield Finding("P304", token.start, f"placeholder {token.raw} in {where}: placeholders name a "
                          "regimen or phase of a version", "write the value out, or move the text into a protocol")
        else:
            try:
                render_placeholder(doc, token.target, token.field, drugs)
            except PlaceholderError as error:
                yield Finding("P304", token.start, error.message, error.hint)


def _verbatim_link_findings(text: str, tokens: list[Any], destinations: list[Span]) -> Iterator[Finding]:
    """P501: verbatim text is shown as written, so in a link address it could carry a javascript: URL."""
    for token in tokens:
        if isinstance(token, Verbatim) and (inside(token.start, destinations) or text[:token.start].endswith("<")):
            yield Finding("P501", token.start, f"verbatim text {token.raw} in a link address",
                          "write the address itself: [text](https://...)")


def markdown_findings(text: str, doc: Any | None, drugs: Any, where: str = "") -> Iterator[Finding]:
    """Every prose finding of one Markdown field; `doc` is the version it belongs to (None in library files)."""
    scan = scanned(text, _scan_markdown)
    yield from scan.html
    yield from scan.verbatim_links
    yield from _placeholder_findings(scan.placeholders, doc, drugs, where)
    yield from quantities_findings(scan.quantities, doc)
    yield from scan.abbreviations


def _version_diagnostics(source: SourceFile, doc: Any, library: Library) -> Iterator[Diagnostic]:
    for path, text in markdown_fields(doc):
        for finding in markdown_findings(text, doc, library.drugs):
            yield _diagnostic(source, path, finding)
    for path, text in plain_text_fields(doc):
        quantities, abbreviations = scanned(text, _scan_plain_text)
        for finding in [*quantities_findings(quantities, doc), *abbreviations]:
            yield _diagnostic(source, path, finding)


def check(library: Library, context: CheckContext) -> Iterator[Diagnostic]:
    for protocol in library.protocols.values():
        for version in protocol.ordered():
            yield from _version_diagnostics(version.source, version.doc, library)
    for file_name, path, text in library_markdown_fields(library):
        source = library.source("_library", file_name)
        if source is None:
            continue
        for finding in markdown_findings(text, None, library.drugs, file_name):
            yield _diagnostic(source, path, finding)
