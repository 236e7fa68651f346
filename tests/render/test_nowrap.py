"""generator/render/nowrap.py: a quantity or a date on a page never breaks across lines (issue 16: "mg" alone on a
phone line, "2026-03-/02"), without changing a character of the text. The whole sample sites at 390 px are
checked in tests/end_to_end/test_accessibility.py; here the wrapping itself, what it must leave alone, the dose
panel's own figures, and the JavaScript's units against Python's."""

from __future__ import annotations

import re
from typing import Any

import pytest
from axe import PHONE, split_quantities_and_dates
from browser import REPO_ROOT
from helpers import fails_after
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis_profiles import examples

from generator.render import nowrap
from generator.render.nowrap import UNIT_WORDS, keep_together

PAGE = '<!doctype html><html><head><title>Dose 5 mg on 2026-03-02</title></head><body>{}</body></html>'


def wrapped(text: str) -> str:
    return f'<span class="pc-nowrap">{text}</span>'


@pytest.mark.parametrize(("text", "expected"), [
    ("Give 0.35 mg/kg/h", f"Give {wrapped('0.35 mg/kg/h')}"),
    ("maximum 25 mg/h, 3,000 mg", f"maximum {wrapped('25 mg/h')}, {wrapped('3,000 mg')}"),
    ("over 40 minutes for 1 week", f"over {wrapped('40 minutes')} for {wrapped('1 week')}"),
    ("56 or 84 mg", f"56 or {wrapped('84 mg')}"),
    ("0.1 to 0.75 mg/kg", f"0.1 to {wrapped('0.75 mg/kg')}"),
    ("effective 2026-03-02.", f"effective {wrapped('2026-03-02')}."),
    ("154.3 lb and 70\u00a0kg", wrapped("154.3 lb") + " and " + wrapped("70\u00a0kg")),
    # Not quantities: a unit glued to more letters or a slash, a number glued to a word, two spaces,
    # a longer digit run than a date, a version.
    ("5 mgx, 5 mg/dL, a5 mg, 5  mg, 12026-03-02, 2026-03-021, 1.1 h", "5 mgx, 5 mg/dL, a5 mg, 5  mg, "
     f"12026-03-02, 2026-03-021, {wrapped('1.1 h')}"),
    ("5 hospitals, 3 days", f"5 hospitals, {wrapped('3 days')}"),
    ("", ""),
])
def test_quantities_and_dates_in_text_are_wrapped(text: str, expected: str) -> None:
    assert keep_together(text) == expected


def test_markup_and_text_that_is_not_running_text_are_left_alone() -> None:
    body = ('<p class="a" data-spec=\'{"dose": "5 mg", "x": "a>b"}\' title="5 mg">Rate 25 mg/h</p>'
            '<!-- 5 mg > 4 mg --><SCRIPT>var s = "5 mg";</SCRIPT><style>/* 5 mg */</style>'
            '<pre><code>5 mg</code></pre><code>5 mg</code><svg><text>5 mg</text></svg>'
            '<textarea>5 mg</textarea><select><option>5 mg</option></select><td>70 kg</td>')
    assert keep_together(PAGE.format(body)) == PAGE.format(
        '<p class="a" data-spec=\'{"dose": "5 mg", "x": "a>b"}\' title="5 mg">Rate ' + wrapped("25 mg/h") + "</p>"
        '<!-- 5 mg > 4 mg --><SCRIPT>var s = "5 mg";</SCRIPT><style>/* 5 mg */</style>'
        '<pre><code>5 mg</code></pre><code>5 mg</code><svg><text>5 mg</text></svg>'
        '<textarea>5 mg</textarea><select><option>5 mg</option></select><td>' + wrapped("70 kg") + "</td>")


def test_a_title_element_is_unchanged_and_a_fragment_is_wrapped() -> None:
    assert keep_together(PAGE.format("")) == PAGE.format("")
    assert keep_together("<p>5 mg</p>") == f"<p>{wrapped('5 mg')}</p>"
    assert keep_together("5 mg<p>2026-03-02") == f"{wrapped('5 mg')}<p>{wrapped('2026-03-02')}"


def test_the_text_a_reader_sees_is_unchanged() -> None:
    body = "<p>Give <strong>0.5 mg/kg</strong> over 40 minutes from 2026-03-02 (max 3,000 mg).</p>"
    tags = re.compile(r"<[^>]*>")
    assert tags.sub("", keep_together(PAGE.format(body))) == tags.sub("", PAGE.format(body))


# Texts that made the scan backtrack or rescan: the first took about a minute with 10 words before the pattern
# was made possessive; runs of openings never closed were searched to the end once per opening.
NEVER_CLOSED = {
    "words after a <": "<" + "ab " * 100_000,
    "a run of <": "<" * 100_000,
    "< and a quote": '<"' * 100_000,
    "both quotes": "<a \"x' " * 100_000,
    "skipped elements": "<code>" * 20_000,
    "comments": "<!--" * 25_000,
    "quoted attributes": '<code a="' * 50_000,
    "scripts with a quoted >": '<script x=">' * 50_000,
}


@pytest.mark.parametrize("text", NEVER_CLOSED.values(), ids=list(NEVER_CLOSED))
def test_a_text_of_openings_never_closed_is_read_in_one_pass(text: str) -> None:
    with fails_after(5):  # about 0.1 s; before, the first ran for longer than anyone waits
        assert keep_together(text) == text
    with fails_after(5):
        assert keep_together(f"{text[:10_000]} 5 mg") in {f"{text[:10_000]} 5 mg", f"{text[:10_000]} {wrapped('5 mg')}"}


@pytest.mark.parametrize(("text", "expected"), [
    ("a < b and 5 mg", f"a < b and {wrapped('5 mg')}"),  # a "<" that opens no tag is text
    ("<a<b 5 mg>c 5 mg", f"<a<b 5 mg>c {wrapped('5 mg')}"),  # a "<" inside a tag opens the tag read from there
    ("<!-- 5 mg", "<!-- 5 mg"),  # a comment never closed runs to the end, as a browser reads it
    ("<script>var a = '5 mg'", "<script>var a = '5 mg'"),
    ("<code>5 mg</code >5 mg", f"<code>5 mg</code >{wrapped('5 mg')}"),
])
def test_markup_never_closed_is_read_as_a_browser_reads_it(text: str, expected: str) -> None:
    assert keep_together(text) == expected


# The pattern before it was made possessive, on HTML that closes what it opens: there the two must agree.
_BEFORE = re.compile(
    r"[^<0-9]+|(?P<markup><!--.*?-->"
    rf"|<(?P<element>{nowrap._SKIPPED_ELEMENTS})\b(?:[^>\"']+|\"[^\"]*\"|'[^']*')*>.*?</(?P=element)\s*>"
    r"|<(?:[^>\"']+|\"[^\"]*\"|'[^']*')*>)"
    rf"|(?P<together>{nowrap._QUANTITY}|{nowrap._DATE})",
    re.DOTALL | re.IGNORECASE,
)
WELL_FORMED = st.sampled_from([
    "Give 0.5 mg/kg", " over 40 minutes", " from 2026-03-02", "3,000 mg", "x > 5 mg", "&lt;5 mg", "1.1 h", " ",
    "<p>", "</p>", '<td class="a" title="5 mg">', "<td title='a \"5 mg\" <b>'>", '<a href="x?a=1&amp;b=<2>">', "<br/>",
    "<!-- 5 mg > 4 mg -->", "<code>5 mg</code>", '<script>if (a < b) { s = "5 mg"; }</script>',
    "<svg><text>5 mg</text></svg>", "<PRE>5 mg</PRE>", "<title>5 mg</title >", "<textarea>2026-03-02</textarea>",
])


@settings(max_examples=examples(500), deadline=None)
@given(st.lists(WELL_FORMED, max_size=30).map("".join))
def test_on_html_that_closes_what_it_opens_the_wrapping_is_what_it_was(html: str) -> None:
    assert keep_together(html) == _BEFORE.sub(nowrap._wrapped, html)


def test_the_panels_units_are_pythons() -> None:
    script = (REPO_ROOT / "site_templates/assets/dose-panel.js").read_text(encoding="utf-8")
    listed = re.search(r"var UNIT_WORDS = \[(.*?)\];", script, re.DOTALL)
    assert listed is not None
    assert tuple(re.findall(r'"([^"]+)"', listed.group(1))) == UNIT_WORDS


def test_the_built_pages_keep_figures_and_dates_together(built_sites: dict[str, Any]) -> None:
    root = built_sites["clinician"].root
    crps = (root / "protocols/ketamine-crps/index.html").read_text(encoding="utf-8")
    assert f"never faster than {wrapped('25 mg/h')}" in crps
    assert f"<td>{wrapped('14 mg/h')}</td>" in crps  # a dose table cell (40 kg)
    home = (root / "index.html").read_text(encoding="utf-8")
    assert wrapped("2026-04-01") in home


def test_the_panels_figures_stay_on_one_line_at_390_px(served_sites: dict[str, Any], chromium_browser: Any) -> None:
    """The panel writes its figures after the page has loaded: they are kept together by dose-panel.js."""
    served = served_sites["clinician"]
    page = chromium_browser.new_page(viewport=PHONE)
    try:
        page.goto(served.url("protocols/ketamine-crps/index.html"), wait_until="load")
        page.get_by_label("Patient weight").fill("130")
        result = page.locator(".pc-dose-panel__result").first
        kept = result.locator(".pc-nowrap").all_inner_texts()
        text = result.inner_text()
        split, whole = split_quantities_and_dates(page)
    finally:
        page.close()
    assert kept[:3] == ["130 kg", "25 mg/h", "25 mg/h"] and "130 kg" in text
    assert "Check: weight 130 kg is outside the dose table (40 to 120 kg); check the dose." in text
    assert split == [] and whole > 50
