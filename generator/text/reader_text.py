"""The text of a Markdown field as a reader sees it, for P208 and P209 (format §5).

From the parse (`generator.text.markdown`), never from the source: Markdown formatting is gone (`**50** mg`
reads "50 mg"), entities and escapes are decoded (`5&#48; mg`), every character is NFKC-normalised,
a digit of any script is its ASCII digit, any space character is a space, and invisible characters
(format controls such as a zero-width space or a direction override) are dropped, so that they cannot
split a number from its unit. Each character keeps the field offset it came from, so a finding points
at the source. Placeholders stay slots until a version's data fills them (`ReaderRun.filled`).
"""

from __future__ import annotations

import unicodedata
from array import array
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from markdown_it.token import Token

from generator.text.inline import Placeholder, PlaceholderError, render_placeholder
from generator.text.markdown import Parsed

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


def _plain_ascii(text: str) -> bool:
    return text.isascii() and text.isprintable()


@dataclass(frozen=True)
class ReaderRun:
    """The reader's text of one block (a paragraph, heading, table cell row, code block)."""

    text: str
    origins: Sequence[int]  # field offset of each character (an array: a field's text is long)
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
        slots = [index for index, kind in enumerate(self.kinds) if kind == SLOT]
        for index, token, value in zip(slots, self.placeholders, values, strict=True):
            builder.extend(self.text[position:index], self.origins[position:index], self.kinds[position:index])
            position = index + 1
            builder.add(value, token.start, DATA, step=0)
        builder.extend(self.text[position:], self.origins[position:], self.kinds[position:])
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


class _Builder:
    def __init__(self) -> None:
        self.chars: list[str] = []
        self.origins = array("l")
        self.kinds: list[str] = []
        self.placeholders: list[Placeholder] = []

    def append(self, char: str, origin: int, kind: str) -> None:
        self.chars.append(char)
        self.origins.append(origin)
        self.kinds.append(kind)

    def extend(self, text: str, origins: Sequence[int], kinds: str) -> None:
        self.chars.append(text)
        self.origins.extend(origins)
        self.kinds.append(kinds)

    def add(self, text: str, base: int, kind: str, step: int = 1) -> None:
        """`text` as read; its character i comes from field offset base + step * i (step 0: all from base)."""
        if _plain_ascii(text):
            self.chars.append(text)
            self.origins.extend(range(base, base + len(text)) if step else [base] * len(text))
            self.kinds.append(kind * len(text))
            return
        for index, char in enumerate(text):
            read = read_char(char)
            if read:
                self.chars.append(read)
                self.origins.extend([base + step * index] * len(read))
                self.kinds.append(kind * len(read))

    def slot(self, token: Placeholder) -> None:
        self.append(SLOT, token.start, SLOT)
        self.placeholders.append(token)

    def run(self) -> ReaderRun:
        return ReaderRun("".join(self.chars), self.origins, "".join(self.kinds), tuple(self.placeholders))


def plain_run(text: str) -> ReaderRun:
    """A text shown as written (a title): read character by character, offsets as they are."""
    builder = _Builder()
    builder.add(text, 0, TEXT)
    return builder.run()


def _inline_run(parsed: Parsed, block: Token) -> ReaderRun:
    builder = _Builder()
    in_autolink = False  # an address shown as written: not prose
    for child in block.children or ():
        pos = int(child.meta.get("pos", 0))
        at = parsed.offset(block, pos)
        kind = child.type
        if kind in ("link_open", "link_close") and child.markup == "autolink":
            in_autolink = kind == "link_open"
            builder.append(BREAK, at, TEXT)
        elif in_autolink:
            continue
        elif kind == "text":
            builder.add(child.content, at, TEXT)
        elif kind == "text_special":  # an entity or an escape: its characters come from where it is written
            builder.add(child.content, at, TEXT, step=0)
        elif kind in ("softbreak", "hardbreak"):
            builder.append(" ", at, TEXT)
        elif kind == "code_inline":
            builder.add(child.content, parsed.offset(block, pos + len(child.markup)), TEXT)
        elif kind == "pc_placeholder":
            builder.slot(parsed.syntax_of(child))
        elif kind == "pc_verbatim":
            quote = child.content.find('"') + 1
            builder.add(child.meta["syntax"].text, parsed.offset(block, pos + quote), VERBATIM)
        elif kind == "pc_xref" and child.meta["syntax"].label:
            bar = child.content.find("|") + 1
            builder.add(child.meta["syntax"].label, parsed.offset(block, pos + bar), TEXT)
        elif kind in ("pc_xref", "pc_citation", "image"):
            builder.append(BREAK, at, TEXT)
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
            builder = _Builder()
            builder.add(text, parsed.inline_offset(block, child), TEXT, step=0)
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
            builder = _Builder()
            content = block.content
            for index, char in enumerate(content):  # a code block shows its text as written
                read = read_char(char)
                if read:
                    where = parsed.offset(block, index)
                    builder.chars.append(read)
                    builder.origins.extend([where] * len(read))
                    builder.kinds.append(TEXT * len(read))
            runs.append(builder.run())
    return tuple(runs)
