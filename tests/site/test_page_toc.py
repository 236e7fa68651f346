"""The ids of a page's body (generator/site/page_toc.py, page_ids): MkDocs checks a link to `page.md#anchor`
against them (page.present_anchor_ids), so they must be exactly what `\\sid="([^"]*)"` finds."""

from __future__ import annotations

import random
import re

import pytest
from mkdocs.structure.toc import AnchorLink, TableOfContents, get_toc

from generator.site.page_toc import page_contents, page_ids, without

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


LABELLED = ('<h2 id="panel" data-toc-label="Dose (calculator)">Dose<a class="headerlink" href="#panel">&para;</a>'
            '</h2>\n'
            '<p>Text</p>\n<h3 class="x" id="rows">Rows <em>kg</em><a class="headerlink" href="#rows">&para;</a></h3>\n'
            '<h2 id="b" data-toc-label="Second">B<a class="headerlink" href="#b">&para;</a></h2>')


def test_contents_take_the_labels_and_the_written_body_leaves_them_out() -> None:
    contents, labels = page_contents(TableOfContents([]), LABELLED)
    assert [(t.level, t.id, t.title, [c.title for c in t.children]) for t in contents] == [
        (2, "panel", "Dose (calculator)", ["Rows kg"]), (2, "b", "Second", [])]
    assert without(LABELLED, labels) == LABELLED.replace(' data-toc-label="Dose (calculator)"', "").replace(
        ' data-toc-label="Second"', "")
    assert without(LABELLED, []) is LABELLED


def outline(items: object) -> list[tuple[object, ...]]:
    return [(item.title, item.id, item.level, getattr(item, "active", None), outline(item.children))
            for item in items]  # type: ignore[attr-defined]


def test_the_contents_are_what_mkdocs_makes_of_the_toc_extensions_tokens_on_random_headings() -> None:
    """page_contents builds MkDocs' contents objects itself: the same as get_toc of the tokens the toc
    extension would give (nested by level under the title's H1, the first item active)."""
    def tokens(title: list[AnchorLink], body: str) -> list[dict[str, object]]:
        root: dict[str, object] = {"level": 0, "id": "", "name": "", "children": []}
        children: list[dict[str, object]] = root["children"]  # type: ignore[assignment]
        children += [{"level": item.level, "id": item.id, "name": item.title, "children": []} for item in title]
        stack = [root, *children[-1:]]
        for match in re.finditer(r'<h(?P<level>[1-6])(?: class="[^"]*")? id="(?P<id>[^"]*)"(?: data-toc-label="'
                                 r'(?P<label>[^"]*)")?>(?P<text>.*?)<a class="headerlink" href="#', body):
            level = int(match["level"])
            token = {"level": level, "id": match["id"], "name": match["label"] or re.sub("<[^>]*>", "", match["text"]),
                     "children": []}
            while len(stack) > 1 and stack[-1]["level"] >= level:  # type: ignore[operator]
                stack.pop()
            stack[-1]["children"].append(token)  # type: ignore[attr-defined]
            stack.append(token)
        return children

    pieces = ['<h1 id="t">', '<h2 id="a">', '<h3 class="c" id="b">', '<h4 id="d" data-toc-label="L &amp; M">',
              '<h2 id="">', "text", "<em>x</em>", '<a class="headerlink" href="#', "\n", "<h5 id=\"e\">"]
    generator = random.Random(13)
    for _ in range(5_000):
        body = "".join(generator.choice(pieces) for _ in range(generator.randint(0, 16)))
        title = [AnchorLink("Title", "title", 1)] if generator.random() < 0.8 else []
        contents, _ = page_contents(TableOfContents(title), body)
        assert outline(contents) == outline(get_toc(tokens(title, body))), body  # type: ignore[arg-type]


def test_without_labels_equals_cutting_each_labelled_attribute_on_random_headings() -> None:
    """The page is written as the contents' own pattern would cut it, heading by heading (the labels' spans
    are kept from reading to writing, so they must be in order and exact)."""
    heading = re.compile(r'<h(?P<level>[1-6])(?: class="[^"]*")? id="(?P<id>[^"]*)"(?P<labelled> data-toc-label='
                         r'"(?P<label>[^"]*)")?>(?P<text>.*?)<a class="headerlink" href="#')

    def cut(match: re.Match[str]) -> str:
        if match["labelled"] is None:
            return match[0]
        start, end = match.start("labelled") - match.start(), match.end("labelled") - match.start()
        return match[0][:start] + match[0][end:]

    pieces = ['<h2 id="a">', '<h3 id="b" data-toc-label="L">', '<h1 class="c" id="d" data-toc-label="">', "text",
              '<a class="headerlink" href="#', "\n", ' data-toc-label="x"', "<em>", "</em>"]
    generator = random.Random(14)
    labelled = 0
    for _ in range(5_000):
        body = "".join(generator.choice(pieces) for _ in range(generator.randint(0, 12)))
        _, labels = page_contents(TableOfContents([]), body)
        labelled += len(labels) > 1
        assert without(body, labels) == heading.sub(cut, body), body
    assert labelled > 50  # bodies with several labels were tried (71 of 5,000)
