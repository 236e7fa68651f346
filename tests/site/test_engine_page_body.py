"""Staged pages (generator/site/staged_pages.py): `protocols build` writes each page to the build's
temporary folder as it is rendered, the engine reads it back, and between MkDocs' render and write the
page's body waits in that file while a marker stands for it in page.content (generator/site/engine.py).
The written page must be exactly the one a dict of pages gives (as serve hands them over), whatever the
body holds."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from generator.render.html_page import HTML_BODY, html_page
from generator.site import engine as site
from generator.site.atomic_output import build_site
from generator.site.engine import BODY_MARKER, SiteBuildError

AS_OF = dt.date(2026, 11, 30)


def article(html: str) -> str:
    return html.split("<article", 1)[1].split("</article>", 1)[0]


def build(tmp_path: Path, body: str, config_file: Path | None = None) -> str:
    out = tmp_path / "site"
    build_site({"index.md": html_page("Home", body)}, out, config_file, False, AS_OF)
    return (out / "index.html").read_bytes().decode()


def read_tree(root: Path) -> dict[str, bytes]:
    return {path.relative_to(root).as_posix(): path.read_bytes() for path in root.rglob("*") if path.is_file()}


# Contents labels name a heading in the page contents only: the written body leaves them out.
LABELLED_HEADINGS = (
    '<h2 id="x" data-toc-label="Dose (calculator)">Dose<a class="headerlink" href="#x">&para;</a></h2>\n<p>é</p>\n'
    '<h2 id="y">Rows<a class="headerlink" href="#y">&para;</a></h2>\n'
    '<h3 id="z" data-toc-label="Second label">Z<a class="headerlink" href="#z">&para;</a></h3>\n'
)
ODD_BODIES = {
    "index.md": html_page("Home", '<p>dose ≤ five µg per kg 🙂 — «slowly» <a href="/drugs/">drugs</a></p>\n'),
    "drugs/index.md": html_page("Drugs", "<p>line one\r\nline two\rline three</p>\n"),
    "drugs/a/index.md": html_page("A", f"<p>before</p>{BODY_MARKER}<p>after</p>\n"),
    "drugs/b/index.md": html_page("B", "\ufeff<p>a body that starts with a byte order mark</p>\n"),
    "drugs/c/index.md": html_page("C", LABELLED_HEADINGS),
    # Only the title line is read when MkDocs reads a staged page (the first 4,096 bytes, then the rest if the
    # body's marker is not in them): a title that ends beyond them, a marker across them, no HTML body.
    "long/index.md": html_page("Long " + "é" * 3000, "<p>after a long title</p>\n"),
    "across/index.md": html_page("x" * (4096 - 2 - 2 - 10), "<p>marker across the first read</p>\n"),
    "markdown/index.md": "# Plain\n\nA page of *Markdown* only.\n",
    # A title line that writes the marker's text itself (HTML passes through Python-Markdown): the body goes in
    # when MkDocs renders the page, not in the marker's place.
    "marked-title/index.md": f"# Title {BODY_MARKER}\n\n{HTML_BODY}<p>after a marked title</p>\n",
    "data/x.json": '{"name": "é\\r\\n"}\r\n',
}


def test_staged_pages_build_the_same_site_as_a_dict_of_pages(tmp_path: Path) -> None:
    build_site(dict(ODD_BODIES), tmp_path / "staged", None, False, AS_OF)
    docs = tmp_path / "docs"
    docs.mkdir()
    site.build_into(dict(ODD_BODIES), tmp_path / "from-dict", docs, None, False, AS_OF)
    staged, from_dict = read_tree(tmp_path / "staged"), read_tree(tmp_path / "from-dict")
    assert {path for path in staged if not path.startswith("pagefind/")} - {".protocols-build"} == set(from_dict)
    for path, data in from_dict.items():
        assert staged[path] == data, path
    assert b"line one\r\nline two\rline three" in staged["drugs/index.html"]
    assert b"<p>after a long title</p>" in staged["long/index.html"]
    assert b"<p>marker across the first read</p>" in staged["across/index.html"]
    assert b"<em>Markdown</em>" in staged["markdown/index.html"]
    assert article(staged["marked-title/index.html"].decode()).count("<p>after a marked title</p>") == 1
    labelled = staged["drugs/c/index.html"].decode()
    assert article(labelled).count(LABELLED_HEADINGS.replace(' data-toc-label="Dose (calculator)"', "").replace(
        ' data-toc-label="Second label"', "")) == 1
    assert "data-toc-label" not in labelled
    contents_item = re.compile(r'href="#[xyz]" class="md-nav__link">\s*<span class="md-ellipsis">([^<]*)')
    contents = [" ".join(name.split()) for name in contents_item.findall(labelled)]
    assert contents == ["Dose (calculator)", "Rows", "Second label"] * 2  # the contents: sidebar and phone menu


def test_a_staged_page_changed_while_the_site_is_built_is_a_clear_error(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    rendered = site.ProtocolsPlugin.on_page_content

    def overwrite_after_render(self: site.ProtocolsPlugin, html: str, **kwargs: object) -> str:
        done = rendered(self, html, **kwargs)  # type: ignore[arg-type]
        Path(kwargs["page"].file.abs_src_path).write_text("<p>not the page</p>")  # type: ignore[attr-defined]
        return done

    monkeypatch.setattr(site.ProtocolsPlugin, "on_page_content", overwrite_after_render)
    with pytest.raises(SiteBuildError) as error:
        build_site({"index.md": html_page("Home", "<p>body</p>")}, tmp_path / "site", None, False, AS_OF)
    assert str(error.value).endswith("ERROR: page 'index.md': its staged file changed while the site was built")
    assert not (tmp_path / "site").exists()


def test_a_body_beyond_latin_1_is_written_digit_for_digit(tmp_path: Path) -> None:
    body = "<p>dose ≤ five µg per kg 🙂 — «slowly»</p>"
    page = build(tmp_path, body)
    assert BODY_MARKER not in page
    assert article(page).count(body) == 1
    assert article(page).index("<h1") < article(page).index(body)


def test_a_body_that_holds_the_marker_text_is_written_as_is(tmp_path: Path) -> None:
    body = f"<p>before</p>{BODY_MARKER}<p>after</p>"
    page = build(tmp_path, body)
    assert article(page).count(body) == 1
    assert page.count(BODY_MARKER) == 1


@pytest.mark.parametrize(("content", "times"), [("{{ page.content }}{{ page.content }}", 2), ("<p>no body</p>", 0)])
def test_a_theme_that_does_not_write_the_content_once_is_a_clear_error(tmp_path: Path, content: str,
                                                                       times: int) -> None:
    theme = tmp_path / "theme" / "partials"
    theme.mkdir(parents=True)
    (theme / "content.html").write_text(content, encoding="utf-8")
    config = tmp_path / "mkdocs.yml"
    config.write_text("site_name: Test\ntheme:\n  name: material\n  custom_dir: theme\n", encoding="utf-8")
    with pytest.raises(SiteBuildError) as error:
        build(tmp_path, "<p>body</p>", config)
    assert str(error.value) == (
        "site build failed: Aborted with a BuildError!\n"
        "  ERROR: Error building page 'index.md':\n"
        f"  ERROR: page 'index.md': the theme wrote the page content {times} times; a custom_dir template must "
        "write {{ page.content }} exactly once"
    )
    assert not (tmp_path / "site").exists()
    assert list(tmp_path.glob(".site.building-*")) == []
