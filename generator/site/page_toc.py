"""A page's contents (MkDocs' ``page.toc``) made from the headings the generator wrote in its body."""

from __future__ import annotations

import re
from collections.abc import Sequence

from mkdocs.structure.toc import AnchorLink, TableOfContents

# The headings the generator writes (generator.render.templates.heading): an id, perhaps a class before it
# and a contents label after it, the text, then Material's permalink anchor.
_HEADING = re.compile(
    r'<h(?P<level>[1-6])(?: class="[^"]*")? id="(?P<id>[^"]*)"(?P<labelled> data-toc-label="(?P<label>[^"]*)")?>'
    r'(?P<text>.*?)<a class="headerlink" href="#'
)
_ID = 'id="'
_TAGS = re.compile(r"<[^>]*>")


def page_contents(title_toc: TableOfContents, body: str) -> tuple[TableOfContents, list[tuple[int, int]]]:
    """The page contents as MkDocs makes them of Python-Markdown's toc extension (``get_toc``, built here
    directly): the H1 that MkDocs made of the title line, and below it every heading the generator wrote in
    `body`, nested by level, the first item active; and where the headings' contents labels are in `body`
    (the span of each ` data-toc-label="..."`), which, like the toc extension, only the contents show: the
    page is written `without` them."""
    items = [AnchorLink(item.title, item.id, item.level) for item in title_toc]
    open_items = items[-1:]  # the last item of each level above the next heading
    labels: list[tuple[int, int]] = []
    for match in _HEADING.finditer(body):
        level = int(match.group("level"))
        label = match.group("label")
        link = AnchorLink(label or _TAGS.sub("", match.group("text")), match.group("id"), level)
        while open_items and open_items[-1].level >= level:
            open_items.pop()
        (open_items[-1].children if open_items else items).append(link)
        open_items.append(link)
        if label is not None:
            labels.append(match.span("labelled"))
    if items:
        items[0].active = True  # type: ignore[attr-defined]  (as get_toc marks it)
    return TableOfContents(items), labels


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
