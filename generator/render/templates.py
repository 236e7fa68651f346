"""The Jinja2 environment of OUR page templates (site_templates/*.j2, located by generator.resources).

Protocol text never goes through Jinja: it is rendered by generator.inline first and inserted as data.
HTML templates (*.html.j2) autoescape and write headings with `heading` (the markup Python-Markdown's
toc extension wrote: an id and a permalink; the site adapter builds the page contents from exactly this
form); Markdown templates (*.md.j2) insert plain text through the `plain` filter, which escapes both HTML
and Markdown punctuation, and rendered Markdown as is.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cache
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template, select_autoescape
from markupsafe import Markup, escape

from generator.resources import site_templates_dir

# Characters that Markdown (with the tables and attr_list extensions) would read as syntax.
_MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_{}\[\]()#+!|])")


def plain(text: object) -> str:
    """Plain text for a Markdown page: shown as written, never read as Markdown or HTML."""
    escaped = str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", escaped)


def iso_date(value: dt.date | None) -> str:
    """Dates are shown as YYYY-MM-DD: unambiguous whatever the reader's locale."""
    return value.isoformat() if value is not None else ""


def and_list(items: list[str]) -> str:
    """Plain-text items as words: "a pharmacist and a psychiatrist"."""
    shown = [plain(item) for item in items]
    return shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} and {shown[-1]}" if shown else ""


def words(items: list[str]) -> str:
    """Items as words for an HTML template (which escapes them): "a pharmacist and a psychiatrist"."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}" if items else ""


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
        autoescape=select_autoescape(enabled_extensions=("html.j2",), default_for_string=False, default=False),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,  # templates are compiled once per process: no stat() of the file on every page
    )
    env.filters["plain"] = plain
    env.filters["iso_date"] = iso_date
    env.filters["and_list"] = and_list
    env.filters["words"] = words
    env.globals["heading"] = heading
    env.globals["admonition"] = admonition
    return env


@cache
def _template(name: str) -> Template:
    return environment().get_template(name)


def render_template(name: str, **context: Any) -> str:
    return _template(name).render(**context)
