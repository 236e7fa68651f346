"""Each page's body is the generator's HTML: MkDocs converts only the title line, the plugin places the
body (its links already relative to the page: generator/render/placed_page.py) and gives Material the page
contents from the generator's headings (generator/site/engine.py); the search index gets the whole page."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from helpers import SAMPLE_LIBRARY
from pagefind_index import fragments

from generator.load.library import load_library
from generator.render.families import render_site
from generator.render.html_page import html_page
from generator.render.placed_page import placed_page
from generator.site.atomic_output import build_site

AS_OF = dt.date(2026, 11, 30)


def article(html: str) -> str:
    return html.split("<article", 1)[1].split("</article>", 1)[0]


def contents(html: str) -> list[tuple[str, str]]:
    """(href, text) of each entry of the page contents, which Material writes twice: in the phone menu
    and in the right-hand sidebar; the test fails unless both hold the same entries."""
    html = re.sub(r'<span class="pc-nowrap">([^<]*)</span>', r"\1", html)  # render/nowrap.py's spans
    before_content = html.split('<div class="md-content"', 1)[0]
    blocks = before_content.split('data-md-component="toc"')[1:]
    assert len(blocks) == 2
    entries = [[(href, " ".join(text.split())) for href, text in
                re.findall(r'<a href="([^"]+)" class="md-nav__link">\s*<span class="md-ellipsis">(.*?)</span>', block,
                           re.S)] for block in blocks]
    assert entries[0] == entries[1]
    return entries[1]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pages = render_site(load_library(SAMPLE_LIBRARY), AS_OF, reviewer=False, directory_urls=True)
    out = tmp_path_factory.mktemp("html-pages") / "site"
    build_site(pages, out, None, False, AS_OF)
    return out


def test_the_page_contents_are_the_generators_headings_in_page_order(site: Path) -> None:
    page = (site / "protocols/ketamine-trd/index.html").read_text(encoding="utf-8")
    found = contents(page)
    assert found[:5] == [
        ("#dose_calculator", "Dose for this patient (calculator)"),
        ("#summary", "Summary"),
        ("#dose-table", "Dose table"),
        ("#dose-table-ketamine-iv", "ketamine 0.5 mg/kg IV over 40 minutes"),
        ("#dosing", "Dose"),
    ]
    body = article(page)
    ids = re.findall(r'<h[2-6] id="([^"]+)"', body)
    assert [href[1:] for href, _ in found] == ids  # every heading, none more, in page order
    assert "data-toc-label" not in page  # read for the contents, then removed, as the toc extension did
    assert "<title>IV ketamine for treatment-resistant depression - Clinical protocols</title>" in page
    assert body.count("<h1") == 1 and '<h1 id="iv-ketamine-for-treatment-resistant-depression">' in body


def test_links_are_relative_on_the_built_page_and_none_is_root_relative(site: Path) -> None:
    checked = 0
    for path in site.rglob("*.html"):
        body = article(path.read_text(encoding="utf-8"))
        assert re.search(r'(?:href|src)="/', body) is None, path
        assert "&#34;href&#34;:&#34;/" not in body, path
        checked += 1
    assert checked > 20
    canonical = article((site / "protocols/ketamine-trd/index.html").read_text(encoding="utf-8"))
    assert '<a href="history/">History</a>' in canonical
    assert '<a href="../ketamine-crps/">IV ketamine infusion for complex regional pain syndrome</a>' in canonical


def test_the_search_index_has_the_whole_body(site: Path) -> None:
    indexed = fragments(site)
    page = indexed["/protocols/ketamine-trd/"]
    anchors = {anchor["id"]: anchor["text"] for anchor in page["anchors"]}
    assert anchors["dose-table-ketamine-iv"] == "ketamine 0.5 mg/kg IV over 40 minutes"
    assert "give ketamine 0.5 mg/kg IV over 40 minutes" in page["content"]  # the summary, from author text
    assert "Range 0.1 to 0.75 mg/kg" in page["content"]  # the dose card, from the templates
    assert "Weight (kg)" not in page["content"]  # table headers and rows stay out of snippets
    assert "/protocols/ketamine-trd/1.0/" not in indexed  # still left out


def test_without_directory_urls_links_name_the_html_files(tmp_path: Path) -> None:
    written = {
        "index.md": html_page("Home", '<p><a href="/protocols/x/index.md#dose">x</a> '
                                      '<a href="/whats-new.md">new</a></p>\n'),
        "whats-new.md": html_page("What's new", '<p><a href="/index.md">home</a></p>\n'),
        "protocols/x/index.md": html_page("X", '<h2 id="dose">Dose<a class="headerlink" href="#dose" '
                                               'title="Permanent link">&para;</a></h2>\n<p><a href="/index.md">home</a>'
                                               ' <a href="/protocols/x/index.md#dose">here</a></p>\n'),
    }
    pages = {path: placed_page(path, text, False) for path, text in written.items()}  # as render_site places them
    config = tmp_path / "mkdocs.yml"
    config.write_text("use_directory_urls: false\n", encoding="utf-8")
    out = tmp_path / "site"
    build_site(pages, out, config, False, AS_OF)
    home = article((out / "index.html").read_text(encoding="utf-8"))
    assert '<a href="protocols/x/index.html#dose">x</a> <a href="whats-new.html">new</a>' in home
    assert '<a href="index.html">home</a>' in article((out / "whats-new.html").read_text(encoding="utf-8"))
    page = (out / "protocols/x/index.html").read_text(encoding="utf-8")
    assert '<a href="../../index.html">home</a> <a href="#dose">here</a>' in article(page)
    assert contents(page) == [("#dose", "Dose")]
