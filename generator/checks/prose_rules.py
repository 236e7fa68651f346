"""Rules over protocol prose, from one parse of each Markdown field (`generator.text.markdown`): P501 (raw
HTML), P305 (link destinations), P503 (images), P304 (placeholders), and on the text as a reader sees it
P208 (doses in prose), P209 and P109 (notation). Every Markdown field of every version (drafts too), the
text fields a dose could be written in (titles, phase names), and the Markdown of drugs.yaml and
handbooks.yaml.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

from generator.checks import CheckContext
from generator.diagnostics import DataPath, Diagnostic, format_path
from generator.load.library import Library
from generator.load.yaml_source import SourceFile
from generator.model.quantity import Quantity
from generator.text.inline import (
    Placeholder,
    PlaceholderError,
    library_markdown_fields,
    markdown_fields,
    plain_text_fields,
    render_placeholder,
)
from generator.text.markdown_rules import asset_exists
from generator.text.prose_findings import (
    Finding,
    ProseQuantity,
    abbreviation_findings,
    data_quantities,
    prose_quantities,
    quantities_findings,
)
from generator.text.reader_text import BREAK, plain_run
from generator.text.text_scan import reader_findings, text_scan


def _diagnostic(source: SourceFile, path: DataPath, finding: Finding) -> Diagnostic:
    return Diagnostic(finding.code, finding.message, source.text_at(path, finding.offset), format_path(path),
                      finding.hint)


@lru_cache(maxsize=1 << 12)
def _plain_text_scan(text: str) -> tuple[tuple[ProseQuantity, ...], tuple[Finding, ...]]:
    run = plain_run(text)
    return prose_quantities(run), tuple(abbreviation_findings(run))


class _PlaceholderValues:
    """What each `{{ id.field }}` of one version shows, rendered once for all the version's fields (a version's
    texts name the same few values again and again)."""

    def __init__(self, doc: Any | None, drugs: Any) -> None:
        self.doc, self.drugs = doc, drugs
        self.rendered: dict[tuple[str, str], str | PlaceholderError] = {}

    def value(self, token: Placeholder) -> str | PlaceholderError:
        key = (token.target, token.field)
        if key not in self.rendered:
            try:
                self.rendered[key] = render_placeholder(self.doc, token.target, token.field, self.drugs)
            except PlaceholderError as error:
                self.rendered[key] = error
        return self.rendered[key]

    def shown(self, token: Placeholder) -> str:
        """The placeholder as the reader's text shows it (`reader_text.placeholder_text`)."""
        if self.doc is None or token.error:
            return BREAK
        value = self.value(token)
        return BREAK if isinstance(value, PlaceholderError) else value


def _placeholder_findings(placeholders: tuple[Placeholder, ...], values: _PlaceholderValues, where: str
                          ) -> Iterator[Finding]:
    for token in placeholders:
        if token.error:
            yield Finding("P304", token.start, token.error)
        elif values.doc is None:
            yield Finding("P304", token.start, f"placeholder {token.raw} in {where}: placeholders name a "
                          "regimen or phase of a version", "write the value out, or move the text into a protocol")
        else:
            value = values.value(token)
            if isinstance(value, PlaceholderError):
                yield Finding("P304", token.start, value.message, value.hint)


def markdown_findings(text: str, doc: Any | None, drugs: Any, where: str = "", root: Path | None = None,
                      also: tuple[tuple[str, Quantity], ...] = (), values: _PlaceholderValues | None = None
                      ) -> Iterator[Finding]:
    """Every prose finding of one Markdown field; `doc` is the version it belongs to (None in library
    files), `root` the protocols folder (for images under _assets/), `also` more quantities a dose may
    equal (the previous version's, in `changes`), `values` the version's placeholder values if already
    rendered for its other fields."""
    scan = text_scan(text)
    folder = root or Path("protocols")
    values = values if values is not None else _PlaceholderValues(doc, drugs)
    found = scan.markup.findings_in(lambda name: asset_exists(folder, name))
    found += _placeholder_findings(scan.placeholders, values, where)
    quantities, abbreviations = reader_findings(text, tuple(values.shown(token) for token in scan.slots))
    for run_quantities in quantities:
        found += quantities_findings(run_quantities, doc, also)
    found += abbreviations
    return iter(sorted(found, key=lambda finding: finding.offset))


def _version_diagnostics(source: SourceFile, doc: Any, previous: Any | None, library: Library) -> Iterator[Diagnostic]:
    before = tuple(data_quantities(previous)) if previous is not None else ()
    values = _PlaceholderValues(doc, library.drugs)
    for path, text in markdown_fields(doc):
        also = before if path[0] == "changes" else ()
        for finding in markdown_findings(text, doc, library.drugs, root=library.root, also=also, values=values):
            yield _diagnostic(source, path, finding)
    for path, text in plain_text_fields(doc):
        quantities, abbreviations = _plain_text_scan(text)
        for finding in sorted([*quantities_findings(quantities, doc), *abbreviations], key=lambda f: f.offset):
            yield _diagnostic(source, path, finding)


def check(library: Library, context: CheckContext) -> Iterator[Diagnostic]:
    for protocol in library.protocols.values():
        previous = None
        for version in protocol.ordered():
            yield from _version_diagnostics(version.source, version.doc, previous, library)
            previous = version.doc
    for file_name, path, text in library_markdown_fields(library):
        source = library.source("_library", file_name)
        if source is None:
            continue
        for finding in markdown_findings(text, None, library.drugs, file_name, root=library.root):
            yield _diagnostic(source, path, finding)
