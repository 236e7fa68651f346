"""The common shape of author Markdown parsed without markdown-it's rule chains, into the very same tokens.

Nearly every Markdown field is paragraphs of prose with the §5 syntax in it: no list, heading, quote, table,
code, link, emphasis, HTML or entity. For such a text, `paragraph_tokens` builds the tokens markdown-it
(as `generator.text.markdown.PARSER` sets it up) gives, field by field: a paragraph_open / inline /
paragraph_close triple per block of non-blank lines (as markdown-it's paragraph rule cuts and trims it),
and as the inline children text, softbreak, hardbreak and pc_* tokens, each with meta["pos"] where
`_TrackedState` puts it. For any other text it returns None and the caller asks markdown-it.

Acceptance is conservative, a text at a time: a character or line start that could open anything but a
paragraph (at block level) or anything but our own syntax (inline) sends the whole text to markdown-it.
tests/text/test_markdown_fast.py holds the two to the same tokens over generated near misses, the sample
library, the hostile payloads and a synthetic library. `match_syntax` and `syntax_of` are the inline
syntax rule's own code: markdown-it's rule (`markdown._syntax_rule`) calls them too.
"""

from __future__ import annotations

import re
from typing import Any

from markdown_it.common.utils import mdTrim
from markdown_it.token import Token

from generator.text.inline import (
    Citation,
    CrossReference,
    Placeholder,
    Verbatim,
    braces_token,
    citation_token,
    cross_reference_token,
)

_BRACES = re.compile(r"\{\{(.*?)\}\}", re.S)
_CITATION = re.compile(r"\[@([^\[\]]*)\](?![(\[])")
_XREF = re.compile(r"\[\[([^\[\]\n]*)\]\]")
# the token type of each §5 syntax token class (markdown.SYNTAX_TYPES is read from it)
TOKEN_TYPES = {Citation: "pc_citation", CrossReference: "pc_xref", Placeholder: "pc_placeholder",
                Verbatim: "pc_verbatim"}

# Anything markdown-it's normalize rule would change, and tabs (indentation counts them as 1 to 4 columns).
_NOT_FAST_TEXT = re.compile(r"[\t\r\0]")
# A line start where a block other than a paragraph may open or a paragraph may end (CommonMark block rules:
# indented code, heading, quote, thematic break, list, fence, HTML block, setext underline, table delimiter row).
_NOT_FAST_LINE = re.compile(r"^(?: {4}| {0,3}(?:[#>\-+*_=`~<|:]|[0-9]+[.)](?: |$)))", re.M)
# Where the inline scan stops: a line break, a possible start of §5 syntax, and each character at which an
# inline rule other than text, newline and ours may fire: escape, backticks, emphasis, autolink and raw
# HTML, entity, image (and "~", strikethrough's, should it ever be enabled).
_INLINE_STOPS = re.compile(r"[\n{\[\\`*_<&~]|!\[")


def match_syntax(src: str, pos: int, braces_end: int) -> tuple[str, re.Match[str]] | None:
    """The §5 syntax starting at `src[pos]`, as (kind, match), or None. `braces_end` is the last "}}" in
    `src` (-1 if none): a "{{" with no "}}" after it is text, known in constant time."""
    char = src[pos]
    if char == "{":
        if src.startswith("{{", pos) and pos + 2 <= braces_end:
            match = _BRACES.match(src, pos)
            return ("braces", match) if match else None
        return None
    if char == "[":
        match = _XREF.match(src, pos)
        if match:
            return "xref", match
        match = _CITATION.match(src, pos)
        return ("citation", match) if match else None
    return None


def syntax_of(kind: str, match: re.Match[str]) -> tuple[str, Any]:
    """The token type (pc_*) and syntax token (offsets in the inline source) of one `match_syntax` match."""
    syntax: Any
    if kind == "braces":
        syntax = braces_token(match)
    elif kind == "xref":
        syntax = cross_reference_token(match)
    else:
        syntax = citation_token(match)
    return TOKEN_TYPES[type(syntax)], syntax


def paragraph_tokens(text: str) -> list[Token] | None:
    """markdown-it's tokens of `text` when it is paragraphs of prose and §5 syntax only, else None."""
    if _NOT_FAST_TEXT.search(text) or _NOT_FAST_LINE.search(text):
        return None
    tokens: list[Token] = []
    lines = text.split("\n")
    blank = [not line.strip(" ") for line in lines]
    line, count = 0, len(lines)
    while line < count:
        if blank[line]:
            line += 1
            continue
        end = line + 1
        while end < count and not blank[end]:
            end += 1
        content = mdTrim("\n".join(lines[line:end]))
        if content.startswith("[") and "]:" in content:  # a reference definition, maybe: its label ends "]:"
            return None
        children = inline_children(content)
        if children is None:
            return None
        opening = Token("paragraph_open", "p", 1, map=[line, end], block=True)
        inline = Token("inline", "", 0, map=[line, end], level=1, children=children, content=content, block=True)
        tokens += (opening, inline, Token("paragraph_close", "p", -1, block=True))
        line = end
    return tokens


def inline_children(src: str) -> list[Token] | None:
    """The inline tokens markdown-it gives `src` (one paragraph's content) when its only markup is §5
    syntax and line breaks, else None.

    Between the characters `_INLINE_STOPS` finds, markdown-it's text rule and its fallback (a terminator
    character no rule takes is literal text) collect every character into `pending`, so that pending text is
    always the slice of `src` from where it started (`start`) to `pos`, less the spaces the newline rule
    trims before a line break."""
    children: list[Token] = []
    start = -1  # where the pending text starts; -1: none pending
    braces_end = src.rfind("}}")
    pos, end = 0, len(src)
    while True:
        found = _INLINE_STOPS.search(src, pos)
        if found is None:
            break
        stop = found.start()
        if start < 0 and stop > pos:
            start = pos
        char = src[stop]
        if char == "\n":  # markdown-it's newline rule, with its trailing-space handling
            kind = "softbreak"
            if start >= 0:
                text = src[start:stop]
                if text.endswith("  "):
                    text, kind = text.rstrip(" "), "hardbreak"
                elif text.endswith(" "):
                    text = text[:-1]
                if text:
                    children.append(_text(text, start))
            children.append(_break(kind, stop))
            start = -1
            pos = stop + 1
            while pos < end and src[pos] == " ":
                pos += 1
        elif char in "{[":
            syntax = match_syntax(src, stop, braces_end)
            if syntax is not None:
                if start >= 0:
                    children.append(_text(src[start:stop], start))
                    start = -1
                token_type, syntax_token = syntax_of(*syntax)
                # meta as the inline state's push, then the syntax rule, fill it
                children.append(Token(token_type, "", 0, content=syntax[1].group(0),
                                      meta={"pos": stop, "syntax": syntax_token}))
                pos = syntax[1].end()
            elif char == "[":  # a link's or an image's label, maybe
                return None
            else:  # "{" without "{{...}}": literal text
                if start < 0:
                    start = stop
                pos = stop + 1
        else:  # a character another inline rule may take
            return None
    if start < 0 and pos < end:
        start = pos
    if start >= 0:
        children.append(_text(src[start:], start))
    return children


def _text(content: str, pos: int) -> Token:
    return Token("text", "", 0, content=content, meta={"pos": pos})


def _break(kind: str, pos: int) -> Token:
    return Token(kind, "br", 0, meta={"pos": pos})
