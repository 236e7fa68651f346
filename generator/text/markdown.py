"""Author Markdown read by one CommonMark parser (markdown-it-py): the parse the rules judge and the page shows.

`parse(text)` gives markdown-it's tokens for one Markdown field, with the inline syntax of §5 as tokens
of its own (`pc_citation`, `pc_xref`, `pc_placeholder`, `pc_verbatim`), and every token placed in the
field's text (`Parsed.offset(token)`), so a rule can point at file:line:col. The parser runs with raw
HTML *recognised* (so that it is found and refused, P501, and rendered as text), linkify and the
typographer off, and every link destination kept as written (markdown-it's own link filter would turn
a `javascript:` link into plain text the rules could not see: P305 decides instead).

Nothing here decides a rule or writes a page: `generator.text.prose_findings` reads the text a reader sees,
`generator.checks.prose_rules` judges, `generator.render.inline_render` renders.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field, fields
from functools import lru_cache
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.parser_inline import ParserInline
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

from generator.text.inline import Citation, CitationKey, CrossReference, Placeholder, Verbatim
from generator.text.markdown_fast import TOKEN_TYPES, match_syntax, paragraph_tokens, syntax_of

_LINE_BREAK = re.compile(r"\r\n|\r|\n")

SYNTAX_TYPES = tuple(TOKEN_TYPES.values())
# the fields after (start, end) of each syntax token class: moving a token is constructing it anew, without
# dataclasses.replace's look-up of every field on every call
_LATER_FIELDS = {kind: tuple(item.name for item in fields(kind))[2:]
                 for kind in (CrossReference, Placeholder, Verbatim)}


class _TrackedState(StateInline):
    """StateInline that writes where each token starts in the inline source into `token.meta["pos"]`.

    markdown-it keeps no source positions below the block level. Literal text collects in `pending`
    (markdown-it-py 4.3's `_pending`/`_pending_buffer`, pinned) and becomes one text token when flushed:
    the position where it started collecting is that token's. tests/checks/test_prose_rules_markdown.py and the fuzz
    test hold every position to the source."""

    pending_start = 0

    def append_pending(self, text: str) -> None:
        if not self._pending and not self._pending_buffer:
            self.pending_start = self.pos
        super().append_pending(text)

    def pushPending(self) -> Token:  # noqa: N802 (markdown-it's name)
        token = super().pushPending()
        token.meta["pos"] = self.pending_start
        return token

    def push(self, ttype: str, tag: str, nesting: Any) -> Token:
        token = super().push(ttype, tag, nesting)
        token.meta["pos"] = self.pos
        return token


class _TrackedParserInline(ParserInline):
    def parse(self, src: str, md: Any, env: Any, tokens: list[Token]) -> list[Token]:
        state = _TrackedState(src, md, env, tokens)
        self.tokenize(state)
        for rule in self.ruler2.getRules(""):
            rule(state)
        return state.tokens


class _AuthorMarkdown(MarkdownIt):
    """Every link is parsed and kept as written: the rules judge destinations (P305, P503), the renderer
    and the sanitizer keep unsafe ones off the page."""

    def validateLink(self, url: str) -> bool:  # noqa: N802
        return True

    def normalizeLink(self, url: str) -> str:  # noqa: N802
        return url


def _keep_first_positions(state: StateInline) -> None:
    """Before markdown-it joins adjacent text tokens (keeping the last of them): every token of a run
    carries where the run starts."""
    start = None
    for token in state.tokens:
        if token.type != "text":
            start = None
        elif start is None:
            start = token.meta.get("pos", 0)
        else:
            token.meta["pos"] = start


def _syntax_rule(state: StateInline, silent: bool) -> bool:
    """The inline syntax of §5 as tokens: `{{ ... }}`, `[[...]]`, `[@...]` (before links)."""
    if state.src[state.pos] not in "{[":
        return False
    found = match_syntax(state.src, state.pos, state.html_terminator_last("}}"))
    if found is None:
        return False
    if not silent:
        token_type, syntax = syntax_of(*found)
        token = state.push(token_type, "", 0)
        token.content = found[1].group(0)
        token.meta["syntax"] = syntax  # offsets in the inline source; Parsed moves them into the field
    state.pos = found[1].end()
    return True


def _parser() -> MarkdownIt:
    md = _AuthorMarkdown("commonmark", {"html": True, "linkify": False, "typographer": False,
                                         "inline_definitions": True})
    md.enable("table")
    md.inline.__class__ = _TrackedParserInline  # the same rules and terminators; only `parse` differs
    md.inline.ruler.after("text", "pc_syntax", _syntax_rule)
    md.inline.add_terminator_char("{")
    md.inline.ruler2.before("fragments_join", "pc_positions", _keep_first_positions)
    md.core.ruler.disable("text_join")  # keep entities and escapes apart: they are read, and placed, on their own
    return md


PARSER = _parser()


class _Lines:
    """Line starts of a field's text, split as CommonMark splits lines."""

    def __init__(self, text: str) -> None:
        # as markdown-it's normalize rule gives the content (a NUL becomes U+FFFD, one character for one), so
        # that a content line is found in its source line
        self.text = text.replace("\0", "\ufffd")
        self.starts = [0] + [match.end() for match in _LINE_BREAK.finditer(text)]
        self.cursors: dict[int, int] = {}  # per line: where the last text placed on it ended (table cells)

    def line(self, index: int) -> tuple[int, str]:
        index = max(0, min(index, len(self.starts) - 1))
        start = self.starts[index]
        end = self.starts[index + 1] if index + 1 < len(self.starts) else len(self.text)
        return start, self.text[start:end].rstrip("\r\n")

    def place(self, index: int, content_line: str) -> int:
        """Offset in the field where `content_line` (one line of a block's content) starts on source line
        `index`: content is the tail of its source line (after indentation and container markers), except
        in headings and table cells, where it is found from the last placed text on."""
        start, line = self.line(index)
        stripped = content_line.lstrip(" \t")
        cursor = self.cursors.get(index, 0)
        if stripped and line.endswith(stripped) and len(line) - len(stripped) >= cursor:
            column = len(line) - len(stripped)
        elif stripped and line.rstrip().endswith(stripped) and len(line.rstrip()) - len(stripped) >= cursor:
            column = len(line.rstrip()) - len(stripped)
        else:
            found = line.find(stripped, cursor) if stripped else -1
            column = found if found >= 0 else len(line) - len(line.lstrip())
        self.cursors[index] = column + len(stripped)
        return start + column - (len(content_line) - len(stripped))


@dataclass(frozen=True)
class Placement:
    """Where one block's content (an inline token's source, a code block's body) lies in the field."""

    line_starts: tuple[int, ...]  # offsets in the content where each of its lines starts
    bases: tuple[int, ...]  # field offset of each content line's column 0 (may precede the line for tabs)
    floors: tuple[int, ...]  # field offset below which a line's offsets are not moved
    # every content offset is its own field offset (each line's base is where the line starts in the content,
    # none indented: a paragraph at the field's start): syntax tokens need no moving
    unmoved: bool = False

    def offset(self, position: int) -> int:
        line = max(0, bisect.bisect_right(self.line_starts, position) - 1)
        return max(self.floors[line], self.bases[line] + position - self.line_starts[line])


NOWHERE = Placement((0,), (-(1 << 62),), (0,))  # a block with no source lines: every position at offset 0


def _placement(lines: _Lines, first_line: int, content: str) -> Placement:
    line_starts, bases, floors = [], [], []
    position = 0
    for index, content_line in enumerate(content.split("\n")):
        base = lines.place(first_line + index, content_line)
        line_starts.append(position)
        bases.append(base)
        floors.append(base + len(content_line) - len(content_line.lstrip(" \t")))
        position += len(content_line) + 1
    return Placement(tuple(line_starts), tuple(bases), tuple(floors), bases == line_starts and floors == bases)


@dataclass(frozen=True)
class Definition:
    """A reference definition `[label]: destination`: no token of its own in markdown-it's output."""

    label: str
    url: str
    offset: int  # of the destination in the field


@dataclass
class Parsed:
    """One Markdown field as parsed (`parsed(text)` keeps the latest few)."""

    text: str
    tokens: list[Token]  # markdown-it's block tokens; inline ones carry children. Never mutated after parse.
    placements: dict[int, Placement] = field(default_factory=dict)  # id(block token) -> its placement
    definitions: tuple[Definition, ...] = ()
    _syntax: dict[int, Any] | None = None  # id(child token) -> its syntax token in field offsets

    def placement(self, block: Token) -> Placement:
        """Where `block`'s content (an inline token or a code/html block) lies in the field."""
        return self.placements.get(id(block), NOWHERE)

    def offset(self, block: Token, position: int = 0) -> int:
        """Field offset of `position` in `block`'s content."""
        return self.placement(block).offset(position)

    def inline_offset(self, block: Token, child: Token, extra: int = 0) -> int:
        return self.offset(block, int(child.meta.get("pos", 0)) + extra)

    def syntax(self) -> tuple[Any, ...]:
        """The §5 inline syntax (citations, cross-references, placeholders, verbatim text) in field offsets."""
        if self._syntax is None:
            self._syntax = {}
            for block in self.tokens:
                for child in block.children or ():
                    if child.type in SYNTAX_TYPES:
                        self._syntax[id(child)] = moved_syntax(child.meta["syntax"], self, block, child)
        return tuple(self._syntax.values())

    def syntax_of(self, child: Token) -> Any:
        """The syntax token of one pc_* child, in field offsets."""
        if self._syntax is None:
            self.syntax()
        assert self._syntax is not None
        return self._syntax[id(child)]


def moved_syntax(syntax: Any, parsed: Parsed, block: Token, child: Token) -> Any:
    """A syntax token with its inline-source offsets moved to field offsets."""
    pos = int(child.meta["pos"])
    placement = parsed.placement(block)
    if placement.unmoved and syntax.start == pos:  # offset(p) == p for every p: the token as it is
        return syntax
    offset = placement.offset
    start = offset(pos)
    end = offset(pos + len(syntax.raw) - 1) + 1
    if isinstance(syntax, Citation):
        keys = tuple(CitationKey(key.id, offset(key.offset)) for key in syntax.keys)
        return Citation(start, end, syntax.raw, keys, syntax.error)
    kind = type(syntax)
    return kind(start, end, *(getattr(syntax, name) for name in _LATER_FIELDS[kind]))


def _definition(parsed: Parsed, lines: _Lines, token: Token) -> Definition:
    url = str(token.meta.get("url", ""))
    first, last = token.map or (0, 1)
    start, _line = lines.line(first)
    end_start, end_line = lines.line(last - 1)
    block = parsed.text[start : end_start + len(end_line)]
    label_end = block.find("]:")
    where = block.find(url, label_end + 2) if url else -1
    if where < 0:  # an encoded or escaped destination: point after the label
        rest = block[label_end + 2 :] if label_end >= 0 else block
        where = label_end + 2 + len(rest) - len(rest.lstrip()) if label_end >= 0 else 0
    return Definition(str(token.meta.get("label", "")), url, start + where)


@lru_cache(maxsize=64)
def parsed(text: str) -> Parsed:
    """`parse(text)`, shared by the callers that need the tokens of one text in a row (the rules of a field,
    the renders of a version text). Bounded: the whole library's tokens are never held at once (what
    outlives a parse is cached by `inline.scanned`: the §5 syntax, the rules' findings)."""
    return parse(text)


def parse(text: str) -> Parsed:
    """Parse one Markdown field. Paragraphs of prose and §5 syntax only (most fields) get markdown-it's tokens
    from `markdown_fast.paragraph_tokens`, without its rule chains; anything else from markdown-it itself."""
    tokens = paragraph_tokens(text)
    return _placed(text, PARSER.parse(text, {}) if tokens is None else tokens)


def parse_with_markdown_it(text: str) -> Parsed:
    """`parse` without the fast path: what tests/text/test_markdown_fast.py holds `parse` to."""
    return _placed(text, PARSER.parse(text, {}))


def _placed(text: str, tokens: list[Token]) -> Parsed:
    parsed = Parsed(text, tokens)
    lines = _Lines(text)
    definitions = []
    for token in tokens:
        if token.type == "definition":
            definitions.append(_definition(parsed, lines, token))
        elif token.map is None:
            continue
        elif token.type == "inline":
            parsed.placements[id(token)] = _placement(lines, token.map[0], token.content)
        elif token.type == "fence":
            parsed.placements[id(token)] = _placement(lines, token.map[0] + 1, token.content)
        elif token.type in ("code_block", "html_block"):
            parsed.placements[id(token)] = _placement(lines, token.map[0], token.content)
    parsed.definitions = tuple(definitions)
    return parsed
