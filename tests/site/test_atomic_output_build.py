"""The built site: generated pages, offline (no external references), disclaimer, navigation, print,
determinism. Builds a small fake pages dict; the render layer is not involved."""

from __future__ import annotations

import gzip
import re
import struct
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from browser import typed_search
from local_http import fetch_until, free_port, served
from pagefind_index import indexed_urls

from generator.resources import assets_dir
from generator.site import engine as site
from generator.site import page_kinds
from generator.site.atomic_output import build_site

AS_OF = date(2026, 2, 11)
DOI_URL = "https://doi.org/10.1176/appi.ajp.2018.18070834"
PROTOCOLS_JSON = '{"protocols": [{"id": "ketamine-trd", "version": "1.0"}]}\n'

FAKE_PAGES: dict[str, str] = {
    "index.md": (
        "# Clinical protocols\n\n"
        "- [IV ketamine](protocols/ketamine-trd/index.md)\n"
        "- [Drug index](drugs/index.md)\n"
        "- [Audit file](protocols.json)\n"
    ),
    "drugs/index.md": "# Drug index\n\n- [ketamine](ketamine/index.md)\n",
    "drugs/ketamine/index.md": "# ketamine\n\n[All drugs](../index.md)\n",
    "handbooks/psychiatry/index.md": (
        "# Psychiatry handbook\n\n- [IV ketamine](../../protocols/ketamine-trd/index.md#dosing)\n"
    ),
    "protocols/ketamine-trd/index.md": (
        "# IV ketamine for treatment-resistant depression\n\n"
        "## Dosing\n\n"
        "Give 0.5 mg/kg over 40 min.\n\n"
        f"Source: [doi:10.1176/appi.ajp.2018.18070834]({DOI_URL})\n\n"
        "[Version 1.0](1.0/index.md#dosing)\n"
    ),
    "protocols/ketamine-trd/1.0/index.md": (
        "# IV ketamine for treatment-resistant depression, version 1.0\n\n"
        "## Dosing\n\nGive 0.5 mg/kg over 40 min.\n\n[Current version](../index.md)\n"
    ),
    "protocols.json": PROTOCOLS_JSON,
}

# XML namespace names: identifiers, never fetched.
XML_NAMESPACES = {"http://www.w3.org/2000/svg", "http://www.sitemaps.org/schemas/sitemap/0.9"}
# URL strings inside Material's vendored bundles, none of which the browser fetches with this site's
# configuration: mermaid only loads for `.mermaid` blocks, the polyfill only where ResizeObserver is
# missing, the GitHub/GitLab APIs only with a repo_url; the rest are licence and doc comments.
VENDORED_URLS = {
    "assets/javascripts/bundle.": {
        "https://unpkg.com/mermaid@11/dist/mermaid.min.js",
        "https://unpkg.com/resize-observer-polyfill",
        "https://api.github.com/repos/${e}/${t}",
        "https://api.github.com/users/${e}",
        "https://${e}/api/v4/projects/${encodeURIComponent(t",
        "https://clipboardjs.com/",
    },
    # Pagefind's search API parses result URLs against a placeholder host; nothing is fetched from it.
    "pagefind/pagefind": {"https://example.com${anchored_url}", "https://example.com${normalized}"},
    "assets/stylesheets/main.": {"https://fontawesome.com", "https://fontawesome.com/license/free"},
}
URL = re.compile(r"https?://[^\s\"'<>)`]+")


def read_tree(root: Path) -> dict[str, bytes]:
    return {path.relative_to(root).as_posix(): path.read_bytes() for path in root.rglob("*") if path.is_file()}


def html_pages(root: Path) -> Iterator[tuple[str, str]]:
    for path in sorted(root.rglob("*.html")):
        yield path.relative_to(root).as_posix(), path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("built") / "site"
    build_site(FAKE_PAGES, out, None, False, AS_OF)
    return out


def test_generated_pages_are_written(built: Path) -> None:
    assert (built / "index.html").is_file()
    assert (built / "protocols/ketamine-trd/index.html").is_file()
    assert (built / "protocols/ketamine-trd/1.0/index.html").is_file()
    assert (built / "drugs/ketamine/index.html").is_file()
    assert (built / "protocols.json").read_text(encoding="utf-8") == PROTOCOLS_JSON
    page = (built / "protocols/ketamine-trd/index.html").read_text(encoding="utf-8")
    assert ('<p>Give <span class="pc-nowrap">0.5 mg/kg</span> over <span class="pc-nowrap">40 min</span>.</p>'
            in page)  # quantities kept on one line (render/nowrap.py)
    assert '<h2 id="dosing">Dosing' in page


def test_no_reference_to_an_external_host(built: Path) -> None:
    unexpected: dict[str, set[str]] = {}
    for name, content in read_tree(built).items():
        found = set(URL.findall(content.decode("utf-8", errors="replace"))) - XML_NAMESPACES
        if name == "protocols/ketamine-trd/index.html":
            found -= {DOI_URL}  # the deliberate link in the page text
        for prefix, allowed in VENDORED_URLS.items():
            if name.startswith(prefix):
                found -= allowed
        if found:
            unexpected[name] = found
    assert unexpected == {}


def test_only_our_own_and_materials_files_are_written(built: Path) -> None:
    names = set(read_tree(built))
    assert not [name for name in names if name.endswith(".map")]
    assert not [name for name in names if name.startswith("assets/javascripts/lunr/")]
    assert "assets/site.css" in names
    assert (built / "assets/dosecalc.js").read_bytes() == (assets_dir() / "dosecalc.js").read_bytes()


def test_a_rendered_asset_replaces_the_template_of_the_same_path(tmp_path: Path) -> None:
    build_site({**FAKE_PAGES, "assets/site.css": "body { color: black; }\n"}, tmp_path / "site", None, False, AS_OF)
    assert (tmp_path / "site/assets/site.css").read_text(encoding="utf-8") == "body { color: black; }\n"
    assert (tmp_path / "site/index.html").read_text(encoding="utf-8").count('assets/site.css"') == 1


def test_links_are_relative_so_the_site_works_under_a_sub_path(built: Path) -> None:
    for name, html in html_pages(built):  # 404.html too (generator/site/error_page.py: error_page_context)
        assert re.findall(r'(?:href|src)="/[^"]*"', html) == [], name


def test_disclaimer_and_stylesheet_on_every_page(built: Path) -> None:
    pages = list(html_pages(built))
    assert len(pages) == 7  # six generated pages and 404.html
    for name, html in pages:
        assert f"<p>{site.DEFAULT_DISCLAIMER}</p>".replace("'", "&#39;") in html, name
        assert 'assets/site.css"' in html, name
        assert 'assets/dosecalc.js"></script>' in html, name
        assert "pc-reviewer-banner" not in html, name
        assert "fonts.googleapis.com" not in html and "fonts.gstatic.com" not in html


def test_navigation_lists_top_level_pages_only(built: Path) -> None:
    html = (built / "protocols/ketamine-trd/1.0/index.html").read_text(encoding="utf-8")
    primary = html.split('<nav class="md-nav md-nav--primary"', 1)[1].split('data-md-type="toc"', 1)[0]
    targets = sorted(set(re.findall(r'href="([^"#]*)"', primary)))
    # the top-level pages, and the page itself, which lists its own contents in the phone's menu
    assert targets == ["../../..", "../../../drugs/", "../../../handbooks/psychiatry/", "./"]


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("index.md", True),
        ("drugs/index.md", True),
        ("references/index.md", True),
        ("handbooks/psychiatry/index.md", True),
        ("handbooks/psychiatry/print/index.md", False),
        ("drugs/ketamine/index.md", False),
        ("protocols/ketamine-trd/index.md", False),
        ("protocols/ketamine-trd/1.0/index.md", False),
        ("protocols/ketamine-trd/1.0/diff/index.md", False),
        ("protocols.json", False),
        ("assets/dosecalc.js", False),
    ],
)
def test_in_navigation(path: str, expected: bool) -> None:
    assert page_kinds.in_navigation(path) is expected


def test_reviewer_site_marks_every_page(tmp_path: Path) -> None:
    build_site(FAKE_PAGES, tmp_path / "site-review", None, True, AS_OF)
    for name, html in html_pages(tmp_path / "site-review"):
        assert f"<strong>{site.REVIEWER_BANNER}</strong>" in html, name


def test_disclaimer_from_the_config(tmp_path: Path) -> None:
    config = tmp_path / "mkdocs.yml"
    config.write_text(
        "site_name: Example Hospital protocols\n"
        "extra:\n  disclaimer: For Example Hospital staff only. Check local policy & the BNF.\n",
        encoding="utf-8",
    )
    build_site(FAKE_PAGES, tmp_path / "site", config, False, AS_OF)
    for name, html in html_pages(tmp_path / "site"):
        assert "<p>For Example Hospital staff only. Check local policy &amp; the BNF.</p>" in html, name
        assert site.DEFAULT_DISCLAIMER.replace("'", "&#39;") not in html


def test_the_same_pages_give_a_byte_identical_site(tmp_path: Path) -> None:
    config = tmp_path / "mkdocs.yml"  # a site_url puts dated rows in the sitemap
    config.write_text(
        "site_url: https://intranet.example/protocols/\n",
        encoding="utf-8",
    )
    build_site(FAKE_PAGES, tmp_path / "first", config, False, AS_OF)
    build_site(FAKE_PAGES, tmp_path / "second", config, False, AS_OF)
    first, second = read_tree(tmp_path / "first"), read_tree(tmp_path / "second")
    assert sorted(first) == sorted(second)
    assert [name for name in first if first[name] != second[name]] == []
    assert {"sitemap.xml", "sitemap.xml.gz", "pagefind/pagefind-entry.json"} <= set(first)

    sitemap = first["sitemap.xml"].decode("utf-8")
    assert re.findall(r"<lastmod>([^<]*)</lastmod>", sitemap) == ["2026-02-11"] * 6
    gz = first["sitemap.xml.gz"]
    assert gzip.decompress(gz).decode("utf-8") == sitemap
    gzip_mtime = struct.unpack("<I", gz[4:8])[0]
    assert gzip_mtime == int(datetime(2026, 2, 11, tzinfo=UTC).timestamp())


def test_a_later_build_date_changes_only_the_sitemap(tmp_path: Path) -> None:
    config = tmp_path / "mkdocs.yml"
    config.write_text(
        "site_url: https://intranet.example/protocols/\n",
        encoding="utf-8",
    )
    build_site(FAKE_PAGES, tmp_path / "first", config, False, AS_OF)
    build_site(FAKE_PAGES, tmp_path / "second", config, False, date(2026, 3, 1))
    first, second = read_tree(tmp_path / "first"), read_tree(tmp_path / "second")
    assert sorted(name for name in first if first[name] != second[name]) == ["sitemap.xml", "sitemap.xml.gz"]


@pytest.fixture(scope="module")
def served_under_sub_path(built: Path) -> Iterator[str]:
    """The built site served over HTTP under /intranet/protocols/, as an intranet would host it."""
    with served(built, "/intranet/protocols/") as url:
        yield url


def test_in_a_browser_every_request_stays_on_the_site_and_search_works(
    served_under_sub_path: str, chromium_browser: Any
) -> None:
    requested: list[str] = []
    failed: list[str] = []
    page = chromium_browser.new_page()
    try:
        page.on("request", lambda request: requested.append(request.url))
        page.on("requestfailed", lambda request: failed.append(request.url))
        page.on("response", lambda response: response.status >= 400 and failed.append(response.url))
        page.goto(served_under_sub_path + "protocols/ketamine-trd/", wait_until="networkidle")
        page.keyboard.press("s")  # Material's search shortcut
        results = [found["href"] for found in typed_search(page, "depression")]
        page.goto(served_under_sub_path + "handbooks/psychiatry/", wait_until="networkidle")
    finally:
        page.close()
    assert failed == []
    assert [url for url in requested if not url.startswith(served_under_sub_path)] == []
    # The permanent version page carries the same words but is kept out of search (see the next tests).
    assert sorted({url.split("?")[0] for url in results}) == [served_under_sub_path + "protocols/ketamine-trd/"]


SEARCH_PAGES: dict[str, str] = {
    **FAKE_PAGES,
    "protocols/ketamine-trd/history/index.md": "# History\n\n[Version 1.0](../1.0/index.md)\n",
    "protocols/ketamine-trd/1.0/diff/index.md": "# Changes in version 1.0\n\nFirst version.\n",
    "protocols/ketamine-trd/1.0/diff-current/index.md": "# Version 1.0 against the version in use\n",
    "handbooks/psychiatry/print/index.md": "# Psychiatry handbook, print view\n",
}


def search_locations(out: Path) -> list[str]:
    """The pages of the Pagefind index, as paths from the site root."""
    return [url.removeprefix("/") for url in indexed_urls(out)]


def test_search_leaves_out_version_history_diff_and_print_pages(tmp_path: Path) -> None:
    build_site(SEARCH_PAGES, tmp_path / "site", None, False, AS_OF)
    assert search_locations(tmp_path / "site") == [
        "",
        "drugs/",
        "drugs/ketamine/",
        "handbooks/psychiatry/",
        "protocols/ketamine-trd/",
    ]


def test_the_reviewer_site_searches_every_page(tmp_path: Path) -> None:
    build_site(SEARCH_PAGES, tmp_path / "site", None, True, AS_OF)
    assert search_locations(tmp_path / "site") == [
        "",
        "drugs/",
        "drugs/ketamine/",
        "handbooks/psychiatry/",
        "handbooks/psychiatry/print/",
        "protocols/ketamine-trd/",
        "protocols/ketamine-trd/1.0/",
        "protocols/ketamine-trd/1.0/diff-current/",
        "protocols/ketamine-trd/1.0/diff/",
        "protocols/ketamine-trd/history/",
    ]


def test_leaving_pages_out_of_search_changes_only_the_index_and_the_marks_of_those_pages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_site(SEARCH_PAGES, tmp_path / "some", None, False, AS_OF)
    monkeypatch.setattr(page_kinds, "in_search", lambda path: path.endswith(".md"))
    build_site(SEARCH_PAGES, tmp_path / "all", None, False, AS_OF)
    some, every = read_tree(tmp_path / "some"), read_tree(tmp_path / "all")
    changed_pages = sorted(name for name in some.keys() & every.keys()
                           if some[name] != every[name] and not name.startswith("pagefind/"))
    assert changed_pages == [
        "handbooks/psychiatry/print/index.html",
        "protocols/ketamine-trd/1.0/diff-current/index.html",
        "protocols/ketamine-trd/1.0/diff/index.html",
        "protocols/ketamine-trd/1.0/index.html",
        "protocols/ketamine-trd/history/index.html",
    ]
    for name in changed_pages:  # the article's mark is the only difference
        marked = '<article class="md-content__inner md-typeset" data-pagefind-body>'
        assert every[name].decode("utf-8") == some[name].decode("utf-8").replace(
            '<article class="md-content__inner md-typeset">', marked, 1)
    assert len(search_locations(tmp_path / "all")) == 10


@pytest.mark.parametrize(
    ("path", "searched"),
    [
        ("index.md", True),
        ("protocols/ketamine-trd/index.md", True),
        ("handbooks/psychiatry/index.md", True),
        ("drugs/ketamine/index.md", True),
        ("references/index.md", True),
        ("protocols/ketamine-trd/1.0/index.md", False),
        ("protocols/ketamine-trd/history/index.md", False),
        ("protocols/ketamine-trd/1.0/diff/index.md", False),
        ("protocols/ketamine-trd/1.0/diff-current/index.md", False),
        ("handbooks/psychiatry/print/index.md", False),
        ("protocols.json", False),
    ],
)
def test_in_search(path: str, searched: bool) -> None:
    assert page_kinds.in_search(path) is searched


def test_release_pages_empties_the_dict_and_builds_the_same_site(tmp_path: Path) -> None:
    build_site(SEARCH_PAGES, tmp_path / "kept", None, False, AS_OF)
    assert len(SEARCH_PAGES) == 11  # the default works on a copy
    handed_over = dict(SEARCH_PAGES)
    build_site(handed_over, tmp_path / "released", None, False, AS_OF, release_pages=True)
    assert handed_over == {}
    assert read_tree(tmp_path / "released") == read_tree(tmp_path / "kept")


def test_release_pages_needs_a_dict(tmp_path: Path) -> None:
    from types import MappingProxyType

    with pytest.raises(TypeError, match="^release_pages needs the pages as a dict the engine may empty$"):
        build_site(MappingProxyType(FAKE_PAGES), tmp_path / "site", None, False, AS_OF, release_pages=True)


def test_printing_hides_navigation_and_search_but_keeps_the_disclaimer(
    served_under_sub_path: str, chromium_browser: Any
) -> None:
    selectors = [".md-header", ".md-sidebar--primary", ".md-search", ".md-footer", ".pc-disclaimer", "article"]
    script = "sels => sels.map(s => getComputedStyle(document.querySelector(s)).display)"
    page = chromium_browser.new_page()
    try:
        page.goto(served_under_sub_path + "protocols/ketamine-trd/", wait_until="networkidle")
        on_screen = page.evaluate(script, selectors)
        page.emulate_media(media="print")
        printed = page.evaluate(script, selectors)
    finally:
        page.close()
    assert [display == "none" for display in on_screen] == [False, False, False, False, False, False]
    assert printed == ["none", "none", "none", "none", "block", "block"]


def test_a_config_asking_for_web_fonts_still_builds_an_offline_site(tmp_path: Path) -> None:
    config = tmp_path / "mkdocs.yml"
    config.write_text(
        "theme:\n  name: material\n  font:\n    text: Roboto\n"
        "extra:\n  generator: true\n",
        encoding="utf-8",
    )
    build_site(FAKE_PAGES, tmp_path / "site", config, False, AS_OF)
    for name, html in html_pages(tmp_path / "site"):
        assert "fonts.g" not in html and "squidfunk" not in html, name


REPO_ROOT = Path(__file__).resolve().parents[2]


def site_name(out: Path) -> str:
    html = (out / "index.html").read_text(encoding="utf-8")
    return re.search(r"<title>([^<]*)</title>", html).group(1)


def test_without_a_mkdocs_yml_in_the_current_folder_the_default_config_is_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    build_site(FAKE_PAGES, tmp_path / "site", None, False, AS_OF)
    assert site_name(tmp_path / "site") == "Clinical protocols"


def test_a_mkdocs_yml_in_the_current_folder_is_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: Example Hospital protocols\n", encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    build_site(FAKE_PAGES, tmp_path / "site", None, False, AS_OF)
    assert site_name(tmp_path / "site") == "Example Hospital protocols"


def test_the_sample_librarys_mkdocs_yml_builds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO_ROOT)
    build_site(FAKE_PAGES, tmp_path / "site", None, False, AS_OF)
    assert site_name(tmp_path / "site") == "Clinical protocols"


SERVE_SCRIPT = """
import sys
from pathlib import Path
from generator.site import engine as site
from generator.site.preview_state import PageLedger
source = Path(sys.argv[1])
ledger = PageLedger()
site.serve(lambda full: ledger.update({"index.md": source.read_text(encoding="utf-8")}, full=full), reviewer=False,
           watch=[source.parent], docs_dir=Path(sys.argv[2]), dev_addr=sys.argv[3])
"""


def page_showing(url: str, expected: str) -> str:
    return fetch_until(url, lambda status, text: expected in text)[1]


def test_serve_rebuilds_when_a_watched_file_changes(tmp_path: Path) -> None:
    import subprocess
    import sys

    port = free_port()
    library = tmp_path / "protocols"
    library.mkdir()
    source = library / "page.md"
    source.write_text("# Clinical protocols\n\nVersion one of the page.\n", encoding="utf-8")
    (tmp_path / "docs").mkdir()
    log = (tmp_path / "serve.log").open("w", encoding="utf-8")
    server = subprocess.Popen(
        [sys.executable, "-c", SERVE_SCRIPT, str(source), str(tmp_path / "docs"), f"127.0.0.1:{port}"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    try:
        url = f"http://127.0.0.1:{port}/"
        first = page_showing(url, "Version one of the page.")
        source.write_text("# Clinical protocols\n\nVersion two of the page.\n", encoding="utf-8")
        second = page_showing(url, "Version two of the page.")
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()
    logged = (tmp_path / "serve.log").read_text(encoding="utf-8")
    assert f"Serving on http://127.0.0.1:{port}/" in logged
    assert "Detected file changes" in logged
    assert "<p>Version one of the page.</p>" in first
    assert "<p>Version two of the page.</p>" in second
    assert site.DEFAULT_DISCLAIMER.replace("'", "&#39;") in second


def test_the_engine_lets_go_of_each_pages_text_once_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    written: list[Any] = []
    post_page = site.ProtocolsPlugin.on_post_page.methods  # a CombinedEvent: the body put back, Pagefind's view

    def recording_post_page(self: site.ProtocolsPlugin, output: str, **options: Any) -> str:
        written.append(options["page"])
        for method in post_page:
            output = method(self, output, **options)
        return output

    monkeypatch.setattr(site.ProtocolsPlugin, "on_post_page", recording_post_page)
    build_site(FAKE_PAGES, tmp_path / "site", None, False, AS_OF)
    assert sorted(page.file.src_uri for page in written) == sorted(path for path in FAKE_PAGES if path.endswith(".md"))
    # staged pages: the text stays in the build's staging folder, the File reads it from there
    assert {(page.markdown, page.content) for page in written} == {("", None)}
    assert all(page.file.abs_src_path and ".site.building-" in page.file.abs_src_path for page in written)
    assert [page.title for page in written if page.file.src_uri == "drugs/index.md"] == ["Drug index"]
    written.clear()  # pages given as a dict (serve): the File's copy of the text is dropped once read
    docs = tmp_path / "docs"
    docs.mkdir()
    site.build_into(dict(FAKE_PAGES), tmp_path / "from-dict", docs, None, False, AS_OF)
    assert {(page.file.content_string, page.markdown, page.content) for page in written} == {("", "", None)}
    assert len(written) == len([path for path in FAKE_PAGES if path.endswith(".md")])


def test_title_line_is_shown_as_written_with_only_toc_loaded(tmp_path: Path) -> None:
    """The default config loads toc only (MkDocs adds tables and fenced_code itself): a title full of
    Markdown and table syntax still builds to exactly its text (no stray backslash, no attribute list)."""
    from generator.render.html_page import html_page

    title = 'A|b {: #x onclick="y" } *c* [d](e) `f` 1 | 2 <i>'
    pages = {**FAKE_PAGES, "drugs/odd/index.md": html_page(title, "<p>Body.</p>\n")}
    build_site(pages, tmp_path / "site", None, False, AS_OF)
    page = (tmp_path / "site" / "drugs" / "odd" / "index.html").read_text(encoding="utf-8")
    h1 = re.search(r"<h1 id=\"([^\"]*)\">(.*?)<a class=\"headerlink\"", page)
    assert h1 is not None
    assert h1.group(2) == 'A|b {: #x onclick="y" } *c* [d](e) `f` 1 | 2 &lt;i&gt;'
    assert re.search(r"<[a-z][^>]*\sonclick=", page) is None
    assert "<p>Body.</p>" in page
