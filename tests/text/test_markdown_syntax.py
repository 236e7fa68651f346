"""`Parsed.syntax()`: a syntax token in a block whose offsets are the field's own (`Placement.unmoved`) is kept
as the parser built it; held to the token moved offset by offset, over the sample library, the hostile
payloads, the fuzz corpus and texts where the block is shifted, indented, quoted or listed."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from browser import REPO_ROOT
from hostile_markdown import PAYLOADS
from test_markdown_fuzz import PIECES

from generator.load.library import load_library
from generator.text import markdown
from generator.text.inline import library_markdown_fields, markdown_fields

SHAPES = [
    "See [@a; @b] and {{ r.dose }}.",
    "Line one [@a]\nline two {{ r.dose }} [[other#dosing|x]]",
    "First.\n\nSecond [@a;@b] {{ \"v\" }}",
    "  Indented [@a] {{ r.dose }}\n   more [@b]",
    "Hard  \nbreak [@a]",
    "> quoted [@a]\n> {{ r.dose }}",
    "- item [@a]\n- item {{ r.dose }}",
    "# Heading [@a]\n\nText {{ r.dose }}",
    "| a | b |\n|---|---|\n| [@a] | {{ r.dose }} |",
    "Tab\there [@a]",
    "\n\nAfter blank lines [@a; @zz-9]",
    "Malformed [@A] {{ nope }} [[#Bad]]",
]


def library_texts(folder: Path) -> list[str]:
    library = load_library(folder)
    texts = [text for protocol in library.protocols.values() for version in protocol.versions.values()
             for _path, text in markdown_fields(version.doc)]
    return texts + [text for _file, _path, text in library_markdown_fields(library)]


def moved_every_time(parsed: markdown.Parsed) -> list[Any]:
    """The syntax as moved offset by offset (no block taken as unmoved)."""
    found = []
    for block in parsed.tokens:
        for child in block.children or ():
            if child.type in markdown.SYNTAX_TYPES:
                placement = dataclasses.replace(parsed.placement(block), unmoved=False)
                moving = markdown.Parsed(parsed.text, parsed.tokens, {id(block): placement})
                found.append(markdown.moved_syntax(child.meta["syntax"], moving, block, child))
    return found


def unmoved_blocks(parsed: markdown.Parsed) -> int:
    return sum(1 for block in parsed.tokens if block.children and parsed.placement(block).unmoved)


def test_kept_tokens_equal_the_moved_ones() -> None:
    texts = sorted({*SHAPES, *library_texts(REPO_ROOT / "protocols"), *PAYLOADS.values(), *PIECES})
    unmoved = moved = 0
    for text in texts:
        for parse in (markdown.parse, markdown.parse_with_markdown_it):
            parsed = parse(text)
            assert list(parsed.syntax()) == moved_every_time(parsed), text
            unmoved += unmoved_blocks(parsed)
            moved += sum(1 for block in parsed.tokens if block.children) - unmoved_blocks(parsed)
    assert unmoved > 50 and moved > 50, (unmoved, moved)  # both ways are taken


def test_only_a_block_at_the_field_start_without_indentation_is_unmoved() -> None:
    def flags(text: str) -> list[bool]:
        parsed = markdown.parse(text)
        return [parsed.placement(block).unmoved for block in parsed.tokens if block.type == "inline"]

    assert flags("See [@a].\nMore {{ r.dose }}.") == [True]
    assert flags("First.\n\nSecond.") == [True, False]
    assert flags("  Indented [@a].") == [False]
    assert flags("Line\n  indented continuation") == [False]
    assert flags("# Heading") == [False]
    assert flags("> quoted") == [False]
    # offsets as the field has them, kept or moved
    parsed = markdown.parse("Line [@a]\nnext {{ r.dose }}\n\n  Then [@b]")
    assert [(token.start, token.raw) for token in parsed.syntax()] == [
        (5, "[@a]"), (15, "{{ r.dose }}"), (36, "[@b]"),
    ]
