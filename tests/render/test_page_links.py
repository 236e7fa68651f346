"""Internal links are written root-relative once and made relative for each page by one substitution
(generator/render/page_links.py); a protocol version's text is rendered once and placed on every page
that shows it, with the parts that differ between those pages (switcher, versions list, "Referenced by")
filled per page."""

from __future__ import annotations

import datetime as dt
import posixpath
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from helpers import SAMPLE_LIBRARY, VERSION, shown_body, write_library
from hypothesis import given
from hypothesis import strategies as st

from generator.approvals.publication import publication
from generator.approvals.site_links import SiteLinks
from generator.load.library import load_library
from generator.model import page_paths as paths
from generator.render import page_links, protocol_page
from generator.render.families import render_site
from generator.render.html_page import HTML_BODY, html_page, split_html_page
from generator.render.inline_render import PageContext, render_markdown
from generator.render.page_links import localize, relative_url, served_url
from generator.render.protocol_page import SharedProtocolText

AS_OF = dt.date(2026, 6, 1)


@pytest.mark.parametrize(("path", "directory", "flat"), [
    ("index.md", "", "index.html"),
    ("protocols/x/index.md", "protocols/x/", "protocols/x/index.html"),
    ("whats-new.md", "whats-new/", "whats-new.html"),
    ("protocols/x/README.md", "protocols/x/", "protocols/x/index.html"),
    ("assets/protocol-files/flow chart.png", "assets/protocol-files/flow chart.png",
     "assets/protocol-files/flow chart.png"),
])
def test_served_url_follows_use_directory_urls(path: str, directory: str, flat: str) -> None:
    assert served_url(path, True) == directory
    assert served_url(path, False) == flat


def test_links_are_made_relative_to_the_page_with_and_without_directory_urls() -> None:
    html = ('<a href="/protocols/y/1.0/index.md#dosing">y</a> <img alt="" src="/assets/protocol-files/a.png">'
            ' <a href="/whats-new.md">new</a> <a href="/index.md">home</a>')
    assert localize(html, "protocols/x/index.md", True) == (
        '<a href="../y/1.0/#dosing">y</a> <img alt="" src="../../assets/protocol-files/a.png">'
        ' <a href="../../whats-new/">new</a> <a href="../../">home</a>')
    assert localize(html, "protocols/x/index.md", False) == (
        '<a href="../y/1.0/index.html#dosing">y</a> <img alt="" src="../../assets/protocol-files/a.png">'
        ' <a href="../../whats-new.html">new</a> <a href="../../index.html">home</a>')
    # "whats-new.md" is served as whats-new/index.html: its links climb one folder more
    assert localize(html, "whats-new.md", True).startswith('<a href="../protocols/y/1.0/#dosing">')
    assert localize(html, "whats-new.md", False).startswith('<a href="protocols/y/1.0/index.html#dosing">')


def test_a_link_to_the_page_itself_is_its_anchor() -> None:
    html = '<a href="/protocols/x/index.md#dosing">a</a> <a href="/protocols/x/index.md">b</a>'
    assert localize(html, "protocols/x/index.md", True) == '<a href="#dosing">a</a> <a href="#">b</a>'
    assert localize(html, "protocols/x/1.0/index.md", True) == '<a href="../#dosing">a</a> <a href="../">b</a>'


def test_links_in_json_of_a_data_attribute_are_made_relative_too() -> None:
    html = '<div data-pc-later="[{&#34;href&#34;:&#34;/protocols/x/1.1/index.md&#34;}]">'
    assert localize(html, "protocols/x/index.md", True) == '<div data-pc-later="[{&#34;href&#34;:&#34;1.1/&#34;}]">'


def test_only_attributes_of_real_tags_are_rewritten() -> None:
    """Author text reaches a page with "<" escaped and, in text, quotes as they are: what looks like a link in
    text, a code span or an attribute value stays as written."""
    html = ('<p>Write href="/protocols/x/index.md" or src="/a.png" in text</p>'
            '<code>&lt;a href="/protocols/x/index.md"&gt;</code>'
            '<a title="x href=&#34;/protocols/x/index.md&#34; >" href="/protocols/y/index.md">y</a>'
            '<a href="https://example.org/protocols/x/index.md">web</a> <a href="#local">here</a>')
    assert localize(html, "protocols/x/index.md", True) == html.replace(
        'href="/protocols/y/index.md">y', 'href="../y/">y')
    # a quoted value before the link may hold "<" and ">" (the serializer leaves them in attributes)
    tricky = ('<a title="a<b>c" data-x="<p>" href="/protocols/y/index.md">y</a> after <i title="x>y">i</i>'
              ' href="/protocols/y/index.md" <img alt="1 > 0" src="/assets/protocol-files/a.png">')
    assert localize(tricky, "protocols/x/index.md", True) == (
        '<a title="a<b>c" data-x="<p>" href="../y/">y</a> after <i title="x>y">i</i>'
        ' href="/protocols/y/index.md" <img alt="1 > 0" src="../../assets/protocol-files/a.png">')


@given(st.lists(st.sampled_from(["protocols", "x", "1.0", "print", "handbooks", "a-b"]), min_size=0, max_size=4),
       st.lists(st.sampled_from(["protocols", "x", "1.0", "print", "drugs", "y"]), min_size=0, max_size=4))
def test_relative_url_resolves_to_the_target_from_the_served_page(here: list[str], there: list[str]) -> None:
    page, target = "/".join([*here, "index.md"]), "/".join([*there, "index.md"])
    url = relative_url(page, target, True)
    base = posixpath.join("/", served_url(page, True))
    resolved = posixpath.normpath(posixpath.join(base, url or ".")) if url else base.rstrip("/")
    assert resolved.rstrip("/") == posixpath.join("/", served_url(target, True)).rstrip("/")


def test_root_relative_links_never_come_from_author_text(tmp_path: Path) -> None:
    library = load_library(SAMPLE_LIBRARY)
    links = SiteLinks.for_build(library, AS_OF, reviewer=False)
    doc = library.protocols["ketamine-trd"].versions["1.0"].doc
    text = ('[a](/protocols/ketamine-crps/index.md) [b](</etc/passwd>) ![c](/x.png) <a href="/x">d</a>'
            ' href="/protocols/ketamine-crps/index.md" `src="/x.png"` [[ketamine-crps]]')
    html = render_markdown(text, PageContext("", links, doc))
    # only the cross-reference, which the renderer resolved, is root-relative
    assert html.count('<a href="/') == 1 and '<a href="/protocols/ketamine-crps/index.md">' in html
    assert '<img' not in html and "<a>a</a>" in html and "<a>b</a>" in html
    assert '&lt;a href="/x"&gt;d&lt;/a&gt;' in html
    local = localize(html, "protocols/ketamine-trd/index.md", True)
    assert local.count('href="../ketamine-crps/"') == 1
    assert ' href="/protocols/ketamine-crps/index.md" ' in local  # the author's text, as written


def test_a_page_splits_at_the_first_marker_only() -> None:
    page = html_page('A "title" <b> *x*', f"<p>one</p>\n{HTML_BODY}<p>two</p>", " (retired)")
    head, body = split_html_page(page) or ("", "")
    assert head == "# A \"title\" &lt;b&gt; \\*x\\* (retired)\n\n"
    assert body == f"<p>one</p>\n{HTML_BODY}<p>two</p>"
    assert split_html_page("# Markdown page\n\nText.\n") is None


def _pages_showing_each_version(library_root: Path, reviewer: bool) -> list[tuple[SharedProtocolText, str]]:
    library = load_library(library_root)
    site = publication(library, AS_OF, reviewer)
    site_pages = set(render_site(library, AS_OF, reviewer))
    print_pages = [paths.handbook_print(handbook.id) for handbook in library.handbooks]
    found = []
    for protocol_id, info in site.protocols.items():
        for version in info.versions:
            shared = SharedProtocolText(library, site, info, version, site_pages)
            pages = [paths.version_page(protocol_id, version.version), *print_pages]
            if version is info.canonical:
                pages.append(paths.canonical(protocol_id))
            found += [(shared, page) for page in pages]
    return found


@pytest.mark.parametrize("reviewer", [False, True])
def test_the_navigation_is_on_the_protocols_own_pages_only(reviewer: bool) -> None:
    found = _pages_showing_each_version(SAMPLE_LIBRARY, reviewer)
    assert len(found) > 10
    for shared, page in found:
        body = shared.body(page)
        own = page.startswith(f"protocols/{shared.info.id}/")
        assert (body.count('<nav class="pc-switcher"') == 1) is own, page
        assert (body.count('<h2 id="versions">') == 1) is own, page
        assert "<!-- protocols:" not in body  # every slot filled
    # the canonical page and the version's own page differ only in the navigation: "this page" and links
    canonical = next(s for s, p in found if p == paths.canonical("ketamine-trd"))
    on_canonical = canonical.body(paths.canonical("ketamine-trd"))
    on_version = canonical.body(paths.version_page("ketamine-trd", canonical.version.version))
    assert on_canonical != on_version
    assert "(current, this page)" in on_version and "(current, shown on this page)" in on_canonical


def test_author_nul_and_marker_lookalikes_in_protocol_text_are_shown_as_written(tmp_path: Path) -> None:
    # a title is shown as written; in Markdown fields the parser shows a NUL as U+FFFD (CommonMark); an
    # HTML comment like a slot is text, escaped
    text = VERSION.replace("body: Monitor blood pressure.",
                           'body: "Monitor \\0 blood pressure. <!-- protocols: switcher -->"')
    text = text.replace("title: Safety", 'title: "Safety \\0 first.\\x001\\0 <!-- protocols: versions -->"')
    assert text != VERSION
    root = write_library(tmp_path, {"ketamine-trd/1.0.yaml": text.replace("status: draft", "status: in-review")})
    pages = render_site(load_library(root), AS_OF, reviewer=True)
    page = shown_body(pages, "protocols/ketamine-trd/1.0/index.md")
    assert "Safety \x00 first.\x001\x00 &lt;!-- protocols: versions --&gt;" in page
    assert "Monitor \ufffd blood pressure. &lt;!-- protocols: switcher --&gt;" in page
    assert page.count('<nav class="pc-switcher"') == 1 and page.count('<h2 id="versions">') == 1


def test_each_version_text_is_rendered_once_per_build(monkeypatch: pytest.MonkeyPatch) -> None:
    library = load_library(SAMPLE_LIBRARY)
    calls: Counter[tuple[str, str]] = Counter()
    original = protocol_page.render_protocol_text

    def counted(library: Any, site: Any, info: Any, version: Any, *rest: Any) -> Any:
        calls[(info.id, version.version)] += 1
        return original(library, site, info, version, *rest)

    monkeypatch.setattr(protocol_page, "render_protocol_text", counted)
    pages = render_site(library, AS_OF, reviewer=True)
    assert calls and set(calls.values()) == {1}
    published = {(key.split("/")[1], key.split("/")[2]) for key in pages if key.count("/") == 3
                 and key.startswith("protocols/") and key.split("/")[2][0].isdigit()}
    assert set(calls) == published


def test_root_relative_link_examples() -> None:
    assert paths.href("protocols/a/index.md", "dosing") == "/protocols/a/index.md#dosing"


def test_page_paths_follow_the_site_layout() -> None:
    """ARCHITECTURE.md's layout, spelled out once here: each path function builds on its folder's."""
    assert [paths.canonical("k"), paths.version_page("k", "1.0"), paths.history("k"), paths.diff_page("k", "1.1"),
            paths.diff_current_page("k", "1.1")] == [
        "protocols/k/index.md", "protocols/k/1.0/index.md", "protocols/k/history/index.md",
        "protocols/k/1.1/diff/index.md", "protocols/k/1.1/diff-current/index.md",
    ]
    assert [paths.handbook("h"), paths.handbook_print("h"), paths.drug_page("d")] == [
        "handbooks/h/index.md", "handbooks/h/print/index.md", "drugs/d/index.md",
    ]


_PIECES = ['<a href="/protocols/x/index.md#d">', '<img src="/a.png">', ' href="/whats-new.md"', 'xhref="/index.md"',
           'src="/b.png"', "&#34;href&#34;:&#34;/protocols/x/1.1/index.md&#34;", '<div data-x="[{', '}]">', '"',
           "#", "&#34;", "<p>", "</p>", " ", "\n", "<", ">", "href", '="/', "=\"/a&#34;href&#34;:&#34;/b\"", "src"]


def _regex_localize(html: str, page: str) -> str:
    """What localize did with one regex substitution over the whole text, before it looked for links with
    str.find first: the two must agree on any text."""
    def replace(match: re.Match[str]) -> str:
        if not page_links._inside_tag(html, match.start()):
            return match.group(0)
        attr = match.group("attr")
        opening, closing = (f'{attr}="', '"') if attr is not None else (match.group("json"), "&#34;")
        path = match.group("path") if attr is not None else match.group("json_path")
        anchor = (match.group("anchor") if attr is not None else match.group("json_anchor")) or ""
        url = relative_url(page, path, True)
        return f"{opening}{url + anchor if url or anchor else '#'}{closing}"

    return page_links._LINK.sub(replace, html)


@given(st.lists(st.sampled_from(_PIECES), max_size=24))
def test_finding_links_by_their_marks_is_the_regex_substitution(pieces: list[str]) -> None:
    html = "".join(pieces)
    assert localize(html, "protocols/x/1.0/index.md", True) == _regex_localize(html, "protocols/x/1.0/index.md")


def test_a_link_at_the_very_start_or_glued_to_a_word_is_not_rewritten() -> None:
    assert localize('href="/index.md" src="/a.png" xhref="/index.md"', "drugs/index.md", True) == (
        'href="/index.md" src="/a.png" xhref="/index.md"')
    # a JSON link inside an attribute's link is part of that link (as one regex substitution had it)
    json_in_path = '<a href="/protocols/x/index.md&#34;href&#34;:&#34;/index.md&#34;">'
    assert localize(json_in_path, "drugs/index.md", True) == (
        '<a href="../protocols/x/index.md&#34;href&#34;:&#34;/index.md&#34;">')
