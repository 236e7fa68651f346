"""Rules over protocol prose, from one parse of each Markdown field (`generator.text.markdown`): P501 (raw
HTML), P305 (link destinations), P503 (images), P304 (placeholders), and on the text as a reader sees it
P208 (doses in prose), P209 and P109 (notation). Every Markdown field of every version (drafts too), the
text fields a dose could be written in (titles, phase names), and the Markdown of drugs.yaml and
handbooks.yaml.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.checks import CheckContext
from generator.diagnostics import DataPath, Diagnostic, format_path
from generator.load.library import Library
from generator.load.yaml_source import SourceFile
from generator.model.quantity import Quantity
from generator.text import markdown
from generator.text.inline import (
    Placeholder,
    PlaceholderError,
    TextScans,
    library_markdown_fields,
    markdown_fields,
    plain_text_fields,
    render_placeholder,
    tokenize,
)
from generator.text.markdown_rules import asset_exists, markup_findings
from generator.text.prose_findings import (
    Finding,
    ProseQuantity,
    abbreviation_findings,
    data_quantities,
    prose_quantities,
    quantities_findings,
)
from generator.text.reader_text import ReaderRun, plain_run, reader_runs


def _diagnostic(source: SourceFile, path: DataPath, finding: Finding) -> Diagnostic:
    return Diagnostic(finding.code, finding.message, source.text_at(path, finding.offset), format_path(path),
                      finding.hint)


@dataclass(frozen=True)
class _FieldScan:
    """What one Markdown text says whichever version it is in (versions repeat most of their prose)."""

    markup: tuple[Finding, ...]  # P501, P305, P503
    placeholders: tuple[Placeholder, ...]
    runs: tuple[ReaderRun, ...]  # the reader's text, placeholders as slots
    quantities: tuple[tuple[ProseQuantity, ...], ...] | None  # per run when no run has a placeholder
    abbreviations: tuple[Finding, ...] | None  # P209, likewise
    # with placeholders: the same per the values they show (versions repeat them too)
    filled: dict[tuple[str, ...], tuple[tuple[tuple[ProseQuantity, ...], ...], tuple[Finding, ...]]] = field(
        default_factory=dict)

    def read(self, doc: Any | None, drugs: Any) -> tuple[tuple[tuple[ProseQuantity, ...], ...], tuple[Finding, ...]]:
        """The quantities and abbreviations of the reader's text with `doc`'s placeholder values."""
        if self.quantities is not None and self.abbreviations is not None:
            return self.quantities, self.abbreviations
        values = tuple(_placeholder_value(token, doc, drugs) for token in self.placeholders)
        if values not in self.filled:
            runs = [run.filled(doc, drugs) for run in self.runs]
            self.filled[values] = (tuple(prose_quantities(run) for run in runs),
                                   tuple(finding for run in runs for finding in abbreviation_findings(run)))
        return self.filled[values]


def _placeholder_value(token: Placeholder, doc: Any | None, drugs: Any) -> str:
    if doc is None or token.error:
        return ""
    try:
        return render_placeholder(doc, token.target, token.field, drugs)
    except PlaceholderError:
        return ""


def _scan_markdown(text: str, root: Path) -> _FieldScan:
    """What a Markdown text says, whichever version it is in (images are looked for under `root`)."""
    parsed = markdown.parsed(text)
    runs = reader_runs(parsed)
    fixed = not any(run.placeholders for run in runs)
    return _FieldScan(
        tuple(markup_findings(parsed, lambda name: asset_exists(root, name))),
        # tokenize: the syntax is cached for the other rule families (the parse itself is not kept)
        tuple(token for token in tokenize(text) if isinstance(token, Placeholder)),
        () if fixed else runs,  # kept only to fill placeholders in
        tuple(prose_quantities(run) for run in runs) if fixed else None,
        tuple(finding for run in runs for finding in abbreviation_findings(run)) if fixed else None,
    )


def _scan_plain_text(text: str) -> tuple[tuple[ProseQuantity, ...], tuple[Finding, ...]]:
    run = plain_run(text)
    return prose_quantities(run), tuple(abbreviation_findings(run))


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


def markdown_findings(text: str, doc: Any | None, drugs: Any, where: str = "", root: Path | None = None,
                      also: tuple[tuple[str, Quantity], ...] = (), scans: TextScans | None = None) -> Iterator[Finding]:
    """Every prose finding of one Markdown field; `doc` is the version it belongs to (None in library
    files), `root` the protocols folder (for images under _assets/), `also` more quantities a dose may
    equal (the previous version's, in `changes`), `scans` the run's scans of texts."""
    scan = (scans or TextScans()).get(_scan_markdown, text, root or Path("protocols"))
    found = [*scan.markup]
    found += _placeholder_findings(scan.placeholders, doc, drugs, where)
    quantities, abbreviations = scan.read(doc, drugs)
    for run_quantities in quantities:
        found += quantities_findings(run_quantities, doc, also)
    found += abbreviations
    return iter(sorted(found, key=lambda finding: finding.offset))


def _version_diagnostics(source: SourceFile, doc: Any, previous: Any | None, library: Library,
                         scans: TextScans) -> Iterator[Diagnostic]:
    before = tuple(data_quantities(previous)) if previous is not None else ()
    for path, text in markdown_fields(doc):
        also = before if path[0] == "changes" else ()
        for finding in markdown_findings(text, doc, library.drugs, root=library.root, also=also, scans=scans):
            yield _diagnostic(source, path, finding)
    for path, text in plain_text_fields(doc):
        quantities, abbreviations = scans.get(_scan_plain_text, text)
        for finding in sorted([*quantities_findings(quantities, doc), *abbreviations], key=lambda f: f.offset):
            yield _diagnostic(source, path, finding)


def check(library: Library, context: CheckContext) -> Iterator[Diagnostic]:
    for protocol in library.protocols.values():
        previous = None
        for version in protocol.ordered():
            yield from _version_diagnostics(version.source, version.doc, previous, library, context.scans)
            previous = version.doc
    for file_name, path, text in library_markdown_fields(library):
        source = library.source("_library", file_name)
        if source is None:
            continue
        for finding in markdown_findings(text, None, library.drugs, file_name, root=library.root,
                                         scans=context.scans):
            yield _diagnostic(source, path, finding)
