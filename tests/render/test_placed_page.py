"""generator/render/placed_page.py: each page body leaves render finished for the page that shows it, its
quantities and dates kept on one line and its links relative to the page, so the site engine rewrites no
page. The whole sample sites are compared byte for byte with their golden forms
(tests/end_to_end/test_golden_sites.py); here what placing does, what it leaves alone, and that every page
kind of the sample gets it."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from helpers import SAMPLE_LIBRARY

from generator.load.library import load_library
from generator.render.families import render_site
from generator.render.html_page import HTML_BODY, html_page, split_html_page
from generator.render.nowrap import keep_together
from generator.render.page_links import localize
from generator.render.placed_page import placed_page

AS_OF = dt.date(2026, 11, 30)
OPEN = '<span class="pc-nowrap">'


def wrapped(text: str) -> str:
    return f"{OPEN}{text}</span>"


@pytest.fixture(scope="module")
def sites() -> dict[tuple[bool, bool | None], dict[str, str]]:
    library = load_library(SAMPLE_LIBRARY)
    return {(reviewer, urls): render_site(library, AS_OF, reviewer, directory_urls=urls)
            for reviewer in (False, True) for urls in (None, True, False)}


def test_a_body_is_wrapped_and_its_links_made_relative_and_its_title_line_is_left_to_the_engine() -> None:
    text = html_page("Dose 5 mg from 2026-03-02",
                     '<p>Give 5 mg on 2026-03-02, see <a href="/protocols/x/index.md#dose">x</a>.</p>\n')
    assert placed_page("protocols/y/1.0/index.md", text, True) == (
        f"# Dose 5 mg from 2026-03-02\n\n{HTML_BODY}"
        f'<p>Give {wrapped("5 mg")} on {wrapped("2026-03-02")}, see <a href="../../x/#dose">x</a>.</p>\n')
    assert placed_page("protocols/y/1.0/index.md", text, False).endswith(
        '<a href="../../x/index.html#dose">x</a>.</p>\n')


@pytest.mark.parametrize("path", ["protocols.json", "audit.txt", "assets/protocol-files/a.svg"])
def test_a_file_that_is_not_a_page_is_left_as_written(path: str) -> None:
    text = '{"dose": "5 mg", "href": "/protocols/x/index.md", "body": "<!-- protocols: html body -->\\n5 mg"}'
    assert placed_page(path, text, True) == text


def test_a_markdown_page_is_left_to_its_writer() -> None:
    text = '# Home\n\nGive 5 mg, <a href="/index.md">home</a>\n'
    assert placed_page("index.md", text, True) == text


@pytest.mark.parametrize(("body", "placed"), [
    # not running text: code, an attribute, a link's address, script JSON, a comment
    ("<p><code>5 mg</code> <a href=\"https://example.org/2026-03-02/5 mg\" title=\"5 mg\">l</a></p>",
     "<p><code>5 mg</code> <a href=\"https://example.org/2026-03-02/5 mg\" title=\"5 mg\">l</a></p>"),
    ('<script type="application/json">{"dose": "5 mg", "href": "/index.md"}</script><!-- 5 mg -->',
     '<script type="application/json">{"dose": "5 mg", "href": "/index.md"}</script><!-- 5 mg -->'),
    # a quantity split by markup is two texts; a date inside a URL in the text keeps its characters
    ("<p><strong>10</strong> mg, 10<em> mg</em></p>", "<p><strong>10</strong> mg, 10<em> mg</em></p>"),
    ("<p>https://example.org/2026-03-02/a</p>", f"<p>https://example.org/{wrapped('2026-03-02')}/a</p>"),
    # a link's address in the text (escaped, not a tag) is not a link
    ('<p>href="/index.md" 5 mg</p>', f'<p>href="/index.md" {wrapped("5 mg")}</p>'),
    # the JSON of a data attribute: its links are made relative, its figures are markup
    ('<p data-x="{&#34;href&#34;:&#34;/whats-new.md&#34;,&#34;d&#34;:&#34;5 mg&#34;}">5 mg</p>',
     f'<p data-x="{{&#34;href&#34;:&#34;../../whats-new/&#34;,&#34;d&#34;:&#34;5 mg&#34;}}">{wrapped("5 mg")}</p>'),
])
def test_what_is_not_running_text_or_a_link_is_left_alone(body: str, placed: str) -> None:
    assert placed_page("protocols/x/index.md", html_page("X", body), True) == html_page("X", placed)


def test_placing_keeps_every_character_a_reader_sees() -> None:
    body = "<p>Give <strong>0.5 mg/kg</strong> over 40 minutes from 2026-03-02 (max 3,000 mg).</p>"
    placed = split_html_page(placed_page("index.md", html_page("X", body), True))
    assert placed is not None and placed[1].count(OPEN) == 4
    assert re.sub(r"<[^>]*>", "", placed[1]) == re.sub(r"<[^>]*>", "", body)


@pytest.mark.parametrize("reviewer", [False, True])
@pytest.mark.parametrize("urls", [True, False])
def test_render_site_places_every_page_once(sites: dict[tuple[bool, bool | None], dict[str, str]], reviewer: bool,
                                            urls: bool) -> None:
    written, placed = sites[(reviewer, None)], sites[(reviewer, urls)]
    assert list(placed) == list(written)
    assert placed == {path: placed_page(path, text, urls) for path, text in written.items()}
    for path, text in placed.items():
        if path.endswith(".md"):
            assert f"{OPEN}{OPEN}" not in text.replace(f"{OPEN}{OPEN}2026", ""), path  # no span wrapped twice
            assert re.search(r'\s(?:href|src)="/', text) is None, path
            assert "&#34;href&#34;:&#34;/" not in text, path


def test_a_text_shared_by_several_pages_has_links_for_each(
        sites: dict[tuple[bool, bool | None], dict[str, str]]) -> None:
    pages = sites[(False, True)]
    canonical, version = pages["protocols/ketamine-crps/index.md"], pages["protocols/ketamine-crps/1.0/index.md"]
    written = sites[(False, None)]["protocols/ketamine-crps/index.md"]
    assert 'href="/protocols/ketamine-crps/history/index.md"' in written  # one text, written root-relative
    assert 'href="history/"' in canonical and 'href="../history/"' in version
    assert canonical.count(OPEN) == version.count(OPEN)


@pytest.mark.parametrize(("path", "expected"), [
    # author prose, the dose panel's headline, a dose table heading and cell, the page dates
    ("protocols/ketamine-crps/index.md", f"never faster than {wrapped('25 mg/h')}"),
    ("protocols/ketamine-crps/index.md", f"<strong>ketamine IV</strong>: {wrapped('0.35 mg/kg/h')}, maximum"),
    ("protocols/ketamine-crps/index.md",
     f'<h3 id="dose-table-ketamine-infusion">ketamine {wrapped("0.35 mg/kg/h")} IV (maximum {wrapped("25 mg/h")})'),
    ("protocols/ketamine-crps/index.md", f"<td>{wrapped('88.2 lb')}</td>"),
    ("protocols/ketamine-crps/index.md", f"effective {wrapped('2026-04-01')}"),
    ("handbooks/pain-service/print/index.md", f"in the version in use on {wrapped('2026-11-30')}"),
    # the print view's list: its date wrapped once, by placing (not also by its template)
    ("handbooks/pain-service/print/index.md", f"effective {wrapped('2026-04-01')}</li>"),
    ("protocols/esketamine-trd/1.1/diff/index.md", f"at least {wrapped('2 hours')}"),
    ("protocols/ketamine-trd-twice-weekly/1.1/diff/index.md", f"<ins>0.1 to {wrapped('0.75 mg/kg')}</ins>"),
    ("drugs/ketamine/index.md", "<td>" + wrapped("25\u00a0mg/h") + " maximum"),  # a no-break space
    ("whats-new.md", f"<li><strong>{wrapped('2027-01-04')}</strong>"),
    ("review/index.md", f"Versions awaiting approval on {wrapped('2026-11-30')}"),
    ("index.md", f"<td>{wrapped('2026-05-04')}</td>"),
])
def test_each_kind_of_page_keeps_its_quantities_and_dates_together(
        sites: dict[tuple[bool, bool | None], dict[str, str]], path: str, expected: str) -> None:
    page = sites[(True, True)][path]
    assert expected in page
    assert expected.replace(OPEN, "").replace("</span>", "") in sites[(True, None)][path].replace("</span>", "")


def test_placing_is_nowrap_then_localize_as_the_engine_did() -> None:
    body = '<p>5 mg <a href="/index.md">home</a></p><h2 id="a">2026-01-02<a class="headerlink" href="#a">¶</a></h2>'
    placed = split_html_page(placed_page("drugs/x/index.md", html_page("X", body), True))
    assert placed is not None and placed[1] == localize(keep_together(body), "drugs/x/index.md", True)
    assert placed[1] == keep_together(localize(body, "drugs/x/index.md", True))


def test_a_protocol_text_is_wrapped_once_for_every_page_that_shows_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """Version pages, canonical pages and print views get their spans from the shared text (the pages
    equal the whole-body pass: test_render_site_places_every_page_once); only the other pages are wrapped
    whole when placed."""
    from generator.render import placed_page as placing

    wrapped_whole: list[str] = []
    whole_pass = placing.keep_together
    monkeypatch.setattr(placing, "keep_together", lambda html: wrapped_whole.append(html) or whole_pass(html))
    pages = render_site(load_library(SAMPLE_LIBRARY), AS_OF, False, directory_urls=True)
    shown_text = re.compile(r"protocols/[^/]+/(?:[0-9.]+/)?index\.md|handbooks/[^/]+/print/index\.md")
    shared = [path for path in pages if shown_text.fullmatch(path)]
    others = [path for path in pages if path.endswith(".md") and path not in shared]
    assert len(shared) > 10 and len(wrapped_whole) == len(others)
