"""A page's contents block written in Python, byte for byte what overrides/partials/toc.html renders.

Jinja renders the contents through Material's recursive ``{% include "partials/toc-item.html" %}``: per
item a template lookup and a new context (0.75 to 0.9 s of CPU for a 1,584-page site, see
benchmarks/findings.md). ``contents_html`` writes the same text, white space included, straight from the
templates' source: each literal below is the text between two tags of toc.html or toc-item.html (Jinja's
defaults: no block trimming, no autoescape). It covers what those templates write without Material's
typeset plugin: an item with a ``typeset`` attribute, or an item's title or URL or the contents' title that
is not a string, gives None, and the template renders as before. tests/site/test_contents_html.py renders
random contents both ways.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from markupsafe import escape

Label = Callable[[str], object]  # the pc_nowrap filter


class _Uncovered(Exception):
    """The contents hold something only the template writes as Jinja would (see the module's docstring)."""


def contents_html(toc: Iterable[Any], title: object, configured: object, label: Label) -> str | None:
    """toc.html's ``<nav class="md-nav md-nav--secondary">`` for a page's ``toc``, its title from
    ``lang.t("toc")`` (``title``) unless ``configured`` (``config.mdx_configs.toc.title`` as the template
    reads it) is true; labels through ``label``. None where the template must render it."""
    if configured:
        title, opening = configured, "\n\n  \n\n"  # the template's {% if %} that sets the configured title
    else:
        opening = "\n\n"
    if not isinstance(title, str):
        return None
    out = [opening, '<nav class="md-nav md-nav--secondary" aria-label="', str(escape(title)), '">\n  \n  \n  ']
    first = next(iter(toc), None)
    if first and first.level == 1:
        toc = first.children
        out.append("\n    \n  ")  # the template's {% if %} that takes the children of a level-1 heading
    out.append("\n  ")
    if toc:
        out += ['\n    <label class="md-nav__title" for="__toc">\n      <span class="md-nav__icon md-icon"></span>\n'
                "      ", title,
                '\n    </label>\n    <ul class="md-nav__list" data-md-component="toc" data-md-scrollfix>\n      ']
        try:
            for item in toc:
                out.append("\n        ")
                _write_item(item, out, label)
                out.append("\n      ")
        except _Uncovered:
            return None
        out.append("\n    </ul>\n  ")
    out.append("\n</nav>")
    return "".join(out)


def _write_item(item: Any, out: list[str], label: Label) -> None:
    """toc-item.html for ``item`` and its children, appended to ``out``."""
    url, text = getattr(item, "url", None), getattr(item, "title", None)
    if hasattr(item, "typeset") or not isinstance(url, str) or not isinstance(text, str):
        raise _Uncovered
    labelled = label(text)
    if not isinstance(labelled, str):
        raise _Uncovered
    out += ['<li class="md-nav__item">\n  <a href="', url,
            '" class="md-nav__link">\n    <span class="md-ellipsis">\n      \n        ', labelled,
            "\n      \n    </span>\n  </a>\n  "]
    children = item.children
    if children:
        out.append('\n    <div class="md-nav">\n      <ul class="md-nav__list">\n        ')
        for child in children:
            out.append("\n          ")
            _write_item(child, out, label)
            out.append("\n        ")
        out.append("\n      </ul>\n    </div>\n  ")
    out.append("\n</li>")
