"""A page's contents (MkDocs' ``page.toc``) made from the headings the generator wrote in its body."""

from __future__ import annotations

import re
from collections.abc import Sequence

from mkdocs.structure.toc import TableOfContents

TocToken = dict  # what mkdocs.structure.toc.get_toc takes: level, id, name, children


# The headings the generator writes (generator.render.templates.heading): an id, perhaps a class before it
# and a contents label after it, the text, then Material's permalink anchor.
_HEADING = re.compile(
    r'<h(?P<level>[1-6])(?: class="[^"]*")? id="(?P<id>[^"]*)"(?P<labelled> data-toc-label="(?P<label>[^"]*)")?>'
    r'(?P<text>.*?)<a class="headerlink" href="#'
)
_ID = 'id="'
_TAGS = re.compile(r"<[^>]*>")


def toc_tokens(title_toc: TableOfContents, body: str) -> tuple[list[TocToken], list[tuple[int, int]]]:
    """The page contents as Python-Markdown's toc extension gives them to MkDocs: the H1 that MkDocs made
    of the title line, and below it every heading the generator wrote in `body`, nested by level; and where
    the headings' contents labels are in `body` (the span of each ` data-toc-label="..."`), which, like the
    toc extension, only the contents show: the page is written `without` them."""
    root: TocToken = {"level": 0, "id": "", "name": "", "children": []}
    for item in title_toc:
        root["children"].append({"level": item.level, "id": item.id, "name": item.title, "children": []})
    stack = [root, *root["children"][-1:]]
    labels: list[tuple[int, int]] = []
    for match in _HEADING.finditer(body):
        level = int(match.group("level"))
        label = match.group("label")
        token: TocToken = {"level": level, "id": match.group("id"), "name": label or _TAGS.sub("", match.group("text")),
                           "children": []}
        while len(stack) > 1 and stack[-1]["level"] >= level:
            stack.pop()
        stack[-1]["children"].append(token)
        stack.append(token)
        if label is not None:
            labels.append(match.span("labelled"))
    return root["children"], labels


def without(text: str, spans: Sequence[tuple[int, int]]) -> str:
    """`text` without the (start, end) spans, which are in order and do not overlap."""
    if not spans:
        return text
    kept, last = [], 0
    for start, end in spans:
        kept.append(text[last:start])
        last = end
    kept.append(text[last:])
    return "".join(kept)


def page_ids(body: str) -> set[str]:
    """Every value of an ``id`` attribute in ``body``: what ``re.findall(r'\\sid="([^"]*)"', body)`` finds, by
    a search for the literal ``id="`` (that pattern, starting with ``\\s``, makes ``re`` try every position:
    5 times slower on a protocol's page)."""
    ids: set[str] = set()
    start = body.find(_ID, 1)
    while start >= 0:
        end = body.find('"', start + len(_ID))
        if end < 0:
            break
        if body[start - 1].isspace():
            ids.add(body[start + len(_ID):end])
            start = body.find(_ID, end + 1)
        else:
            start = body.find(_ID, start + 1)
    return ids
