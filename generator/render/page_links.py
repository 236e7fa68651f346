"""The one substitution that makes a page's links relative, done as render finishes each page body
(generator/render/placed_page.py), so the site engine rewrites no link.

The render layer writes every internal link of its HTML root-relative, as a site path (`paths.href`):
`href="/protocols/x/index.md#dosing"`, `src="/assets/protocol-files/flow.png"`, and inside the JSON of a
data attribute `&#34;href&#34;:&#34;/protocols/x/1.1/index.md&#34;`. `localize(html, page, directory_urls)`
rewrites each to the URL relative to `page` as the site serves it (`use_directory_urls`), so a site works
under any sub-path and a text rendered once reads right on every page that shows it. A link to the page
itself becomes its bare anchor ("#" for its top).

Author text cannot yield these forms: its links keep only http, https and mailto destinations; its text
has `<` escaped (so no tag starts in it) and its quotes in attributes escaped (so no attribute value
holds `"/`).
"""

from __future__ import annotations

import re
from functools import lru_cache

# A root-relative href or src, or the "href" of JSON in a data attribute (quotes escaped as &#34; by
# Jinja's autoescape); each is rewritten only inside a tag (_inside_tag).
_LINK = re.compile(
    r'(?<=\s)(?P<attr>href|src)="/(?P<path>[^"#]*)(?P<anchor>#[^"]*)?"'
    r"|(?P<json>&#34;href&#34;:&#34;)/(?P<json_path>[^&#]*)(?P<json_anchor>#[^&]*)?&#34;"
)
# From a tag's "<" to one of its attributes: its name and whole attributes (quoted values may hold "<" or
# ">"), no unquoted ">".
_TAG_SO_FAR = re.compile(r'<[a-zA-Z][a-zA-Z0-9]*(?:\s+[^\s"=<>/]+(?:="[^"]*")?)*(?:\s+[^\s"=<>/]+="[^"]*)?\s*')
_TAG_REACH = 1 << 14  # characters back to look for the tag's "<" (our tags are far shorter)
_ATTR_MARK = '="/'  # what follows the name of a root-relative href or src
_JSON_MARK = "&#34;href&#34;:&#34;/"


def _link_starts(html: str) -> list[int]:
    """Every position where _LINK could match, in order, found with str.find: a regex scan of a whole body
    for them costs ten times as much (its lookbehind defeats the regex engine's prefix search)."""
    starts = []
    mark = html.find(_ATTR_MARK)
    while mark >= 0:
        if mark >= 4 and html.startswith("href", mark - 4):
            starts.append(mark - 4)
        elif mark >= 3 and html.startswith("src", mark - 3):
            starts.append(mark - 3)
        mark = html.find(_ATTR_MARK, mark + len(_ATTR_MARK))
    mark = html.find(_JSON_MARK)
    while mark >= 0:
        starts.append(mark)
        mark = html.find(_JSON_MARK, mark + len(_JSON_MARK))
    return sorted(starts)


def _inside_tag(html: str, position: int) -> bool:
    """Whether `position` lies among the attributes of a tag. Text has "<" escaped, so the tag starts at one
    of the "<" before it: the nearest from which all up to `position` reads as a tag so far."""
    floor = max(0, position - _TAG_REACH)
    start = html.rfind("<", floor, position)
    while start >= 0:
        if _TAG_SO_FAR.fullmatch(html, start, position):
            return True
        start = html.rfind("<", floor, start)
    return False


@lru_cache(maxsize=1 << 12)
def served_url(path: str, directory_urls: bool) -> str:
    """Where a site path is served from the site root: "protocols/x/index.md" -> "protocols/x/" (or
    ".../index.html"), "whats-new.md" -> "whats-new/" (or "whats-new.html"), other files as they are."""
    if not path.endswith(".md"):
        return path
    stem = path[: -len(".md")]
    folder, _, name = stem.rpartition("/")
    prefix = f"{folder}/" if folder else ""
    if name in ("index", "README"):
        return prefix if directory_urls else f"{prefix}index.html"
    return f"{stem}/" if directory_urls else f"{stem}.html"


@lru_cache(maxsize=1 << 16)
def relative_url(from_page: str, to_path: str, directory_urls: bool) -> str:
    """The URL of site path `to_path` relative to the served page `from_page` ("" for the page itself)."""
    here = served_url(from_page, directory_urls)
    there = served_url(to_path, directory_urls)
    if here == there:
        return ""
    start = here.split("/")[:-1]  # the folder the page is served from
    target = there.split("/")
    common = 0
    for mine, theirs in zip(start, target, strict=False):
        if mine != theirs:
            break
        common += 1
    return "/".join([".."] * (len(start) - common) + target[common:]) or "./"


def localize(html: str, page: str, directory_urls: bool) -> str:
    """`html` with every root-relative link written relative to `page` (a path of the pages dict)."""

    def replace(match: re.Match[str]) -> str:
        if not _inside_tag(html, match.start()):
            return match.group(0)
        if match.group("attr") is not None:
            opening, closing = f'{match.group("attr")}="', '"'
            path, anchor = match.group("path"), match.group("anchor") or ""
        else:
            opening, closing = match.group("json"), "&#34;"
            path, anchor = match.group("json_path"), match.group("json_anchor") or ""
        url = relative_url(page, path, directory_urls)
        return f"{opening}{url + anchor if url or anchor else '#'}{closing}"

    # As _LINK.sub(replace, html) would, matching only where a link can start.
    pieces: list[str] = []
    done = 0
    for start in _link_starts(html):
        match = _LINK.match(html, start) if start >= done else None
        if match is not None:
            pieces += [html[done:start], replace(match)]
            done = match.end()
    pieces.append(html[done:])
    return "".join(pieces)
