"""A page whose body the generator writes as HTML: what the render layer hands the site adapter.

MkDocs still takes a Markdown source per page (it gives the page its title, its H1 and the H1's id, as
for every page before). So a page's text is that one line, `# <title>`, then HTML_BODY, then the body:
the adapter (generator/site/engine.py) lets Python-Markdown convert the line only, and puts the body after it.
The marker is an HTML comment: no escaped data, no sanitized author HTML (comments are stripped) and no
Markdown title line (`plain` escapes "<") can hold one, so the first one splits the page.
"""

from __future__ import annotations

from generator.render.templates import plain

HTML_BODY = "<!-- protocols: html body -->\n"


def html_page(title: str, body: str, suffix: str = "") -> str:
    """The page text of a title (plain text, escaped), the generator's `suffix` to it (" (retired)",
    written as is) and its HTML body (headings below H1)."""
    return f"# {plain(title)}{suffix}\n\n{HTML_BODY}{body}"


def split_html_page(text: str) -> tuple[str, str] | None:
    """(the Markdown title line, the HTML body) of an HTML page; None for a Markdown page."""
    head, marker, body = text.partition(HTML_BODY)
    return (head, body) if marker else None
