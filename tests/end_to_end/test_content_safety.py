"""Author text can put no script into a page: no <script>, no on*= event handler, no javascript:, vbscript:
or data: URL, whatever Markdown syntax carries it (raw HTML, inline links, autolinks, reference-style
links, images, attr_list `{: ...}` attribute lists). Each attack that the parse finds is refused by
`protocols check` (P501 raw HTML, P305 link destination, P503 image) and, should a page be rendered
anyway, defused by the render layer, the sanitizer and MkDocs: both are tested. Attribute lists and
verbatim text in a link address are no Markdown to markdown-it: they are text, and the page shows them
as text (author HTML reaches MkDocs as block HTML, which attr_list never reads).

And every built page of both sites carries no inline event handler and no inline script but Material's
own and our theme overrides' (INLINE_SCRIPTS_OF_MATERIAL) and JSON data blocks; nor does any page built by
`protocols build` from a library whose every plain-text field a page shows holds markup, which the check lets
through, being text (Material's <title> once wrote it as a script).
"""

from __future__ import annotations

import datetime as dt
import html
import re
from pathlib import Path

import pytest
from browser import REPO_ROOT
from golden_site import page_texts
from hostile_markdown import PLAIN_FIELDS, PLAIN_PAYLOAD, write_hostile_library
from html_scan import INLINE_SCRIPTS_OF_MATERIAL, scan
from site_pages import SITES, BuiltSite

from generator import cli
from generator.approvals.site_links import SiteLinks
from generator.checks.prose_rules import markdown_findings
from generator.load.library import load_library
from generator.render.inline_render import PageContext, render_markdown
from generator.site.atomic_output import build_site

# Each attack alone in a Markdown field, as an author could write it.
ATTACKS = {
    "script element": "<script>alert(1)</script>",
    "script element, upper case": "<SCRIPT SRC=//example.org/x.js></SCRIPT>",
    "event handler in raw HTML": 'x <img src=x onerror="alert(1)">',
    "raw link": '<a href="javascript:alert(1)">x</a>',
    "md_in_html block": '<div markdown="1" onclick="alert(1)">\n\ntext\n\n</div>',
    "inline link": "[x](javascript:alert(1))",
    "inline link, spaces and case": "[x](  JavaScript:alert(1) )",
    "inline link, angle brackets": "[x](<javascript:alert(1)>)",
    "inline link, entity": "[x](&#106;avascript:alert(1))",
    "inline link, hex entity": "[x](&#x6A;avascript&#x3A;alert(1))",
    "inline link with title": '[x](javascript:alert(1) "title")',
    "vbscript link": "[x](vbscript:msgbox(1))",
    "data link": "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "image": "![x](javascript:alert(1))",
    "data image": "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "autolink": "<javascript:alert(1)>",
    "autolink, vbscript": "<vbscript:msgbox(1)>",
    "autolink, data": "<data:text/html,<script>alert(1)</script>>",
    "reference link": "[x][evil]\n\n[evil]: javascript:alert(1)",
    "reference link, angle brackets and title": '[x][evil]\n\n[evil]: <javascript:alert(1)> "t"',
    "reference link, indented definition": "[x]\n\n   [x]: javascript:alert(1)",
    "reference image": "![x][evil]\n\n[evil]: javascript:alert(1)",
    "footnote with raw HTML": "Text[^1].\n\n[^1]: <img src=x onerror=alert(1)>",
    "attr_list after a paragraph": 'Text\n{: onclick="alert(1)" }',
    "attr_list without colon": 'Text\n{ onclick="alert(1)" }',
    "attr_list on a heading": "## Heading {#id onclick=alert(1)}",
    "attr_list on a link": '[x](https://example.org){: onmouseover="alert(1)" }',
    "attr_list setting href": '[x](https://example.org){: href="javascript:alert(1)" }',
    "attr_list, class then handler": "Text\n{: .note onclick=alert(1) }",
    "attr_list, bare word then handler": 'Text\n{: x onclick="alert(1)" }',
    "attr_list, bare handler name": "Text\n{: onclick }",
    "attr_list, single quotes": "Text\n{:onclick='alert(1)'}",
    "attr_list in a list item": "- item\n{: onclick=alert(1) }",
    "attr_list in a table cell": "| a |\n|---|\n| b { onclick=alert(1) } |",
    "attr_list after an opening brace": "## Heading { {onclick=alert(1)}",
    "attr_list like a template tag": "| a |\n|---|\n| b {% onclick=alert(1) %} |",
    "attr_list completed by a placeholder": "Text { {{ ketamine-iv.route }} onclick=alert(1)}",
    "verbatim text as a link address": '[x]({{ "javascript:alert(1)" }})',
    "verbatim text as an autolink": '<{{ "javascript:alert(1)" }}>',
    "verbatim text as a reference definition": '[x][evil]\n\n[evil]: {{ "javascript:alert(1)" }}',
}


@pytest.fixture(scope="module")
def page_context() -> PageContext:
    library = load_library(REPO_ROOT / "protocols")
    links = SiteLinks.for_build(library, dt.date(2026, 6, 1), reviewer=False)
    doc = library.protocols["ketamine-trd"].versions["1.0"].doc
    return PageContext("protocols/ketamine-trd/index.md", links, doc)


@pytest.fixture(scope="module")
def attack_site(page_context: PageContext, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Every attack rendered as the render layer renders author text, built by MkDocs, one page each:
    {attack name: the page's article HTML}."""
    pages = {"index.md": "# Attacks\n\n" + "\n".join(f"- [{i}](a{i}/index.md)" for i in range(len(ATTACKS)))}
    for index, text in enumerate(ATTACKS.values()):
        pages[f"a{index}/index.md"] = f"# Attack {index}\n\n{render_markdown(text, page_context)}\n\nAfter.\n"
    out = tmp_path_factory.mktemp("attacks") / "site"
    build_site(pages, out, None, False, dt.date(2026, 6, 1))
    articles = {}
    for index, name in enumerate(ATTACKS):
        built = (out / f"a{index}/index.html").read_text(encoding="utf-8")
        articles[name] = built.split("<article", 1)[1].split("</article>", 1)[0]
    return articles


# What `protocols check` says of each attack (code, offset); an attack not listed is text to the parser.
REFUSED = {
    "script element": [("P501", 0)],
    "script element, upper case": [("P501", 0)],
    "event handler in raw HTML": [("P501", 2)],
    "raw link": [("P501", 0), ("P501", 31)],
    "md_in_html block": [("P501", 0), ("P501", 45)],
    "inline link": [("P305", 4)],
    "inline link, spaces and case": [("P305", 6)],
    "inline link, angle brackets": [("P305", 5)],
    "inline link, entity": [("P305", 4)],
    "inline link, hex entity": [("P305", 4)],
    "inline link with title": [("P305", 4)],
    "vbscript link": [("P305", 4)],
    "data link": [("P305", 4)],
    "image": [("P503", 0)],
    "data image": [("P503", 0)],
    "autolink": [("P305", 1)],
    "autolink, vbscript": [("P305", 1)],
    "autolink, data": [("P501", 16), ("P501", 32)],  # not an autolink (it holds "<"): raw HTML
    "reference link": [("P305", 19)],
    "reference link, angle brackets and title": [("P305", 20)],
    "reference link, indented definition": [("P305", 13)],
    "reference image": [("P503", 0), ("P305", 20)],
    "footnote with raw HTML": [("P305", 18)],  # CommonMark has no footnotes: a definition of "[^1]"
}


@pytest.mark.parametrize("name", ATTACKS)
def test_protocols_check_refuses_the_attack(name: str) -> None:
    findings = [(f.code, f.offset) for f in markdown_findings(ATTACKS[name], None, {}, "test") if f.code != "P304"]
    assert findings == REFUSED.get(name, [])


@pytest.mark.parametrize("name", ATTACKS)
def test_a_rendered_attack_carries_no_script(attack_site: dict[str, str], name: str) -> None:
    article = attack_site[name]
    assert scan("<article" + article) == []
    assert "alert(1)" not in html.unescape(re.sub(r">[^<]*<", "><", article)), "the payload reached an attribute"
    assert "After." in article  # the page was built


def test_the_scanner_finds_handlers_unsafe_urls_and_foreign_inline_scripts() -> None:
    assert scan('<p onclick="x">a</p><a href=" JavaScript:x">b</a><img src="data:image/png;base64,AA">'
                "<script>alert(1)</script><script type=application/json>{}</script><iframe src=x></iframe>"
                '<script src="a.js"></script>') == [
        "<p> event handler onclick='x'",
        "<a> href=' JavaScript:x'",
        "<img> src='data:image/png;base64,AA'",
        "inline <script> 'alert(1)'",
        "<iframe> element",
    ]


def test_materials_inline_scripts_are_allowed_exactly() -> None:
    assert len(INLINE_SCRIPTS_OF_MATERIAL) >= 6
    scope = ('__md_scope=new URL("../..",location),__md_hash=e=>[...e].reduce(((e,_)=>(e<<5)-e+_.charCodeAt(0)),0),'
             "__md_get=(e,_=localStorage,t=__md_scope)=>JSON.parse(_.getItem(t.pathname+\".\"+e)),"
             "__md_set=(e,_,t=localStorage,a=__md_scope)=>{try{t.setItem(a.pathname+\".\"+e,JSON.stringify(_))}"
             "catch(e){}}")
    assert scan(f"<script>{scope}</script>") == []
    assert scan(f"<script>{scope};alert(1)</script>") == [f"inline <script> {(scope + ';alert(1)')[:80]!r}"]


@pytest.mark.parametrize("site", SITES)
def test_no_built_page_has_an_event_handler_unsafe_url_or_foreign_inline_script(
    built_sites: dict[str, BuiltSite], site: str
) -> None:
    built = built_sites[site]
    pages = built.html_pages()
    found = {page: scan((built.root / page).read_text(encoding="utf-8"), active_elements=False) for page in pages}
    assert {page: problems for page, problems in found.items() if problems} == {}
    assert len(pages) >= 10


@pytest.mark.parametrize("name", [name for name in ATTACKS if name not in REFUSED])
def test_what_the_parser_reads_as_text_is_shown_as_text(attack_site: dict[str, str], name: str) -> None:
    article = attack_site[name]
    visible = html.unescape(re.sub(r"<[^>]*>", "", article))
    assert "onclick" in visible or "onmouseover" in visible or "javascript:alert(1)" in visible


@pytest.fixture(scope="module")
def plain_text_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("plain")
    library = write_hostile_library(root, {field: PLAIN_PAYLOAD for field in PLAIN_FIELDS})
    out = root / "site"
    assert cli.main(["build", "--reviewer", "--as-of", "2026-06-01", "--out", str(out), str(library)]) == 0
    return out


def test_plain_text_with_markup_is_built_and_every_page_shows_it_as_text(plain_text_site: Path) -> None:
    pages = {page.relative_to(plain_text_site).as_posix(): page.read_text(encoding="utf-8")
             for page in sorted(plain_text_site.rglob("*.html"))}
    found = {page: scan(text, active_elements=False) for page, text in pages.items()}
    assert {page: problems for page, problems in found.items() if problems} == {}
    shown = {page: [text for text in page_texts(content) if "window.__pwned=1" in text]
             for page, content in pages.items()}
    # as text, escaped once: what the author typed, "&lt;" included, never "&amp;lt;" (escaped twice)
    assert {page: texts for page, texts in shown.items() if any(PLAIN_PAYLOAD not in text for text in texts)} == {}
    titles = {page: re.search(r"<title>(.*?)</title>", content, re.S) for page, content in pages.items()}
    protocol_page = "protocols/ketamine-trd/1.0/index.html"
    assert html.unescape(titles[protocol_page].group(1)).startswith(PLAIN_PAYLOAD)  # type: ignore[union-attr]
    assert len([page for page, texts in shown.items() if texts]) >= 8  # home, protocol, drug, handbook pages...
