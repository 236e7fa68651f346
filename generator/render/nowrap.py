"""Quantities and dates that do not break across lines on a page (issue 16: "mg" alone on a phone line,
"2026-03-/02").

`keep_together(html)` wraps, in the text of an HTML body, every number followed by a unit
("0.35 mg/kg/h", "3,000 mg", "40 minutes") and every ISO date ("2026-03-02") in
`<span class="pc-nowrap">`, which site.css keeps on one line. It runs where the generator finishes a
page's body (generator/render/placed_page.py), so the site engine scans no page; what the theme writes
from our data (page titles in the header and navigation, contents labels, the site name, the disclaimer)
is wrapped text by text by the `pc_nowrap` filter of site_templates/overrides (the same pass).
The characters themselves are unchanged, so what a reader copies, what search indexes and what the checks
read (the author's YAML) stay as written. Markup is left alone: tags and their attributes, comments, and
the content of elements whose text is not running text (script, style, svg, code, pre, textarea, title,
select).

assets/dose-panel.js does the same for the figures it writes (its UNIT_WORDS mirror UNIT_WORDS here;
tests/render/test_nowrap.py holds them equal).
"""

from __future__ import annotations

import re

from generator.model.quantity import TIME_PLURALS, UNITS

NOWRAP_CLASS = "pc-nowrap"

# Units as a page shows them: the §3.1 spellings, time words (format_length), and pounds (the panel).
UNIT_WORDS: tuple[str, ...] = tuple(sorted(
    {*UNITS, *TIME_PLURALS, "minute", "minutes", "hour", "hours", "days", "weeks", "months", "lb"},
    key=lambda unit: (-len(unit), unit),  # longest first: "mg/kg/h" before "mg/kg" before "mg"
))

_UNIT = "|".join(re.escape(unit) for unit in UNIT_WORDS)
# A number (grouped or not) not glued to a word before it, one space or no-break space, a unit not
# glued to a word or a "/" after it.
_QUANTITY = rf"(?<![\w.,])[0-9][0-9,]*(?:\.[0-9]+)?[ \u00a0](?:{_UNIT})(?![\w/])"
_DATE = r"(?<![\w-])[0-9]{4}-[0-9]{2}-[0-9]{2}(?![\w-])"

_SKIPPED_ELEMENTS = "script|style|svg|code|pre|textarea|title|select"
# The inside of a tag: unquoted characters other than "<" and ">", and quoted values. Possessive (`++`, `*+`),
# so that a "<" never closed is given up in one pass, not tried again in every way of splitting what follows
# it ("<ab ab ab ..." took a minute for 10 words); a "<" inside it starts a tag of its own, so a run of "<"
# is not rescanned to the end once per "<". A comment or skipped element never closed runs to the end of the
# text, as a browser reads it, instead of being searched for again from every later opening.
_INSIDE_TAG = r"(?:[^<>\"']++|\"[^\"]*+\"|'[^']*+')*+"
_MARKUP = (
    r"<!--.*?(?:-->|\Z)"
    rf"|<(?P<element>{_SKIPPED_ELEMENTS})\b{_INSIDE_TAG}>.*?(?:</(?P=element)\s*>|\Z)"
    rf"|<{_INSIDE_TAG}>"
)
# One pass over the body: runs of text without a digit or "<" and whole pieces of markup are kept as
# they are; a quantity or a date is wrapped (one scan, about 1.5 ms for a 30 KB body; linear in the
# length of any text, tests/render/test_nowrap.py).
_TOKEN = re.compile(rf"[^<0-9]+|(?P<markup>{_MARKUP})|(?P<together>{_QUANTITY}|{_DATE})", re.DOTALL | re.IGNORECASE)
_OPEN = f'<span class="{NOWRAP_CLASS}">'


def _wrapped(match: re.Match[str]) -> str:
    return f"{_OPEN}{match.group(0)}</span>" if match.lastgroup == "together" else match.group(0)


def keep_together(html: str) -> str:
    """An HTML body (or any fragment that starts and ends between tags) with its running text wrapped
    (see the module's docstring)."""
    return _TOKEN.sub(_wrapped, html)
