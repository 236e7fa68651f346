"""The golden form (tests/golden_site.py): blind to what HTML gives no meaning to, sensitive to everything a
reader or a link sees. Fast: no site is built here (tests/end_to_end/test_golden_sites.py compares the sample sites)."""

from __future__ import annotations

from pathlib import Path

import pytest
from golden_site import MANIFEST, FileRules, first_difference, golden_files, page_form, site_form, write_golden

PAGE = """<!doctype html><html><head><title>Ketamine - Protocols</title></head><body>
<nav>navigation <a href="../">up</a></nav>
<article class="md-content__inner md-typeset">
<h1 id="ketamine">Ketamine</h1>
<p>Give <strong>0.5 mg/kg</strong> IV over 40&nbsp;minutes <sup class="citation"><a href="#ref-a">1</a></sup>.</p>
<table class="pc-dose-table"><tr><th scope="row">40 kg</th><td>20 mg</td></tr></table>
</article></body></html>"""


def form(page: str) -> str:
    return page_form(page)


def test_the_form_is_the_title_and_the_article_one_element_or_text_per_line() -> None:
    assert form(PAGE) == (
        "title: Ketamine - Protocols\n"
        "article:\n"
        '<h1 id="ketamine">\n'
        '  "Ketamine"\n'
        "<p>\n"
        '  "Give "\n'
        "  <strong>\n"
        '    "0.5 mg/kg"\n'
        '  " IV over 40&nbsp;minutes "\n'
        '  <sup class="citation">\n'
        '    <a href="#ref-a">\n'
        '      "1"\n'
        '  "."\n'
        '<table class="pc-dose-table">\n'
        "  <tr>\n"
        '    <th scope="row">\n'
        '      "40 kg"\n'
        "    <td>\n"
        '      "20 mg"\n'
    )


@pytest.mark.parametrize("variant", [
    PAGE.replace('<th scope="row">', "<th  scope='row' >"),  # quoting and spaces inside a tag
    PAGE.replace('class="md-content__inner md-typeset"', 'class=" md-content__inner\n  md-typeset"'),
    PAGE.replace("<h1 ", "\n\n   <h1 ").replace("</p>\n<table", "</p><table"),  # whitespace between blocks
    PAGE.replace("<p>Give", "<p>\n  Give").replace("IV over", "IV\n   over"),  # runs of spaces in text
    PAGE.replace("<table", "<!-- generated --><table"),  # comments
    PAGE.replace('<sup class="citation"><a href="#ref-a">', '<sup class="citation"><a href="#ref-a" >'),
    PAGE.replace("navigation", "other navigation"),  # outside the article
    PAGE.replace("0.5 mg/kg", "0.5 mg&#47;kg"),  # a character reference
])
def test_insignificant_differences_give_the_same_form(variant: str) -> None:
    assert form(variant) == form(PAGE)


def test_a_boolean_or_empty_attribute_is_written_bare_however_it_is_spelt() -> None:
    assert form('<article><div hidden="hidden" title=""></div></article>') == \
        form("<article><div hidden title></div></article>") == "title: \narticle:\n<div hidden title>\n"
    assert form('<article><div title="title"></div></article>') != form("<article><div title></div></article>")


def test_attribute_order_gives_the_same_form() -> None:
    assert form('<article><a href="x" class="c" id="i">t</a></article>') == \
        form('<article><a id="i" class="c" href="x">t</a></article>')


@pytest.mark.parametrize("variant", [
    PAGE.replace("0.5 mg/kg", "0.6 mg/kg"),  # a digit
    PAGE.replace("20 mg", "20mg"),  # a space inside text
    PAGE.replace("</strong> IV", "</strong>IV"),  # the space between an inline element and text
    PAGE.replace("40&nbsp;minutes", "40 minutes"),  # a no-break space
    PAGE.replace("40&nbsp;minutes", "40\u2009minutes"),  # a thin space
    PAGE.replace("mg/kg", "mg/\u00adkg"),  # a soft hyphen
    PAGE.replace('href="#ref-a"', 'href="#ref-b"'),  # a link
    PAGE.replace('class="pc-dose-table"', 'class="pc-dose-table wide"'),  # a class
    PAGE.replace('scope="row"', 'scope="col"'),  # any attribute
    PAGE.replace("<strong>0.5 mg/kg</strong>", "<em>0.5 mg/kg</em>"),  # an element
    PAGE.replace("Ketamine - Protocols", "Ketamine"),  # the title
    PAGE.replace('<sup class="citation"><a href="#ref-a">1</a></sup>', ""),  # a whole element
])
def test_every_significant_difference_changes_the_form(variant: str) -> None:
    assert form(variant) != form(PAGE)


def test_preformatted_text_keeps_its_whitespace_on_one_line_and_text_is_escaped() -> None:
    assert form("<article><pre>a  b\n c</pre><p>1 &lt; 2 &amp; &quot;x&quot;</p></article>") == (
        'title: \narticle:\n<pre>\n  "a  b&#x000A; c"\n<p>\n  "1 &lt; 2 &amp; "x""\n'
    )


def test_json_in_an_attribute_is_quoted_with_single_quotes_to_stay_readable() -> None:
    assert form("""<article><div data-spec='{"a":"1"}'></div></article>""") == \
        "title: \narticle:\n<div data-spec='{\"a\":\"1\"}'>\n"


def test_a_page_without_an_article_shows_its_body() -> None:
    assert form("<html><body><p>Not found</p></body></html>") == 'title: \nbody:\n<p>\n  "Not found"\n'


def test_site_form_lists_theme_files_hashes_shipped_and_binary_files_and_keeps_text(tmp_path: Path) -> None:
    theme, shipped, site = tmp_path / "theme", tmp_path / "shipped", tmp_path / "site"
    files = {
        site / "index.html": b"<article><p>Home</p></article>",
        site / "protocols.json": b'[{"id":"k","version":"1.0"}]',
        site / "assets/bundle.js": b"theme code",
        theme / "assets/bundle.js": b"theme code",
        site / "assets/dosecalc.js": b"calc",
        shipped / "dosecalc.js": b"calc",
        site / "sitemap.xml.gz": b"\x1f\x8b\x00\xff",
        site / "pagefind/index.pf": b"x",
    }
    for path, data in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    forms = site_form(site, FileRules(theme_root=theme, shipped_assets=shipped))
    assert forms == {
        MANIFEST: (
            "assets/bundle.js  listed\n"
            "assets/dosecalc.js  sha256:311f38b7836c4228463d6464f854761b7cc8c6071b5f9731b6377df5d7d0ea89\n"
            "index.html  page\n"
            "pagefind/index.pf  listed\n"
            "protocols.json  text\n"
            "sitemap.xml.gz  sha256:6adf81ba16d001cb9c84f1bcbe5bb40b4f6b2a11f1c0a79386b9ef1266add294\n"
        ),
        "index.html.txt": 'title: \narticle:\n<p>\n  "Home"\n',
        "protocols.json.txt": '[\n {\n  "id": "k",\n  "version": "1.0"\n }\n]\n',
    }


def test_a_difference_names_missing_extra_and_the_first_changed_file_with_its_lines() -> None:
    golden = {"a.html.txt": "x\n", "b.html.txt": "one\ntwo\nthree\n", "c.html.txt": "1\n", "gone.txt": ""}
    built = {"a.html.txt": "x\n", "b.html.txt": "one\n2\nthree\n", "c.html.txt": "2\n", "new.txt": ""}
    assert first_difference(golden, built, "tests/golden/sites/clinician/") == (
        "the built site differs from tests/golden/sites/clinician/ (review, then `make golden` if every change "
        "is intended)\n"
        "golden files the build no longer gives: gone.txt\n"
        "files the build gives that have no golden form: new.txt\n"
        "2 changed file(s): b.html.txt, c.html.txt; the first:\n"
        "--- golden/b.html.txt\n"
        "+++ built/b.html.txt\n"
        "@@ -1,3 +1,3 @@\n"
        " one\n"
        "-two\n"
        "+2\n"
        " three"
    )
    assert first_difference(golden, dict(golden), "x") == ""


def test_writing_the_golden_removes_stale_files_and_empty_folders(tmp_path: Path) -> None:
    write_golden(tmp_path, {"old/page.html.txt": "old\n", "MANIFEST.txt": "m\n"})
    write_golden(tmp_path, {"new/page.html.txt": "new\n", "MANIFEST.txt": "m\n"})
    assert golden_files(tmp_path) == {"MANIFEST.txt": "m\n", "new/page.html.txt": "new\n"}
    assert not (tmp_path / "old").exists()
