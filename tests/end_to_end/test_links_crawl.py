"""Both built sites, crawled from their HTML: every relative href/src resolves to a file, every #fragment is
an id of its target, no link is root-absolute (the site lives under a sub-path), and every page is
reachable from the home page. Also: every built page has a known kind, and every page family of the
render layer shows up in the sample sites (tests/site_pages.py), so the site-wide tests cover it.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from site_pages import SITES, BuiltSite, expected_kinds, known_families

from generator.render.families import FAMILIES

LINK_ATTRIBUTES = {"a": "href", "area": "href", "link": "href", "script": "src", "img": "src", "iframe": "src",
                   "source": "src", "audio": "src", "video": "src", "embed": "src", "object": "data",
                   "form": "action"}
EXTERNAL_SCHEMES = {"http", "https", "mailto", "tel"}


class PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value for name, value in attrs if value is not None}
        if "id" in values:
            self.ids.add(values["id"])
        if tag == "a" and "name" in values:
            self.ids.add(values["name"])
        attribute = LINK_ATTRIBUTES.get(tag)
        if attribute and attribute in values:
            self.links.append(values[attribute])


@dataclass
class Crawl:
    ids: dict[str, set[str]] = field(default_factory=dict)  # page -> ids
    links: dict[str, list[str]] = field(default_factory=dict)  # page -> hrefs as written
    broken: list[str] = field(default_factory=list)
    edges: dict[str, set[str]] = field(default_factory=dict)  # page -> pages it links to


def target_file(root: Path, page: str, href: str) -> tuple[str, str] | str:
    """(file relative to root, fragment) of a relative link from `page`, or a message why it is broken."""
    parts = urlsplit(href)
    path = unquote(parts.path)
    if path.startswith("/"):
        # 404.html too: generator/site/engine.py makes it relative
        return "root-absolute link (breaks under a sub-path)"
    elif path:
        joined = posixpath.normpath(posixpath.join(posixpath.dirname(page), path))
    else:
        joined = page
    if joined == ".." or joined.startswith("../"):
        return "points outside the site"
    joined = "" if joined == "." else joined
    candidate = root / joined
    if candidate.is_dir() or path.endswith("/") or joined == "":
        joined = posixpath.join(joined, "index.html") if joined else "index.html"
        candidate = root / joined
    if not candidate.is_file():
        return f"no file {joined}"
    return joined, unquote(parts.fragment)


def crawl(root: Path) -> Crawl:
    result = Crawl()
    for path in sorted(root.rglob("*.html")):
        page = path.relative_to(root).as_posix()
        parser = PageParser()
        parser.feed(path.read_text(encoding="utf-8"))
        parser.close()
        result.ids[page], result.links[page] = parser.ids, parser.links
    for page, hrefs in result.links.items():
        result.edges[page] = set()
        for href in hrefs:
            scheme = urlsplit(href).scheme.lower()
            if scheme in EXTERNAL_SCHEMES or href.startswith("//"):
                continue  # not this test's business: test_offline.py and test_content_safety.py
            if scheme:
                result.broken.append(f"{page}: {href}: scheme {scheme}: is not a link")
                continue
            target = target_file(root, page, href)
            if isinstance(target, str):
                result.broken.append(f"{page}: {href}: {target}")
                continue
            file, fragment = target
            result.edges[page].add(file)
            if fragment and file.endswith(".html") and fragment not in result.ids[file]:
                result.broken.append(f"{page}: {href}: no id {fragment!r} in {file}")
            elif fragment and not file.endswith(".html"):
                result.broken.append(f"{page}: {href}: #{fragment} on a file that is not a page")
    return result


def unreachable(result: Crawl) -> list[str]:
    seen, todo = {"index.html"}, ["index.html"]
    while todo:
        for target in result.edges.get(todo.pop(), ()):
            if target.endswith(".html") and target not in seen:
                seen.add(target)
                todo.append(target)
    return sorted(set(result.ids) - seen - {"404.html"})


@pytest.mark.parametrize("site", SITES)
def test_no_broken_internal_link_or_anchor(built_sites: dict[str, BuiltSite], site: str) -> None:
    result = crawl(built_sites[site].root)
    assert len(result.links) == len(built_sites[site].html_pages())
    assert sum(len(links) for links in result.links.values()) > 100  # the crawl saw the pages' links
    assert result.broken == []


@pytest.mark.parametrize("site", SITES)
def test_every_page_is_reachable_from_the_home_page(built_sites: dict[str, BuiltSite], site: str) -> None:
    assert unreachable(crawl(built_sites[site].root)) == []


def test_the_crawler_finds_broken_files_anchors_and_root_absolute_links(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "index.html").write_text(
        '<h1 id="top">Home</h1><a href="a/">ok</a> <a href="a/#here">ok</a> <a href="#top">ok</a>'
        '<a href="a/#gone">bad anchor</a> <a href="b/">bad file</a> <img src="/logo.png">'
        '<a href="https://example.org/x#y">external</a> <a href="javascript:void(0)">script</a>',
        encoding="utf-8")
    (tmp_path / "a/index.html").write_text('<p id="here">A</p><a href="../index.html#top">back</a>',
                                           encoding="utf-8")
    (tmp_path / "orphan.html").write_text("<p>nobody links here</p>", encoding="utf-8")
    result = crawl(tmp_path)
    assert result.broken == [
        "index.html: a/#gone: no id 'gone' in a/index.html",
        "index.html: b/: no file b/index.html",
        "index.html: /logo.png: root-absolute link (breaks under a sub-path)",
        "index.html: javascript:void(0): scheme javascript: is not a link",
    ]
    assert unreachable(result) == ["orphan.html"]


@pytest.mark.parametrize("site", SITES)
def test_every_built_page_has_a_known_kind(built_sites: dict[str, BuiltSite], site: str) -> None:
    assert built_sites[site].unknown == [], "add a PageKind for these pages to tests/site_pages.py"


def test_every_page_family_of_the_render_layer_has_known_page_kinds() -> None:
    unknown = sorted({family.name for family in FAMILIES} - known_families())
    assert unknown == [], "name these render families in a PageKind of tests/site_pages.py (or FAMILIES_WITHOUT_HTML)"


@pytest.mark.parametrize("site", SITES)
def test_every_expected_kind_is_built(built_sites: dict[str, BuiltSite], site: str) -> None:
    expected = expected_kinds(site, [family.name for family in FAMILIES])
    assert {"home", "not-found", "protocol", "version", "history"} <= set(expected)
    missing = [kind for kind in expected if kind not in built_sites[site].by_kind]
    assert missing == [], "the sample library (protocols/) must produce a page of each kind its render family makes"


@pytest.mark.parametrize("reviewer", [False, True], ids=["clinician", "reviewer"])
def test_dose_change_rows_of_diff_pages_link_to_the_item_on_its_version_page(tmp_path: Path, reviewer: bool) -> None:
    """The sample library may have no diff with a dose change: this one changes a dose and a duration,
    removes a phase (its row links to the old version's page) and adds one (the new version's page)."""
    from helpers import VERSION, run, signed_ledger, write_library

    v1_0 = VERSION.replace("status: draft", "status: approved\neffective: 2026-01-01")
    v1_1 = (v1_0.replace('version: "1.0"', 'version: "1.1"').replace("effective: 2026-01-01", "effective: 2026-02-01")
            .replace("dose: 0.5 mg/kg", "dose: 0.6 mg/kg").replace("duration: 40 min", "duration: 45 min")
            .replace("  - id: induction\n    name: Induction", "  - id: weekly\n    name: Weekly")
            .replace("changes: []", "changes: [Raised ketamine-iv; induction is now weekly.]"))
    assert v1_1.count("weekly") == 2
    library = write_library(tmp_path, {"ketamine-trd/1.0.yaml": v1_0, "ketamine-trd/1.1.yaml": v1_1})
    signers = (("Ann Lee", "pharmacist"), ("Bo Chan", "psychiatrist"))
    (library / "ketamine-trd" / "approvals.yaml").write_text(signed_ledger(library, "ketamine-trd", [
        (version, name, role, "2025-12-20") for version in ("1.0", "1.1") for name, role in signers
    ]), encoding="utf-8")
    out = tmp_path / "site"
    flags = ["--reviewer"] if reviewer else []
    status, printed, err = run("build", *flags, "--as-of", "2026-03-01", "--out", str(out), str(library))
    assert (status, err) == (0, ""), printed
    result = crawl(out)
    diff_page = "protocols/ketamine-trd/1.1/diff/index.html"
    row_links = sorted(href for href in result.links[diff_page] if "#regimen-" in href or "#phase-" in href)
    assert row_links == [
        "../#phase-weekly", "../#regimen-ketamine-iv", "../#regimen-ketamine-iv", "../../1.0/#phase-induction",
    ]
    assert result.broken == []
