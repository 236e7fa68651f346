"""The Jinja2 environment of OUR page templates (site_templates/*.j2, located by generator.resources).

Protocol text never goes through Jinja: it is rendered by generator.text.inline first and inserted as data.
Every template is HTML (*.html.j2) and autoescapes: data is escaped, HTML made by the generator (rendered
author Markdown, sanitized; tables; the schedule figure) arrives as Markup. Headings are written with
`heading` (the markup Python-Markdown's toc extension wrote: an id and a permalink; the site adapter
builds the page contents from exactly this form). `plain` escapes a page's title for the one Markdown
line MkDocs still converts (generator/render/html_page.py).
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cache
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template, select_autoescape
from markupsafe import Markup, escape

from generator.resources import site_templates_dir
from generator.text.inline import anchor, word_list

# Characters that Markdown (with the tables and attr_list extensions) would read as syntax.
_MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_{}\[\]()#+!|])")


def plain(text: object) -> str:
    """Plain text for Markdown (a page's title line): shown as written, never read as Markdown or HTML."""
    escaped = str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", escaped)


def iso_date(value: dt.date | None) -> str:
    """Dates are shown as YYYY-MM-DD: unambiguous whatever the reader's locale."""
    return value.isoformat() if value is not None else ""


def words(items: list[str]) -> str:
    """Items as words for an HTML template (which escapes them): "a pharmacist and a psychiatrist"."""
    return word_list(items, "and")


def heading(level: int, anchor: str, text: object, toc_label: str = "") -> Markup:
    """A heading of a generated page: `text` escaped (a Markup value is kept as it is), its id and the
    permalink anchor Material styles. `toc_label`: the page contents' name for it when not its text."""
    label = f' data-toc-label="{escape(toc_label)}"' if toc_label else ""
    return Markup(
        f'<h{level} id="{escape(anchor)}"{label}>{escape(text)}'
        f'<a class="headerlink" href="#{escape(anchor)}" title="Permanent link">&para;</a></h{level}>'
    )


def admonition(kind: str, title: object, body_html: object) -> Markup:
    """Material's admonition markup (what `!!! kind "title"` made): `body_html` is HTML already."""
    return Markup(
        f'<div class="admonition {escape(kind)}">\n<p class="admonition-title">{escape(title)}</p>\n'
        f"{body_html}\n</div>"
    )


@cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(site_templates_dir())),
        autoescape=select_autoescape(enabled_extensions=("html.j2",), default_for_string=True, default=True),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,  # templates are compiled once per process: no stat() of the file on every page
    )
    env.filters["iso_date"] = iso_date
    env.filters["words"] = words
    env.globals["heading"] = heading
    env.globals["admonition"] = admonition
    env.globals["anchor"] = anchor
    return env


@cache
def _template(name: str) -> Template:
    return environment().get_template(name)


def render_template(name: str, **context: Any) -> str:
    return _template(name).render(**context)
