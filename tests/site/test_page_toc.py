"""The ids of a page's body (generator/site/page_toc.py, page_ids): MkDocs checks a link to `page.md#anchor`
against them (page.present_anchor_ids), so they must be exactly what `\\sid="([^"]*)"` finds."""

from __future__ import annotations

import random
import re

import pytest

from generator.site.page_toc import page_ids

BY_PATTERN = re.compile(r'\sid="([^"]*)"')


@pytest.mark.parametrize(("body", "ids"), [
    ("", set()),
    ('id="first"', set()),  # nothing before it: not an attribute
    ('<h2 id="dose">Dose</h2><p\tid="tab">x</p>\n<p\nid="line">', {"dose", "tab", "line"}),
    ('<p data-id="x" xid="y" id="">', {""}),
    ('<p\u00a0id="nbsp" \u2003id="em-space">', {"nbsp", "em-space"}),  # Unicode white space, as \s
    ('<p title="a id=" id="b">', {" id="}),  # text that reads as an id inside a value counts, as by the pattern
    ('<p xid=" foo id="bar">', {"bar"}),  # a candidate not after a space does not swallow the next
    ('<p id="unclosed>', set()),
    ('<p id="a" id="a">', {"a"}),
], ids=["empty", "at the start", "white space", "empty id", "unicode spaces", "inside a value",
        "after a non-space", "unclosed", "repeated"])
def test_page_ids_are_the_ids_after_white_space(body: str, ids: set[str]) -> None:
    assert page_ids(body) == ids == set(BY_PATTERN.findall(body))


def test_page_ids_match_the_pattern_on_random_markup() -> None:
    pieces = [" ", "\t", "\u2003", "i", "d", "=", '"', "x", "id=", 'id="', ' id="', ">", "<p "]
    generator = random.Random(15)
    for _ in range(20_000):
        body = "".join(generator.choice(pieces) for _ in range(generator.randint(0, 16)))
        assert page_ids(body) == set(BY_PATTERN.findall(body)), body
