"""What the theme writes from our data keeps its quantities and dates on one line as the bodies do
(generator/site/engine.py's pc_nowrap filter in site_templates/overrides): the site name, page titles in the
header and the navigation, contents labels, the disclaimer and the reviewer banner, on every page and the
404 page. Bodies come placed from render and the engine leaves them as they are. The oracle is the pass the
engine made over each whole page before: the built page must be exactly that pass over the page with its
spans removed."""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from site_pages import SITES, BuiltSite

from generator.render.html_page import html_page, split_html_page
from generator.render.nowrap import keep_together
from generator.render.placed_page import placed_page
from generator.site.atomic_output import build_site

AS_OF = dt.date(2026, 6, 1)
OPEN = '<span class="pc-nowrap">'
SPAN = re.compile(r'<span class="pc-nowrap">([^<]*)</span>')
CONFIG = ("site_name: Protocols of 2026-01-02 at 5 mg\n"
          "copyright: '<a href=\"https://example.org/2026-01-02\" title=\"5 mg\">Trust</a>, 2026-01-02'\n"
          "extra:\n  disclaimer: Check every 5 mg dose against the 2026-03-02 policy.\n")
WRITTEN = {
    "index.md": html_page("Home of 2026-05-04", '<p>Give 5 mg. See <a href="/whats-new.md">news 10 mg</a>.</p>\n'),
    "whats-new.md": html_page("New on 2026-05-04", "<p>None.</p>\n"),
    "protocols/x/index.md": html_page(
        "Ketamine 0.5 mg/kg over 40 minutes",
        '<h2 id="dose" data-toc-label="Dose 5 mg/h">Dose 5 mg/h<a class="headerlink" href="#dose" '
        'title="Permanent link">&para;</a></h2>\n'
        '<h2 id="from">From <code>2 mg</code> on 2026-03-02<a class="headerlink" href="#from" '
        'title="Permanent link">&para;</a></h2>\n<p><code>5 mg</code> <a href="/index.md">home</a></p>\n'),
}


class _NestedNowrap(HTMLParser):
    """The lines of a page where a pc-nowrap span opens inside another (spans are always closed: a stack of
    the open spans, each marked whether it is a nowrap span)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open_spans: list[bool] = []
        self.nested: list[int] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "span":
            return
        nowrap = "pc-nowrap" in (dict(attrs).get("class") or "").split()
        if nowrap and any(self.open_spans):
            self.nested.append(self.getpos()[0])
        self.open_spans.append(nowrap)

    def handle_endtag(self, tag: str) -> None:
        if tag == "span" and self.open_spans:
            self.open_spans.pop()


def nested_nowrap_lines(page: str) -> list[int]:
    finder = _NestedNowrap()
    finder.feed(page)
    finder.close()
    return finder.nested


def test_the_nesting_finder_finds_a_nowrap_span_inside_another_at_any_depth() -> None:
    page = (f"<p>{OPEN}5 mg</span> and <span>{OPEN}6 mg</span></span></p>\n"
            f'<p>{OPEN}<span class="x">{OPEN}2026-01-02</span></span></span>\n'
            f'{OPEN}<span class="md-ellipsis pc-nowrap">7 mg</span></span></p>')
    assert nested_nowrap_lines(page) == [2, 3]
    assert nested_nowrap_lines(f"<p>{OPEN}5 mg</span> {OPEN}6 mg</span></p>") == []


@pytest.mark.parametrize("site_name", SITES)
def test_no_page_of_a_sample_site_has_a_nowrap_span_inside_another(built_sites: dict[str, BuiltSite],
                                                                    site_name: str) -> None:
    """Render wraps each body once and the theme's filter each text once: a span wrapped again (the
    handbook print list's effective date was, by its template and by render/nowrap.py) is a defect."""
    built = built_sites[site_name]
    nested = {page: lines for page in built.html_pages()
              if (lines := nested_nowrap_lines((built.root / page).read_text(encoding="utf-8")))}
    assert nested == {}
    assert any(OPEN in (built.root / page).read_text(encoding="utf-8") for page in built.html_pages())


def engine_pass_of_old(page: str) -> str:
    """The pass the engine made over a whole written page: from <body, every quantity and date wrapped."""
    start = page.index("<body")
    return page[:start] + keep_together(page[start:])


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("engine-nowrap")
    config = root / "mkdocs.yml"
    config.write_text(CONFIG, encoding="utf-8")
    pages = {path: placed_page(path, text, True) for path, text in WRITTEN.items()}
    build_site(pages, root / "site", config, True, AS_OF)
    return root / "site"


@pytest.mark.parametrize("path", ["index.html", "whats-new/index.html", "protocols/x/index.html", "404.html"])
def test_each_page_is_what_the_whole_page_pass_made_of_it(site: Path, path: str) -> None:
    page = (site / path).read_text(encoding="utf-8")
    assert OPEN + OPEN not in page  # nothing wrapped twice: not the 404 page's theme texts either
    assert page == engine_pass_of_old(SPAN.sub(r"\1", page))


def test_the_themes_texts_from_our_data_are_wrapped_and_the_head_is_not(site: Path) -> None:
    page = (site / "protocols/x/index.html").read_text(encoding="utf-8")
    head, body = page.split("<body", 1)
    assert "<title>Ketamine 0.5 mg/kg over 40 minutes - Protocols of 2026-01-02 at 5 mg</title>" in head
    assert OPEN not in head
    flat = " ".join(body.split())
    assert f"Protocols of {OPEN}2026-01-02</span> at {OPEN}5 mg</span>" in flat  # the site name
    assert f"Ketamine {OPEN}0.5 mg/kg</span> over {OPEN}40 minutes</span>" in flat  # header, phone menu, H1
    assert f'<span class="md-ellipsis"> Dose {OPEN}5 mg/h</span> </span>' in flat  # a contents label
    # a heading's code is plain text in the contents, so its quantity is wrapped there
    assert f'<span class="md-ellipsis"> From {OPEN}2 mg</span> on {OPEN}2026-03-02</span> </span>' in flat
    assert f"Check every {OPEN}5 mg</span> dose against the {OPEN}2026-03-02</span> policy." in flat
    assert f'<a href="https://example.org/2026-01-02" title="5 mg">Trust</a>, {OPEN}2026-01-02</span>' in flat
    assert f'<span class="md-ellipsis"> Home of {OPEN}2026-05-04</span> </span>' in flat  # a navigation title
    assert f"Home of {OPEN}2026-05-04</span>" in (site / "404.html").read_text(encoding="utf-8")


def test_the_engine_places_the_body_as_render_wrote_it(site: Path) -> None:
    page = (site / "protocols/x/index.html").read_text(encoding="utf-8")
    placed = split_html_page(placed_page("protocols/x/index.md", WRITTEN["protocols/x/index.md"], True))
    assert placed is not None
    body = placed[1].replace(' data-toc-label="Dose 5 mg/h"', "")  # read for the contents, then removed
    assert body in page
    assert '<p><code>5 mg</code> <a href="../../">home</a></p>' in page


def test_the_copyright_partial_is_materials_but_for_the_filter() -> None:
    import material
    from browser import REPO_ROOT, without_nowrap

    original = (Path(material.__file__).parent / "templates/partials/copyright.html").read_text(encoding="utf-8")
    ours = (REPO_ROOT / "site_templates/overrides/partials/copyright.html").read_text(encoding="utf-8")
    assert "{{ config.copyright | pc_nowrap }}" in ours
    assert without_nowrap(ours).split("-#}\n", 1)[1] == original.split("-#}\n", 1)[1]
