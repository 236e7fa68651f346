"""What the rules read of one Markdown text, all from its one parse (`generator.text.markdown`).

`text_scan(text)` parses a text once and keeps only what the rules need of it: the §5 syntax (citations,
cross-references, placeholders, verbatim text), the markup findings (P501, P305, P503), and the reader's
text judged for P208/P209/P109. Every rule family and every version that holds the same text reads the same
scan: versions of a protocol repeat most of their prose, and the fingerprint, prose, reference and
cross-reference rules all read every field. The parse itself (markdown-it's tokens, large) is not kept.

Both functions here are pure functions of their (hashable) arguments, kept by `lru_cache`; `forget()` drops
them once a run no longer needs them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from generator.text import markdown
from generator.text.inline import Placeholder
from generator.text.markdown_rules import MarkupScan, markup_scan
from generator.text.prose_findings import Finding, ProseQuantity, abbreviation_findings, prose_quantities
from generator.text.reader_text import ReaderRun, reader_runs

Quantities = tuple[tuple[ProseQuantity, ...], ...]  # per reader's run
Judged = tuple[tuple[ProseQuantity, ...], tuple[Finding, ...]]  # one run's doses, and its P209/P109 findings


@dataclass(frozen=True, eq=False)
class TextScan:
    """One text as the rules read it, whichever version it is in."""

    syntax: tuple[Any, ...]  # inline.Token: the §5 syntax in text order, in field offsets
    placeholders: tuple[Placeholder, ...]  # of the syntax: P304 judges each, shown in the reader's text or not
    markup: MarkupScan  # P501, P305, P503 (images under _assets/ judged against the folder by the caller)
    slots: tuple[Placeholder, ...]  # the placeholders of the reader's text, in order: what a version fills
    runs: tuple[ReaderRun, ...]  # the reader's text; kept only when it has slots (empty otherwise)
    quantities: Quantities  # the doses written in the reader's text, per run; empty when it has slots
    abbreviations: tuple[Finding, ...]  # P209 abbreviations and P109 spellings; empty when it has slots
    judged: tuple[Judged | None, ...] = ()  # with slots: per run, its findings when it has no slot of its own


def _judged_run(run: ReaderRun) -> Judged:
    return prose_quantities(run), tuple(abbreviation_findings(run))


def _joined(judged: list[Judged]) -> tuple[Quantities, tuple[Finding, ...]]:
    return tuple(quantities for quantities, _ in judged), tuple(finding for _, found in judged for finding in found)


@lru_cache(maxsize=1 << 15)
def text_scan(text: str) -> TextScan:
    """The scan of one Markdown text (the text's only parse in a run while it is kept)."""
    parsed = markdown.parse(text)
    syntax = parsed.syntax()
    placeholders = tuple(token for token in syntax if isinstance(token, Placeholder))
    runs = reader_runs(parsed)
    slots = tuple(token for run in runs for token in run.placeholders)
    if slots:
        judged = tuple(None if run.placeholders else _judged_run(run) for run in runs)
        return TextScan(syntax, placeholders, markup_scan(parsed), slots, runs, (), (), judged)
    quantities, abbreviations = _joined([_judged_run(run) for run in runs])
    return TextScan(syntax, placeholders, markup_scan(parsed), (), (), quantities, abbreviations)


@lru_cache(maxsize=1 << 15)
def reader_findings(text: str, values: tuple[str, ...]) -> tuple[Quantities, tuple[Finding, ...]]:
    """The doses and abbreviations of the reader's text with its slots showing `values` (one per slot, in
    order, as `reader_text.placeholder_text` gives them): a protocol's versions mostly show the same values.
    Only the runs that hold a slot are judged again; the others were judged with the scan."""
    scan = text_scan(text)
    if not scan.slots:
        return scan.quantities, scan.abbreviations
    judged, position = [], 0
    for run, kept in zip(scan.runs, scan.judged, strict=True):
        if kept is None:
            count = len(run.placeholders)
            kept = _judged_run(run.filled_with(values[position : position + count]))
            position += count
        judged.append(kept)
    return _joined(judged)


def forget() -> None:
    """Drop every kept scan: `protocols build` does once its check is done (the render reads only the syntax,
    which `inline` keeps), and everything kept of texts goes once the pages are rendered."""
    text_scan.cache_clear()
    reader_findings.cache_clear()
