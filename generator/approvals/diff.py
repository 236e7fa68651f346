"""What changed between two versions of a protocol: dosing first, then text, then references.

Pure: `diff_versions` returns data (the render code shows it as a page, `format_diff_text` for the
terminal). Dosing fields are compared as values (0.5 mg/kg against 0.50 mg/kg is no change) and
shown through the one number formatter of `generator.model.quantity`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Any, Literal

from generator.load.library import Library, VersionFile
from generator.model.frequency import Frequency
from generator.model.quantity import Quantity, format_length, format_range
from generator.model.schema import DoseRange, Phase, Regimen, VersionDoc, drug_name
from generator.text.inline import anchor, scan_version

REGIMEN_DOSING_FIELDS = (
    "drug", "route", "dose", "dose_range", "options", "max_dose", "duration", "concentration", "unit_dose", "rounding",
)
PHASE_DOSING_FIELDS = ("regimen", "frequency", "length", "doses")
NONE_SHOWN = "(none)"

Op = Literal["equal", "insert", "delete"]
ItemKind = Literal["regimen", "phase"]


@dataclass(frozen=True)
class DoseChange:
    """One dosing field of a regimen or phase that changed, or a regimen or phase added or removed.

    `field` is "" for a whole item added or removed; `old`/`new` are the values as shown ("" for the
    side that does not exist). Indexes point into the old and new version's `regimens`/`phases`.
    """

    kind: ItemKind
    id: str
    field: str
    old: str
    new: str
    change: Literal["changed", "added", "removed"] = "changed"
    old_index: int | None = None
    new_index: int | None = None

    @property
    def anchor(self) -> str:
        """The id of the regimen or phase on a protocol page: "regimen-ketamine-iv"."""
        return anchor(self.kind, self.id)

    @property
    def text(self) -> str:
        """"0.5 mg/kg -> 0.6 mg/kg", "added: ...", "removed: ..."."""
        if self.change == "added":
            return f"added: {self.new}"
        if self.change == "removed":
            return f"removed: {self.old}"
        return f"{self.old} -> {self.new}"


@dataclass(frozen=True)
class TextChange:
    """A Markdown field that differs, as a word-level diff; joining equal+delete gives the old text."""

    field: str  # data-like key: "summary", "sections.safety.body", "regimens.ketamine-iv.notes", "algorithm"
    label: str  # for people: "summary", "section safety: body", "regimen ketamine-iv: notes", "algorithm"
    ops: list[tuple[Op, str]]


@dataclass(frozen=True)
class VersionDiff:
    protocol_id: str
    old_version: str
    new_version: str
    dose_changes: list[DoseChange] = field(default_factory=list)
    text_changes: list[TextChange] = field(default_factory=list)
    references_added: list[str] = field(default_factory=list)
    references_removed: list[str] = field(default_factory=list)

    def target(self, change: DoseChange) -> tuple[str, str]:
        """Where a dose change's item is shown: (version, anchor on its page); a removed item in the old
        version, any other in the new one."""
        return (self.old_version if change.change == "removed" else self.new_version), change.anchor

    @property
    def empty(self) -> bool:
        return not (self.dose_changes or self.text_changes or self.references_added or self.references_removed)


# --- dosing -------------------------------------------------------------------------------------------


def format_value(value: Any) -> str:
    """A dosing field as people read it: "0.5 mg/kg", "0.1 to 0.75 mg/kg", "3 times per week"."""
    if value is None:
        return NONE_SHOWN
    if isinstance(value, Quantity):
        return format_length(value)
    if isinstance(value, DoseRange):
        return format_range(value.min, value.max)
    if isinstance(value, Frequency):
        return value.in_words()
    if isinstance(value, list):
        return ", ".join(format_value(item) for item in value) or NONE_SHOWN
    return str(value)


def _drug_name(regimen: Regimen, library: Library | None) -> str:
    return drug_name(regimen, library.drugs if library is not None else None)


def _describe_regimen(regimen: Regimen, library: Library | None) -> str:
    text = f"{_drug_name(regimen, library)} {format_value(regimen.dose)} {regimen.route}"
    return text + (f" over {format_value(regimen.duration)}" if regimen.duration else "")


def _regimen_label(regimen_id: str, doc: VersionDoc, library: Library | None) -> str:
    """A phase's regimen as a reader sees it: named by drug and route, never by its id (the id if unknown)."""
    regimen = next((r for r in doc.regimens if r.id == regimen_id), None)
    return f"{_drug_name(regimen, library)} {regimen.route}" if regimen is not None else regimen_id


def _describe_phase(phase: Phase, doc: VersionDoc, library: Library | None) -> str:
    text = f"{phase.name}: {_regimen_label(phase.regimen, doc, library)} {format_value(phase.frequency)}"
    return text + (f" for {format_value(phase.length)}" if phase.length else "")


def _phase_value(doc: VersionDoc, library: Library | None) -> Any:
    """How a phase field of `doc` is shown: its regimen by `_regimen_label`, any other by `format_value`."""
    return lambda name, value: _regimen_label(value, doc, library) if name == "regimen" else format_value(value)


def _item_changes(kind: ItemKind, old: list[Any], new: list[Any], fields: tuple[str, ...],
                  describe: Any, show_old: Any = None, show_new: Any = None) -> Iterator[DoseChange]:
    show_old = show_old or (lambda name, value: format_value(value))
    show_new = show_new or (lambda name, value: format_value(value))
    old_by_id = {item.id: index for index, item in enumerate(old)}
    new_ids = {item.id for item in new}
    for new_index, item in enumerate(new):
        old_index = old_by_id.get(item.id)
        if old_index is None:
            yield DoseChange(kind, item.id, "", "", describe(item), "added", None, new_index)
            continue
        for name in fields:
            before, after = getattr(old[old_index], name), getattr(item, name)
            if before != after:
                yield DoseChange(kind, item.id, name, show_old(name, before), show_new(name, after), "changed",
                                 old_index, new_index)
    for old_index, item in enumerate(old):
        if item.id not in new_ids:
            yield DoseChange(kind, item.id, "", describe(item), "", "removed", old_index, None)


def dosing_changes(old: VersionDoc, new: VersionDoc, library: Library | None = None) -> list[DoseChange]:
    """Every dosing field of §4 (P404) that differs, regimens first, in the new version's order."""
    return [
        *_item_changes("regimen", old.regimens, new.regimens, REGIMEN_DOSING_FIELDS,
                       lambda r: _describe_regimen(r, library)),
        *_item_changes("phase", old.phases, new.phases, PHASE_DOSING_FIELDS,
                       lambda p: _describe_phase(p, new if p in new.phases else old, library),
                       _phase_value(old, library), _phase_value(new, library)),
    ]


# --- text ---------------------------------------------------------------------------------------------

_TOKEN = re.compile(r"\s+|\S+")


def _merge(ops: Iterable[tuple[Op, str]]) -> list[tuple[Op, str]]:
    merged: list[tuple[Op, str]] = []
    for op, text in ops:
        if not text:
            continue
        if merged and merged[-1][0] == op:
            merged[-1] = (op, merged[-1][1] + text)
        else:
            merged.append((op, text))
    return merged


def _fold(group: list[tuple[Op, str]]) -> list[tuple[Op, str]]:
    """A run of changes with only spaces between: one deletion, then one insertion, when it has both."""
    kinds = {op for op, _ in group}
    if not {"delete", "insert"} <= kinds:
        return group
    deleted = "".join(text for op, text in group if op != "insert")
    inserted = "".join(text for op, text in group if op != "delete")
    return [("delete", deleted), ("insert", inserted)]


def word_diff(old: str, new: str) -> list[tuple[Op, str]]:
    """Word-level diff as (op, text) pieces: "equal", "delete" (old only), "insert" (new only)."""
    a, b = _TOKEN.findall(old), _TOKEN.findall(new)
    raw: list[tuple[Op, str]] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            raw.append(("equal", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            raw.append(("delete", "".join(a[i1:i2])))
        if j2 > j1:
            raw.append(("insert", "".join(b[j1:j2])))
    result: list[tuple[Op, str]] = []
    group: list[tuple[Op, str]] = []
    for position, (op, text) in enumerate(raw):
        followed_by_change = position + 1 < len(raw) and raw[position + 1][0] != "equal"
        if op != "equal" or (group and not text.strip() and followed_by_change):
            group.append((op, text))
            continue
        result += _fold(group) + [(op, text)]
        group = []
    return _merge(result + _fold(group))


def _markdown_fields(doc: VersionDoc) -> dict[str, tuple[str, str]]:
    """Every Markdown field compared by the diff: key -> (label, text)."""
    fields: dict[str, tuple[str, str]] = {"title": ("title", doc.title), "summary": ("summary", doc.summary)}
    for regimen in doc.regimens:
        fields[f"regimens.{regimen.id}.notes"] = (f"regimen {regimen.id}: notes", regimen.notes or "")
    for phase in doc.phases:
        fields[f"phases.{phase.id}.notes"] = (f"phase {phase.id}: notes", phase.notes or "")
    for section in doc.sections:
        fields[f"sections.{section.id}.title"] = (f"section {section.id}: title", section.title)
        fields[f"sections.{section.id}.body"] = (f"section {section.id}: body", section.body)
    fields["algorithm"] = ("algorithm", "\n".join(doc.algorithm))
    return fields


def text_changes(old: VersionDoc, new: VersionDoc) -> list[TextChange]:
    """Changed Markdown fields in the new version's order, then those only the old version had."""
    old_fields, new_fields = _markdown_fields(old), _markdown_fields(new)
    changes = []
    for key in [*new_fields, *(k for k in old_fields if k not in new_fields)]:
        label, after = new_fields.get(key, (old_fields.get(key, ("", ""))[0], ""))
        before = old_fields.get(key, ("", ""))[1]
        if before != after:
            changes.append(TextChange(key, label, word_diff(before, after)))
    return changes


# --- references ---------------------------------------------------------------------------------------

def references_used(doc: VersionDoc) -> set[str]:
    """Every reference a version cites where its page shows a citation, and in `cite:` lists."""
    return set(scan_version(doc).cited_references)


def diff_versions(old: VersionFile, new: VersionFile, library: Library | None = None,
                  dose_changes: list[DoseChange] | None = None) -> VersionDiff:
    """`dose_changes`: `dosing_changes(old.doc, new.doc, library)` when the caller has them already."""
    old_refs, new_refs = references_used(old.doc), references_used(new.doc)
    return VersionDiff(
        protocol_id=new.id,
        old_version=old.version,
        new_version=new.version,
        dose_changes=dose_changes if dose_changes is not None else dosing_changes(old.doc, new.doc, library),
        text_changes=text_changes(old.doc, new.doc),
        references_added=sorted(new_refs - old_refs),
        references_removed=sorted(old_refs - new_refs),
    )


# --- terminal -----------------------------------------------------------------------------------------

CONTEXT_WORDS = 8


def _shorten(text: str, keep_head: bool, keep_tail: bool) -> str:
    """An unchanged stretch with its middle elided, keeping CONTEXT_WORDS words beside each change."""
    tokens = _TOKEN.findall(text)
    words = sum(1 for token in tokens if token.strip())
    if words <= CONTEXT_WORDS * (keep_head + keep_tail) + 2:
        return text

    def take(parts: list[str]) -> list[str]:
        kept, count = [], 0
        for token in parts:
            count += bool(token.strip())
            if count > CONTEXT_WORDS:
                break
            kept.append(token)
        return kept

    head = "".join(take(tokens)) if keep_head else ""
    tail = "".join(reversed(take(list(reversed(tokens))))) if keep_tail else ""
    return f"{head}...{tail}"


def format_ops(ops: list[tuple[Op, str]]) -> str:
    """[-deleted-] {+inserted+}, long unchanged stretches shortened."""
    pieces = []
    for index, (op, text) in enumerate(ops):
        if op == "delete":
            pieces.append(f"[-{text}-]")
        elif op == "insert":
            pieces.append(f"{{+{text}+}}")
        else:
            pieces.append(_shorten(text, keep_head=index > 0, keep_tail=index < len(ops) - 1))
    return "".join(pieces)


def _table(rows: list[tuple[str, str, str]]) -> list[str]:
    widths = [max(len(row[column]) for row in rows) for column in range(2)]
    return [f"  {a.ljust(widths[0])}  {b.ljust(widths[1])}  {c}".rstrip() for a, b, c in rows]


def format_diff_text(diff: VersionDiff) -> str:
    lines = [f"{diff.protocol_id} {diff.old_version} -> {diff.new_version}", ""]
    if diff.dose_changes:
        lines.append("Dosing changes:")
        header = ("item", "field", "change")
        rows = [(f"{c.kind} {c.id}", c.field or "-", c.text) for c in diff.dose_changes]
        lines += _table([header, *rows])
    else:
        lines.append("Dosing changes: none")
    lines.append("")
    if diff.text_changes:
        lines.append("Text changes:")
        for change in diff.text_changes:
            lines.append(f"  {change.label}:")
            lines += [f"    {line}".rstrip() for line in format_ops(change.ops).split("\n")]
    else:
        lines.append("Text changes: none")
    lines.append("")
    lines.append("References added: " + (", ".join(diff.references_added) or "none"))
    lines.append("References removed: " + (", ".join(diff.references_removed) or "none"))
    return "\n".join(lines) + "\n"
