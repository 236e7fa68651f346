"""A protocol version's text is rendered once and placed on every page that shows it; what depends on
the page (relative links, "this page") is filled in per page, exactly as a render of that page alone."""

from __future__ import annotations

import datetime as dt
import posixpath
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from helpers import VERSION, write_library
from hypothesis import given
from hypothesis import strategies as st

from generator.approvals.publication import publication
from generator.load.library import load_library
from generator.render import paths, protocol_page
from generator.render.families import render_site
from generator.render.page_fragments import PageFragments, relative
from generator.render.protocol_page import SharedProtocolText, render_protocol_page

SAMPLE_LIBRARY = Path(__file__).resolve().parent.parent / "protocols"
AS_OF = dt.date(2026, 6, 1)


def _where(page: str) -> str:
    return f"<{page}>"


def test_deferred_fragments_are_filled_for_each_page() -> None:
    fragments = PageFragments.deferred()
    text = f"a {fragments.text(_where)} b {fragments.text(lambda page: page.upper())} c"
    assert text == "a \x000\x00 b \x001\x00 c"
    assert fragments.fill(text, "x/index.md") == "a <x/index.md> b X/INDEX.MD c"
    assert fragments.fill(text, "y/index.md") == "a <y/index.md> b Y/INDEX.MD c"


def test_fragments_for_a_known_page_are_computed_at_once() -> None:
    fragments = PageFragments.for_page("x/index.md")
    text = f"a {fragments.text(_where)}"
    assert text == "a <x/index.md>"
    assert fragments.fill(text, "x/index.md") == text
    assert fragments.fill(text, "y/index.md") is None  # rendered for another page


@pytest.mark.parametrize(
    "author_text",
    [
        "\x00",  # a lone NUL from a YAML "\0" escape
        "\x000\x00",  # a copy of the first marker
        "\x009\x00",  # a marker number that does not exist
        "\x00\x00",
    ],
)
def test_author_nul_characters_leave_the_text_unfilled(author_text: str) -> None:
    fragments = PageFragments.deferred()
    text = f"{fragments.text(_where)} {author_text} {fragments.text(_where)}"
    assert fragments.fill(text, "x/index.md") is None


def test_a_marker_missing_or_repeated_leaves_the_text_unfilled() -> None:
    fragments = PageFragments.deferred()
    first, second = fragments.text(_where), fragments.text(_where)
    assert fragments.fill(first, "x/index.md") is None  # second missing
    assert fragments.fill(first + first, "x/index.md") is None  # first twice, second missing
    assert fragments.fill(first + second, "x/index.md") == "<x/index.md><x/index.md>"


def _shared_and_direct(library_root: Path, reviewer: bool) -> list[tuple[SharedProtocolText, str, str]]:
    """(shared text, page, the page rendered alone) for every page that shows a protocol version."""
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
            for page in pages:
                direct = render_protocol_page(library, site, info, version, page, site_pages)
                found.append((shared, page, direct))
    return found


@pytest.mark.parametrize("reviewer", [False, True])
def test_shared_text_on_each_page_is_the_page_rendered_alone(reviewer: bool) -> None:
    found = _shared_and_direct(SAMPLE_LIBRARY, reviewer)
    assert len(found) > 10
    for shared, page, direct in found:
        assert shared.fragments.fill(shared.text, page) is not None, page  # filled, not rendered again
        assert shared.page(page) == direct, page
    # the canonical page and the version's own page do differ (links, "this page")
    canonical = [(s, p, d) for s, p, d in found if p == paths.canonical("ketamine-trd")]
    own = [d for s, p, d in found if s is canonical[0][0] and p != canonical[0][1] and p.startswith("protocols/")]
    assert own and own[0] != canonical[0][2]


def test_author_nul_in_protocol_text_renders_each_page_alone(tmp_path: Path) -> None:
    # a title is shown as written; in Markdown fields the parser shows a NUL as U+FFFD (CommonMark)
    text = VERSION.replace("body: Monitor blood pressure.", 'body: "Monitor \\0 blood pressure."')
    text = text.replace("title: Safety", 'title: "Safety \\0 first.\\x001\\0"')
    assert text != VERSION
    root = write_library(tmp_path, {"ketamine-trd/1.0.yaml": text.replace("status: draft", "status: in-review")})
    found = _shared_and_direct(root, reviewer=True)
    assert found
    for shared, page, direct in found:
        assert shared.fragments.fill(shared.text, page) is None  # the NULs are the author's
        assert shared.page(page) == direct
        assert "Safety \x00 first.\x001\x00" in direct
        assert "Monitor \ufffd blood pressure." in direct


def test_each_version_text_is_rendered_once_per_build(monkeypatch: pytest.MonkeyPatch) -> None:
    library = load_library(SAMPLE_LIBRARY)
    calls: Counter[tuple[str, str]] = Counter()
    original = protocol_page.render_protocol_text

    def counted(library: Any, site: Any, info: Any, version: Any, *rest: Any) -> str:
        calls[(info.id, version.version)] += 1
        return original(library, site, info, version, *rest)

    monkeypatch.setattr(protocol_page, "render_protocol_text", counted)
    pages = render_site(library, AS_OF, reviewer=True)
    assert calls and set(calls.values()) == {1}
    published = {(key.split("/")[1], key.split("/")[2]) for key in pages if key.count("/") == 3
                 and key.startswith("protocols/") and key.split("/")[2][0].isdigit()}
    assert set(calls) == published


_segment = st.sampled_from(["protocols", "ketamine-trd", "1.0", "index.md", "a", "b", "print", "handbooks"])
_page_path = st.lists(_segment, min_size=1, max_size=5).map("/".join)


@given(_page_path, _page_path)
def test_relative_link_is_posix_relpath_from_the_page_folder(from_page: str, to_page: str) -> None:
    assert relative(from_page, to_page) == posixpath.relpath(to_page, posixpath.dirname(from_page) or ".")


def test_relative_link_examples() -> None:
    assert relative("protocols/a/1.0/index.md", "protocols/a/index.md") == "../index.md"
    assert relative("protocols/a/index.md", "protocols/a/1.0/index.md") == "1.0/index.md"
    assert relative("index.md", "drugs/index.md") == "drugs/index.md"
    assert relative("handbooks/h/print/index.md", "protocols/a/index.md") == "../../../protocols/a/index.md"
