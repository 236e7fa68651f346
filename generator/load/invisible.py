"""P110: invisible and direction-changing characters, found where they stand in the file (§5).

A character of this kind makes text read differently from what it is: a zero-width space inside
"50 mg", a right-to-left override that reverses digits. The file's text is scanned as written
(keys, values and comments: a comment that reorders a reviewer's view of the file is as misleading),
and so is every double-quoted string, whose escapes (`"\\u200B"`) make such characters too.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable, Iterator

from generator.diagnostics import Diagnostic, Location

# The format's list (bidirectional controls, zero-width characters, control characters other than the
# tab and line breaks YAML allows), with the other invisible format characters of Unicode that can hide
# inside text: soft hyphen, combining grapheme joiner, Hangul fillers, Mongolian vowel separator,
# invisible operators, deprecated format controls, interlinear annotations and tag characters.
_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_INVISIBLE = (
    "\u200b-\u200d\u2060\ufeff\u00ad\u034f\u115f\u1160\u180e\u2061-\u2064\u206a-\u206f\u3164\uffa0\ufff9-\ufffb"
    "\U000e0000-\U000e007f"
)
_CONTROL = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f"
REFUSED = re.compile(f"[{_BIDI}{_INVISIBLE}{_CONTROL}]")
_BIDI_SET = re.compile(f"[{_BIDI}]")
# a variation selector chooses how the symbol before it is drawn (the emoji form of U+26A0 WARNING SIGN);
# after a digit or a letter it draws nothing and splits what a reader sees as one number or word
_VARIATION_SELECTOR = re.compile("[\ufe00-\ufe0f\U000e0100-\U000e01ef]")
# YAML's line breaks, as libyaml counts lines (so positions agree with every other diagnostic)
_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
# the escapes of a double-quoted YAML string that can make a refused character
_ESCAPE = re.compile(r"\\(x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|[0abtvfe])")
_SHORT_ESCAPES = {"0": "\x00", "a": "\x07", "b": "\x08", "t": "\t", "v": "\x0b", "f": "\x0c", "e": "\x1b"}


def describe_character(character: str) -> str:
    """'direction-changing character U+202E (RIGHT-TO-LEFT OVERRIDE)', 'control character U+0001'."""
    code = f"U+{ord(character):04X}"
    name = unicodedata.name(character, "")
    if _BIDI_SET.match(character):
        what = "direction-changing character"
    elif unicodedata.category(character) == "Cc":
        what = "control character"
    else:
        what = "invisible character"
    return f"{what} {code}" + (f" ({name})" if name else "")


def _diagnostic(character: str, location: Location) -> Diagnostic:
    return Diagnostic(
        "P110",
        f"{describe_character(character)} in the text",
        location,
        hint="delete it: it does not show on the page but changes how the text reads, is searched or is compared",
    )


def position(text: str, display: str, offset: int) -> Location:
    """Where character `offset` of a file's text stands, as libyaml counts lines and columns."""
    if text.startswith("\ufeff"):
        text, offset = text[1:], offset - 1
    return _Positions(text).location(display, max(offset, 0))


class _Positions:
    """Character offsets of a text as 1-based line and column, counted as libyaml counts them."""

    def __init__(self, text: str) -> None:
        self.starts = [0] + [match.end() for match in _LINE_BREAK.finditer(text)]

    def location(self, display: str, offset: int) -> Location:
        line = bisect_right(self.starts, offset)
        return Location(display, line, offset - self.starts[line - 1] + 1)


def refused_characters(
    text: str, display: str, quoted_spans: Iterable[tuple[int, int]] = (), parsed: bool = True
) -> Iterator[Diagnostic]:
    """A P110 for every refused character of `text` as written, and for every escape in the
    double-quoted strings at `quoted_spans` (start and end offsets) that makes one. `parsed`: libyaml
    read the whole text, so it holds no control character where it could not be."""
    found: list[tuple[int, str]] = []
    # a byte order mark opening the file marks its encoding: it is in no string, and libyaml's offsets
    # and columns (the quoted spans, every other diagnostic) do not count it
    if text.startswith("\ufeff"):
        text = text[1:]
    # in ASCII text only a control character could be refused, and libyaml stops at those
    ascii_parsed = parsed and text.isascii()
    for match in () if ascii_parsed else REFUSED.finditer(text):
        found.append((match.start(), match.group()))
    for match in () if ascii_parsed else _VARIATION_SELECTOR.finditer(text):
        before = text[match.start() - 1] if match.start() else ""
        if not before or not unicodedata.category(before).startswith("S"):
            found.append((match.start(), match.group()))
    for begin, end in quoted_spans:
        for match in _ESCAPE.finditer(text, begin, end):
            if _escaped_backslash(text, match.start(), begin):
                continue
            code = match.group(1)
            character = _SHORT_ESCAPES.get(code) or chr(int(code[1:], 16))
            if REFUSED.match(character) or _VARIATION_SELECTOR.match(character):
                found.append((match.start(), character))
    if not found:
        return
    positions = _Positions(text)
    for offset, character in sorted(set(found)):
        yield _diagnostic(character, positions.location(display, offset))


def _escaped_backslash(text: str, offset: int, begin: int) -> bool:
    """Whether the backslash at `offset` is itself escaped (an odd run of backslashes before it)."""
    run = 0
    while offset - run - 1 >= begin and text[offset - run - 1] == "\\":
        run += 1
    return run % 2 == 1
