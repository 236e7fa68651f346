"""The Jinja2 environment of OUR page templates (site_templates/*.j2, located by generator.resources).

Protocol text never goes through Jinja: it is rendered by generator.text.inline first and inserted as data.
HTML templates (*.html.j2) autoescape; Markdown templates (*.md.j2) insert plain text through the
`plain` filter, which escapes both HTML and Markdown punctuation, and rendered Markdown as is.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cache
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template, select_autoescape

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
    return env


@cache
def _template(name: str) -> Template:
    return environment().get_template(name)


def render_template(name: str, **context: Any) -> str:
    return _template(name).render(**context)
