"""A page's body finished for the place it is served from: the last step of render, so that the site engine
only wraps the body in the theme.

The families write each body with its links root-relative (`paths.href`) and its quantities bare. Here
each page body gets, once, the `pc-nowrap` spans of generator/render/nowrap.py and its links made
relative to its own page (generator/render/page_links.py, with the site's `use_directory_urls`). A text
shown on several pages (generator/render/protocol_page.SharedProtocolText: a version page, the canonical
page, handbook print views) is wrapped once, by that text, and reaches here once per page, so each copy's
links fit the page showing it.
The page's title line stays as it is: MkDocs converts it, and the adapter wraps the H1 it makes.

`protocols serve` keeps each placed page between saves (`PlacedMemo` below, filled by generator/render/families.py) with
only a digest of the text it was placed from: the rendered texts of a whole site are as large as the placed
ones (about 90 MB at N = 300), and a page is placed again only when its rendered text changed.
"""

from __future__ import annotations

import hashlib

from generator.render.html_page import HTML_BODY, split_html_page
from generator.render.nowrap import keep_together
from generator.render.page_links import localize


def placed_page(path: str, text: str, directory_urls: bool, kept_together: bool = False) -> str:
    """The page text of `path` (a pages-dict key) with its HTML body wrapped (unless `kept_together`: its
    family wrapped it, once for every page showing the text) and its links relative to `path`; any other
    file (not an HTML page) as it is."""
    if not path.endswith(".md"):
        return text
    split = split_html_page(text)
    if split is None:
        return text
    title_line, body = split
    return f"{title_line}{HTML_BODY}{localize(body if kept_together else keep_together(body), path, directory_urls)}"


# path -> (rendered_digest of the text the page was placed from, kept_together, the placed page)
PlacedMemo = dict[str, tuple[bytes, bool, str]]


def rendered_digest(text: str | bytes) -> bytes:
    """What the placed-page memo knows of a page's rendered text (or an image's bytes): enough to tell it
    changed, not the text."""
    data = text.encode("utf-8", errors="surrogatepass") if isinstance(text, str) else text
    return hashlib.blake2b(data, digest_size=32).digest()
