"""The fast path (generator/text/markdown_fast.py) gives markdown-it's own tokens, field by field, whenever it
accepts a text; it accepts the plain shapes most texts have; and `parse` is the same with it or without.

Attacked with generated near misses (every Markdown special character, our syntax broken every way, line
starts that open other blocks, trailing spaces, tabs, CR, Unicode spaces and line separators), the fuzz
corpus, the hostile payloads, the sample library and a synthetic library."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterable, Iterator
from dataclasses import fields
from pathlib import Path
from typing import Any

import pytest
from browser import REPO_ROOT
from hostile_markdown import PAYLOADS
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis_profiles import examples
from markdown_it.token import Token
from test_markdown_fuzz import PIECES

from generator.load.library import load_library
from generator.text import markdown
from generator.text.inline import library_markdown_fields, markdown_fields
from generator.text.markdown import PARSER
from generator.text.markdown_fast import paragraph_tokens

TOKEN_FIELDS = tuple(item.name for item in fields(Token))


def token_differences(fast: list[Token], slow: list[Token], where: str = "tokens") -> list[str]:
    """Every field in which two token lists differ (nested children compared the same way), as paths."""
    found = []
    if len(fast) != len(slow):
        found.append(f"{where}: {len(fast)} tokens, markdown-it gives {len(slow)}: "
                     f"{[t.type for t in fast]} != {[t.type for t in slow]}")
    for index, (mine, theirs) in enumerate(zip(fast, slow, strict=False)):
        for name in TOKEN_FIELDS:
            here = f"{where}[{index}].{name}"
            if name == "children" and mine.children is not None and theirs.children is not None:
                found += token_differences(mine.children, theirs.children, here)
            elif getattr(mine, name) != getattr(theirs, name):
                found.append(f"{here}: {getattr(mine, name)!r} != markdown-it's {getattr(theirs, name)!r}")
            elif name == "meta" and list(mine.meta) != list(theirs.meta):
                found.append(f"{here}: keys in order {list(mine.meta)} != markdown-it's {list(theirs.meta)}")
    return found


def fast_equals_markdown_it(text: str) -> bool:
    """Whether the fast path accepted `text`; fails when it did and its tokens differ from markdown-it's or
    the parse built on them differs from the parse without the fast path."""
    fast = paragraph_tokens(text)
    if fast is None:
        return False
    assert token_differences(fast, PARSER.parse(text, {})) == [], text
    assert_same_parse(text)
    return True


def accepted_share(texts: Iterable[str]) -> tuple[int, int]:
    """(accepted, all) over the distinct texts, each accepted one held to markdown-it's tokens."""
    distinct = set(texts)
    return sum(fast_equals_markdown_it(text) for text in sorted(distinct)), len(distinct)


# --- the comparison itself can fail ---------------------------------------------------------------------


def test_the_comparison_sees_a_difference_in_any_field_and_in_children() -> None:
    text = "Give {{ a.dose }} now\n[@ref] and [[b#c]]."
    for name in TOKEN_FIELDS:
        if name == "children":
            continue
        tokens = PARSER.parse(text, {})
        changed = PARSER.parse(text, {})
        child = changed[1].children[2]  # type: ignore[index]
        setattr(child, name, {"x": 1} if name in ("attrs", "meta") else 99)
        assert token_differences(changed, tokens) != [], name
        setattr(changed[1], name, {"x": 1} if name in ("attrs", "meta") else 99)
        assert any(f"tokens[1].{name}" in line for line in token_differences(changed, tokens)), name
    reordered = PARSER.parse(text, {})
    syntax = reordered[1].children[1]  # type: ignore[index]
    syntax.meta = {"syntax": syntax.meta["syntax"], "pos": syntax.meta["pos"]}
    assert token_differences(reordered, PARSER.parse(text, {})) == [
        "tokens[1].children[1].meta: keys in order ['syntax', 'pos'] != markdown-it's ['pos', 'syntax']"]
    assert token_differences(PARSER.parse(text, {})[:2], PARSER.parse(text, {}))[0].startswith(
        "tokens: 2 tokens, markdown-it gives 3")


# --- it fires on the plain shapes -----------------------------------------------------------------------

PLAIN = [
    "",
    "   \n  \n",
    "Give {{ ketamine-iv.dose }} {{ ketamine-iv.route }} over 40 min [@phillips-2019].",
    "Screen first ([[#contraindications]]); see [[ketamine-crps@1.0#dosing|the CRPS protocol]].\n",
    "One paragraph,\nwrapped over lines [@a; @b],\n  with leading spaces.\n\nAnother: 50% (n = 12); 3/4 - done.",
    "A line ending in one space \nand one in two  \nand one in three   \nend",
    "{{ a.b\n}} spans lines; {{ \"0.50 mg\" }} is verbatim; { braces } and {{ unclosed stay text.",
    "Ends with a citation [@x-1]",
    "[@a] starts a paragraph; [[b]] starts this line\n[@c] and this one.",
    "Un café à 2 €, 体重 70 kg, the\u00a0dose… “quoted” — done! ] stray bracket, @ at, # hash mid-line.",
    "2.5 mg at a line start\n10 is a number, not a list",
    "x\n\n\n\ny\n \nz",
    "\u00a0leading no-break space\u2003",
]

NOT_PLAIN = [
    "# heading", "> quote", "- item", "* item", "+ item", "1. item", "2) item", "    code", "```\ncode\n```",
    "~~~\nx\n~~~", "a\n===", "a\n---", "***", "<b>x</b>", "a <b>x</b>", "a &amp; b", "a `code` b", "a *em* b",
    "a _em_ b", "a \\* b", "[link](https://x.example/)", "![img](_assets/a.png)", "[@a](https://x.example/)",
    "[@a][b]", "[x]: https://x.example/", "a\tb", "a\r\nb", "a\0b", "| a |\n| --- |", "a | b\n:-- | --",
    "~~strike~~", "a [b", "see [here]", "<https://x.example/>",
]


@pytest.mark.parametrize("text", PLAIN)
def test_the_plain_shapes_take_the_fast_path_with_markdown_its_tokens(text: str) -> None:
    assert fast_equals_markdown_it(text)


@pytest.mark.parametrize("text", NOT_PLAIN)
def test_anything_else_goes_to_markdown_it(text: str) -> None:
    assert paragraph_tokens(text) is None


def assert_same_parse(text: str) -> None:
    """`parse` (fast path or not) and `parse_with_markdown_it` agree: tokens, placements, syntax, definitions."""
    fast, slow = markdown.parse(text), markdown.parse_with_markdown_it(text)
    assert token_differences(fast.tokens, slow.tokens) == [], text
    assert [fast.placement(block) for block in fast.tokens] == [slow.placement(block) for block in slow.tokens]
    assert fast.syntax() == slow.syntax() and fast.definitions == slow.definitions, text


@pytest.mark.parametrize("text", [*PLAIN, *NOT_PLAIN, *PAYLOADS.values()])
def test_parse_is_the_same_with_or_without_the_fast_path(text: str) -> None:
    assert_same_parse(text)


# --- near misses ----------------------------------------------------------------------------------------

PROSE = [*"abcxyz09 .,;:()%/'-@#!?=+~^$}]{[|>\n", "  \n", "   ", "\u00a0", "\u3000", "\u2028", "\u0085", "\x0c",
         "\u00e9", "\U0001f600", "\u0665", "mg", "0.5 mg/kg", "2.5", "10.", "1)"]
SYNTAX = ["[@a]", "[@a; @b-2]", "[@]", "[@a", "[@a]]", "[@a](x)", "[@a][b]", "[@a] (x)", "[@a\nb]", "[@[a]]",
          "[[a]]", "[[a]]]", "[[#s]]", "[[a@1.0#s|label]]", "[[a|b]]:", "[[a\nb]]", "[[", "]]", "[[a](x)",
          "{{ a.b }}", "{{ a.b\n}}", "{{ \"5.0 mg\" }}", "{{ \"a*b<i>\" }}", "{{", "}}", "{{ a.b }", "{ {", "{{}}",
          "{{ a.max_dose }}"]
LINE_STARTS = ["\n", "\n\n", "\n  ", "\n   ", "\n    ", "\n1. ", "\n1) ", "\n123456789. ", "\n- ", "\n+ ", "\n* ",
               "\n# ", "\n> ", "\n===", "\n---", "\n___", "\n```", "\n~~~", "\n<div>", "\n| a |", "\n:--",
               "\n[@a]: x", "\n[a]: x", "\n\t", "\r\n", "\r", "  \n", "   \n", " \n"]
MARKDOWN = ["*", "**", "_", "__", "`", "``", "\\", "\\[", "&", "&amp;", "&#48;", "<", "<b>", "<!--", "!", "![",
            "[", "]", "(", ")", "[x](y)", "<https://e.example>", "~~", "\x00", "\t", "|"]
# every piece; and without the Markdown pieces, which the fast path refuses wherever they are, so that more
# of the near misses are accepted and compared
NEAR_MISSES = st.one_of(st.lists(st.sampled_from(PROSE + SYNTAX + LINE_STARTS + MARKDOWN + PIECES), max_size=30),
                        st.lists(st.sampled_from(PROSE + SYNTAX + LINE_STARTS), max_size=30)).map("".join)
PLAIN_SHAPES = st.lists(st.sampled_from([*"abc09 .,;:)%/'-", " (", "\nx", "\n\nx", "\n  x", " \nx", "  \nx", " [@a]",
                                         " [@a; @b]", " [[a#s]]", "{{ a.b }}", "{{ \"x\" }}", "{"]),
                        max_size=30).map(lambda parts: "x" + "".join(parts))


@settings(max_examples=examples(1500), deadline=None)
@given(text=NEAR_MISSES)
def test_whenever_the_fast_path_accepts_a_near_miss_it_gives_markdown_its_tokens(text: str) -> None:
    fast_equals_markdown_it(text)


@settings(max_examples=examples(500), deadline=None)
@given(text=PLAIN_SHAPES)
def test_plain_shapes_are_accepted_with_markdown_its_tokens(text: str) -> None:
    assert fast_equals_markdown_it(text), text


# --- real texts -----------------------------------------------------------------------------------------


def library_texts(root: Path) -> Iterator[str]:
    library = load_library(root)
    for protocol in library.protocols.values():
        for version in protocol.versions.values():
            yield from (text for _path, text in markdown_fields(version.doc))
    yield from (text for _file, _path, text in library_markdown_fields(library))


def test_the_sample_library_the_fuzz_corpus_and_the_hostile_payloads() -> None:
    accepted, count = accepted_share(library_texts(REPO_ROOT / "protocols"))
    assert count > 50 and accepted >= 0.8 * count, (accepted, count)
    accepted_share(PIECES)
    assert accepted_share(PAYLOADS.values())[0] == 0  # every payload holds markup: markdown-it parses it


@pytest.fixture(scope="module")
def synthetic_library(tmp_path_factory: pytest.TempPathFactory) -> Path:
    benchmarks = str(REPO_ROOT / "benchmarks")
    sys.path.insert(0, benchmarks)
    try:
        synthetic: Any = importlib.import_module("synthetic")
    finally:
        sys.path.remove(benchmarks)
    root = tmp_path_factory.mktemp("synthetic") / "protocols"
    synthetic.generate_library(root, 100, seed=0, ledgers=False)  # its texts only: the same with or without
    return root


def test_a_synthetic_library_of_100_protocols(synthetic_library: Path) -> None:
    accepted, count = accepted_share(library_texts(synthetic_library))
    assert count > 1000 and accepted == count, (accepted, count)


def test_a_reference_definition_anywhere_is_left_to_markdown_it() -> None:
    assert paragraph_tokens("Text.\n\n[x]: https://x.example/") is None
    assert paragraph_tokens("[x\ny]: https://x.example/") is None
