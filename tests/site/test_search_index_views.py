"""What Pagefind is shown of a site (generator/site/search_index.py, PagefindViews): each page the engine
writes is handed over as it is written, and only the site's other HTML files are read back from disk."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from generator.site import search_index

MARKED = ('<html lang="en"><head><title>T</title></head><body><nav>n</nav>'
          "<article data-pagefind-body>{}</article></body></html>")
UNMARKED = "<html><body><article>{}</article></body></html>"


def listing_stand_in(folder: Path, listing: Path) -> Path:
    """A Pagefind stand-in that copies the folder it is shown to ``listing`` and writes an empty bundle."""
    path = folder / "pagefind-stand-in"
    path.write_text(f'#!/bin/sh\nrm -rf "{listing}"\ncp -r "$2" "{listing}"\n'
                    'mkdir -p "$4" && touch "$4/pagefind.js" "$4/pagefind-entry.json"\n', encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def shown(listing: Path) -> dict[str, bytes]:
    return {path.relative_to(listing).as_posix(): path.read_bytes() for path in listing.rglob("*") if path.is_file()}


def write(site: Path, path: str, text: str) -> None:
    (site / path).parent.mkdir(parents=True, exist_ok=True)
    (site / path).write_text(text, encoding="utf-8")


@pytest.fixture
def views(tmp_path: Path) -> search_index.PagefindViews:
    folder = tmp_path / "search"
    folder.mkdir()
    return search_index.PagefindViews(folder)


def test_pages_handed_over_are_shown_as_handed_and_never_read_back(
    tmp_path: Path, views: search_index.PagefindViews, monkeypatch: pytest.MonkeyPatch
) -> None:
    site, listing = tmp_path / "site", tmp_path / "listing"
    write(site, "a/index.html", UNMARKED.format("the copy on disk"))  # handed over marked: shown as handed
    write(site, "b/index.html", MARKED.format("beta"))  # not handed over (a theme page): read back
    write(site, "c/index.html", MARKED.format("the copy on disk"))  # handed over unmarked: not shown
    write(site, "d/index.html", UNMARKED.format("delta"))  # not handed over, unmarked: not shown
    write(site, "e/notes.txt", MARKED.format("not HTML"))
    views.add("a/index.html", MARKED.format("alpha"))
    views.add("c/index.html", UNMARKED.format("gamma"))
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(listing_stand_in(tmp_path, listing)))
    search_index.index_site(site, views=views)
    head = b'<html lang="en"><head><title>T</title></head><body>'
    assert shown(listing) == {
        "a/index.html": head + b"<article data-pagefind-body>alpha</article></body></html>",
        "b/index.html": head + b"<article data-pagefind-body>beta</article></body></html>",
    }
    assert not views.folder.exists()  # the staging folder is removed once indexed
    assert views.count == 2


def test_a_page_is_shown_encoded_as_mkdocs_writes_it(tmp_path: Path, views: search_index.PagefindViews,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """A lone surrogate (no UTF-8 for it) becomes a character reference, as in MkDocs' write of the page."""
    site, listing = tmp_path / "site", tmp_path / "listing"
    site.mkdir()
    views.add("index.html", MARKED.format("dose \ud800 ≤ 5 µg"))
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(listing_stand_in(tmp_path, listing)))
    search_index.index_site(site, views=views)
    assert shown(listing)["index.html"].endswith(
        "<article data-pagefind-body>dose &#55296; ≤ 5 µg</article></body></html>".encode())


def test_a_page_that_cannot_be_cut_is_shown_whole(tmp_path: Path, views: search_index.PagefindViews,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    site, listing = tmp_path / "site", tmp_path / "listing"
    site.mkdir()
    page = '<html><body><div data-pagefind-body><nav data-pagefind-meta="x">n</nav>text</div></body></html>'
    views.add("x/y/index.html", page)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(listing_stand_in(tmp_path, listing)))
    search_index.index_site(site, views=views)
    assert shown(listing) == {"x/y/index.html": page.encode()}


def test_no_marked_page_handed_over_or_on_disk_is_refused(tmp_path: Path, views: search_index.PagefindViews) -> None:
    site = tmp_path / "site"
    write(site, "index.html", UNMARKED.format("text"))
    views.add("other/index.html", UNMARKED.format("data-pagefind"))
    with pytest.raises(search_index.SearchIndexError) as raised:
        search_index.index_site(site, views=views)
    assert str(raised.value) == (
        f"the search index was not built: no page of {site} is marked for search (data-pagefind-body, "
        "written by the theme's main.html): a custom_dir main.html must keep Material's content block inside "
        "the generator's")
    assert not views.folder.exists()
