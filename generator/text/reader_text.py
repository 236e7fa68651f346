"""The text of a Markdown field as a reader sees it, for P208 and P209 (format §5).

From the parse (`generator.text.markdown`), never from the source: Markdown formatting is gone (`**50** mg`
reads "50 mg"), entities and escapes are decoded (`5&#48; mg`), every character is NFKC-normalised,
a digit of any script is its ASCII digit, any space character is a space, and invisible characters
(format controls such as a zero-width space or a direction override) are dropped, so that they cannot
split a number from its unit. Each character keeps the field offset it came from, so a finding points
at the source. Placeholders stay slots until a version's data fills them (`ReaderRun.filled`).
"""

from __future__ import annotations

import bisect
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, overload

from markdown_it.token import Token

from generator.text.inline import Placeholder, PlaceholderError, render_placeholder
from generator.text.markdown import NOWHERE, Parsed, Placement

TEXT, VERBATIM, DATA, SLOT = "t", "v", "d", "\ue000"
BREAK = "\ufffc"  # something that is not text stands here (an image, a citation's superscript number)


@lru_cache(maxsize=4096)
def read_char(char: str) -> str:
    """One character as a reader reads it."""
    if char in "\t\n\r\x0b\x0c":
        return " "
    category = unicodedata.category(char)
    if category in ("Cf", "Cc"):
        return ""
    if category == "Zs":
        return " "
    digit = unicodedata.decimal(char, None)
    if digit is not None:
        return str(digit)
    if char == "µ":  # the micro sign stays as written (NFKC makes it a Greek mu): P109 quotes it
        return char
    return unicodedata.normalize("NFKC", char)


@dataclass(frozen=True)
class ReaderRun:
    """The reader's text of one block (a paragraph, heading, table cell row, code block)."""

    text: str
    origins: Origins  # field offset of each character, worked out when asked for
    kinds: str  # per character: TEXT, VERBATIM, or SLOT (a placeholder, see `placeholders`)
    placeholders: tuple[Placeholder, ...] = ()

    def filled(self, doc: Any | None, drugs: Mapping[str, Any] | None) -> ReaderRun:
        """Each placeholder slot replaced by the text the page shows for it in `doc` (kind DATA)."""
        return self.filled_with(tuple(placeholder_text(token, doc, drugs) for token in self.placeholders))

    def filled_with(self, values: Sequence[str]) -> ReaderRun:
        """Each placeholder slot replaced by its value (`placeholder_text`), in order (kind DATA)."""
        if not self.placeholders:
            return self
        builder = _Builder()
        position = 0
        for token, value in zip(self.placeholders, values, strict=True):
            index = self.kinds.index(SLOT, position)
            builder.copy(self, position, index)
            position = index + 1
            builder.add(value, token.start, DATA, step=0)
        builder.copy(self, position, len(self.text))
        return builder.run()


def placeholder_text(token: Placeholder, doc: Any | None, drugs: Mapping[str, Any] | None) -> str:
    """What a reader sees for a placeholder in `doc`: its value, or BREAK where it shows none (an error, or
    text with no version)."""
    if doc is None or token.error:
        return BREAK
    try:
        return render_placeholder(doc, token.target, token.field, drugs)
    except PlaceholderError:
        return BREAK


class Origins(Sequence[int]):
    """The field offset of each character of a reader's run, worked out only when asked for (a quantity's or a
    finding's location): most characters are never asked for theirs.

    The run is cut into segments (anchor, shift, step, source); character i of the segment starting at
    `start` comes from
    - anchor + shift + step * (i - start) when the source is None (the anchor is a field offset);
    - placement.offset(anchor) + shift + step * (i - start) when the source is the block's placement (the
      anchor is a position in the block's inline source);
    - placement.offset(anchor + i - start) when the source is `EachPlaced` (a code block's text, whose lines
      start at different columns);
    - origins[anchor + i - start] when the source is another run's origins (a run with its slots filled)."""

    __slots__ = ("_starts", "_segments", "_length")

    def __init__(self, starts: list[int], segments: list[Segment], length: int) -> None:
        self._starts = starts
        self._segments = segments
        self._length = length

    def __len__(self) -> int:
        return self._length

    @overload
    def __getitem__(self, index: int) -> int: ...

    @overload
    def __getitem__(self, index: slice) -> list[int]: ...

    def __getitem__(self, index: int | slice) -> int | list[int]:
        if isinstance(index, slice):
            return [self[position] for position in range(*index.indices(self._length))]
        if index < 0:
            index += self._length
        if not 0 <= index < self._length:
            raise IndexError("reader's run index out of range")
        segment = bisect.bisect_right(self._starts, index) - 1
        anchor, shift, step, source = self._segments[segment]
        along = index - self._starts[segment]
        if source is None:
            return anchor + shift + step * along
        if isinstance(source, Placement):
            return source.offset(anchor) + shift + step * along
        if isinstance(source, EachPlaced):
            return source.placement.offset(anchor + along)
        return source[anchor + along]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and list(self) == list(other)

    __hash__ = None  # type: ignore[assignment]


@dataclass(frozen=True)
class EachPlaced:
    """Segment source of a code block's characters: each placed on its own (see Origins)."""

    placement: Placement


Segment = tuple[int, int, int, "Placement | EachPlaced | Origins | None"]  # anchor, shift, step, source (Origins)


class _Builder:
    def __init__(self, placement: Placement | None = None) -> None:
        self.placement = placement  # of the block whose inline source positions anchor its segments
        self.chars: list[str] = []
        self.kinds: list[str] = []
        self.starts: list[int] = []
        self.segments: list[Segment] = []
        self.length = 0
        self.placeholders: list[Placeholder] = []

    def _segment(self, length: int, anchor: int, shift: int = 0, step: int = 1,
                 source: Placement | EachPlaced | Origins | None = None) -> None:
        self.starts.append(self.length)
        self.segments.append((anchor, shift, step, source))
        self.length += length

    def append(self, char: str, anchor: int, kind: str) -> None:
        """One character from inline-source position `anchor` of the builder's block."""
        self.chars.append(char)
        self.kinds.append(kind)
        self._segment(1, anchor, 0, 0, self.placement)

    def copy(self, run: ReaderRun, start: int, end: int) -> None:
        """Characters start to end of another run, from where they came from there."""
        if start < end:
            self.chars.append(run.text[start:end])
            self.kinds.append(run.kinds[start:end])
            self._segment(end - start, start, 0, 1, run.origins)

    def add(self, text: str, anchor: int, kind: str, step: int = 1, shift: int = 0) -> None:
        """`text` as read; its character i comes from where(anchor) + shift + step * i, where(anchor) being the
        placement of inline-source position `anchor` in the builder's block (the anchor itself, a field offset,
        for a builder with no block); step 0: every character from there. Characters that read as nothing
        are dropped; one that reads as several gives each of them the origin of the character it reads."""
        if not text:
            return
        placement = self.placement
        if text.isascii() and text.isprintable():  # most text: one segment, read as written (_segment inlined)
            self.chars.append(text)
            self.kinds.append(kind * len(text))
            self.starts.append(self.length)
            self.segments.append((anchor, shift, step, placement))
            self.length += len(text)
            return
        if not step:
            read = "".join(read_char(char) for char in text)
            if read:
                self.chars.append(read)
                self.kinds.append(kind * len(read))
                self._segment(len(read), anchor, shift, 0, placement)
            return
        self._add_read(text, kind, lambda index, one: (anchor, shift + index, one, placement))

    def add_placed(self, text: str) -> None:
        """A code block's text as written: character i from the placement of its position i, one segment per
        stretch of characters that read as one character each (not one per character: a block may be long)."""
        placement = self.placement or NOWHERE
        each = EachPlaced(placement)
        self._add_read(text, TEXT, lambda index, one: (index, 0, 1, each) if one else (index, 0, 0, placement))

    def _add_read(self, text: str, kind: str, segment_at: Callable[[int, int], Segment]) -> None:
        """`text` read character by character: one segment, `segment_at(index, 1)`, for each stretch of
        characters that read as one character each, from the stretch's first index; `segment_at(index, 0)`
        for a character that reads as several; nothing for one that reads as nothing."""
        expected = -1  # the index in `text` that continues the current stretch
        for index, char in enumerate(text):
            read = read_char(char)
            if not read:
                expected = -1
                continue
            if len(read) > 1:
                self.starts.append(self.length)
                self.segments.append(segment_at(index, 0))
                expected = -1
            elif index != expected:
                self.starts.append(self.length)
                self.segments.append(segment_at(index, 1))
                expected = index + 1
            else:
                expected += 1
            self.chars.append(read)
            self.kinds.append(kind * len(read))
            self.length += len(read)

    def slot(self, token: Placeholder) -> None:
        self.chars.append(SLOT)
        self.kinds.append(SLOT)
        self._segment(1, token.start, 0, 0, None)
        self.placeholders.append(token)

    def run(self) -> ReaderRun:
        return ReaderRun("".join(self.chars), Origins(self.starts, self.segments, self.length), "".join(self.kinds),
                         tuple(self.placeholders))


def plain_run(text: str) -> ReaderRun:
    """A text shown as written (a title): read character by character, offsets as they are."""
    builder = _Builder()
    builder.add(text, 0, TEXT)
    return builder.run()


def _inline_run(parsed: Parsed, block: Token) -> ReaderRun:
    builder = _Builder(parsed.placement(block))
    in_autolink = False  # an address shown as written: not prose
    for child in block.children or ():
        pos = int(child.meta.get("pos", 0))
        kind = child.type
        if kind == "text":
            if not in_autolink:
                builder.add(child.content, pos, TEXT)
        elif kind in ("link_open", "link_close") and child.markup == "autolink":
            in_autolink = kind == "link_open"
            builder.append(BREAK, pos, TEXT)
        elif in_autolink:
            continue
        elif kind == "text_special":  # an entity or an escape: its characters come from where it is written
            builder.add(child.content, pos, TEXT, step=0)
        elif kind in ("softbreak", "hardbreak"):
            builder.append(" ", pos, TEXT)
        elif kind == "code_inline":
            builder.add(child.content, pos + len(child.markup), TEXT)
        elif kind == "pc_placeholder":
            builder.slot(parsed.syntax_of(child))
        elif kind == "pc_verbatim":
            quote = child.content.find('"') + 1
            builder.add(child.meta["syntax"].text, pos + quote, VERBATIM)
        elif kind == "pc_xref" and child.meta["syntax"].label:
            bar = child.content.find("|") + 1
            builder.add(child.meta["syntax"].label, pos + bar, TEXT)
        elif kind in ("pc_xref", "pc_citation", "image"):
            builder.append(BREAK, pos, TEXT)
    return builder.run()


def _attribute_runs(parsed: Parsed, block: Token) -> list[ReaderRun]:
    """What a reader also sees of links and images: a link's title (on hover), an image's description."""
    runs = []
    for child in block.children or ():
        shown = []
        if child.type in ("link_open", "image") and child.attrs.get("title"):
            shown.append(str(child.attrs["title"]))
        if child.type == "image":
            shown.append("".join(grandchild.content for grandchild in child.children or ()))
        for text in shown:
            builder = _Builder(parsed.placement(block))
            builder.add(text, int(child.meta.get("pos", 0)), TEXT, step=0)
            runs.append(builder.run())
    return runs


def reader_runs(parsed: Parsed) -> tuple[ReaderRun, ...]:
    """The reader's text of every block of a field, in order (a number never joins a unit across blocks)."""
    runs = []
    for block in parsed.tokens:
        if block.type == "inline":
            runs.append(_inline_run(parsed, block))
            runs += _attribute_runs(parsed, block)
        elif block.type in ("fence", "code_block"):
            builder = _Builder(parsed.placement(block))
            builder.add_placed(block.content)  # a code block shows its text as written
            runs.append(builder.run())
    return tuple(runs)
