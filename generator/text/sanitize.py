"""The allow-list every HTML fragment made from author text passes before it reaches a page (format §5).

Defence in depth: `protocols check` refuses raw HTML, unsafe links and outside images, and the renderer
never writes them; this is what holds if both missed something. nh3 (ammonia, the Rust sanitizer) parses
the fragment as a browser would and keeps only the elements and attributes author Markdown produces: no
event handler, no `style` but a table cell's text alignment, no script, iframe, object, embed, base, form,
meta, svg or math element, link URLs only http, https, mailto or relative, and images only from a
relative path inside the site (nothing loads from another host).

The result goes into a page's HTML body, which no Markdown processor reads (generator/render/html_page.py):
the characters Markdown acts on ("[", "*", "_", "{", ...) stay as they are.
"""

from __future__ import annotations

import re

import nh3

TAGS = {
    "p", "br", "hr", "strong", "em", "code", "pre", "blockquote", "ul", "ol", "li",
    "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td",
    "a", "img", "sup",
}
ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "ol": {"start"},
    "th": {"style"},
    "td": {"style"},
}
_OUTSIDE = re.compile(r"^[\x00-\x20]*(?:[A-Za-z][A-Za-z0-9+.-]*:|[/\\])")


def _attribute(tag: str, name: str, value: str) -> str | None:
    if tag == "img" and name == "src" and _OUTSIDE.match(re.sub(r"[\t\n\r]", "", value)):
        return None  # an image loads: only from a relative path inside the site (no scheme, no host)
    return value


_CLEANER = nh3.Cleaner(
    tags=TAGS,
    clean_content_tags={"script", "style", "template", "noscript", "iframe", "object", "embed", "svg", "math",
                        "textarea", "title", "xmp", "noembed", "noframes"},
    attributes=ATTRIBUTES,
    attribute_filter=_attribute,
    strip_comments=True,
    link_rel=None,
    url_schemes={"http", "https", "mailto"},
    allowed_classes={"sup": {"citation"}},
    filter_style_properties={"text-align"},
)


def sanitize(fragment: str) -> str:
    """`fragment` with everything outside the allow-list removed."""
    return _CLEANER.clean(fragment)
