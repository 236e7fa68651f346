"""Text rendered once and placed on several pages: what depends on the page is filled in per page.

A protocol version's page is the same on its canonical page, on its own version page and in a
handbook's print view, except for its relative links and the few lines that name the page itself
("this page"). A renderer asks `PageFragments` for each such piece instead of computing it:

- `PageFragments.for_page(page)` computes each piece at once (an ordinary render of one page);
- `PageFragments.deferred()` leaves a marker "\\x00<n>\\x00" in its place, and `fill(text, page)`
  later writes every piece for one page.

Author text may itself contain NUL (a YAML "\\0" escape). `fill` therefore writes a text only when its
NULs are exactly those of its own markers, each marker present once; otherwise it returns None and the
caller renders that page directly. A marker is never confused with author text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

Fragment = Callable[[str], str]  # page path -> the text for that page

@lru_cache(maxsize=1 << 16)  # a site links the same few pages from many places
def relative(from_page: str, to_page: str) -> str:
    """A relative link from one page path to another: posixpath.relpath(to_page, dirname(from_page)), for
    the normalised relative paths of the pages dict, without relpath's two os.getcwd() calls."""
    start = from_page.split("/")[:-1]
    target = to_page.split("/")
    common = 0
    for here, there in zip(start, target, strict=False):
        if here != there:
            break
        common += 1
    return "/".join([".."] * (len(start) - common) + target[common:]) or "."


MARK = "\x00"
_MARKER = re.compile("\x00([0-9]+)\x00")


class PageFragments:
    """The page-dependent pieces of one render: computed for a known page, or deferred as markers."""

    def __init__(self, page: str | None) -> None:
        self.page = page  # None: deferred
        self.fragments: list[Fragment] = []

    @classmethod
    def for_page(cls, page: str) -> PageFragments:
        return cls(page)

    @classmethod
    def deferred(cls) -> PageFragments:
        return cls(None)

    def text(self, fragment: Fragment) -> str:
        """`fragment(page)` for this render's page, or a marker for it."""
        if self.page is not None:
            return fragment(self.page)
        self.fragments.append(fragment)
        return f"{MARK}{len(self.fragments) - 1}{MARK}"

    def fill(self, text: str, page: str) -> str | None:
        """`text` (rendered with these fragments) for `page`; None when author NULs make markers unsure."""
        if self.page is not None:
            return text if self.page == page else None
        if text.count(MARK) != 2 * len(self.fragments):
            return None
        found: set[int] = set()

        def replace(match: re.Match[str]) -> str:
            index = int(match.group(1))
            found.add(index)
            return self.fragments[index](page) if index < len(self.fragments) else match.group(0)

        filled = _MARKER.sub(replace, text)
        if found != set(range(len(self.fragments))):  # a marker missing or repeated
            return None
        return filled
