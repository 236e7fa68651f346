"""The page kinds of a built site, found from the build output by path, so that the site-wide tests
(accessibility, print, HTML validity, links, content safety, offline) cover every kind that exists.

- Every HTML file of a built site must match exactly one kind of KINDS: a new kind of page fails
  `test_every_built_page_has_a_known_kind` until it is added here, and is then tested everywhere.
- Every page family of the render layer (`generator.render.families.FAMILIES`) must be named by some kind
  (or by FAMILIES_WITHOUT_HTML); once a family exists, the sample library must produce each of its kinds
  on the sites the kind lists, or `test_every_expected_kind_is_built` fails: a page family that the
  sample library does not exercise would go untested.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

SITES = ("clinician", "reviewer")


@dataclass(frozen=True)
class PageKind:
    name: str
    pattern: str  # full match of the page's path relative to the site root
    families: tuple[str, ...]  # names of generator.render.families.FAMILIES entries that render it (any spelling)
    sites: tuple[str, ...] = SITES  # where the sample library must have one once a family exists
    printable: bool = False  # a page clinicians print: tested under print media


SEGMENT = r"[a-z0-9][a-z0-9.-]*"
VERSION = r"[0-9]+\.[0-9]+"

KINDS: tuple[PageKind, ...] = (
    PageKind("home", r"index\.html", ("home",)),
    PageKind("whats-new", r"whats-new/index\.html", ("whats-new",)),
    PageKind("not-found", r"404\.html", ()),  # MkDocs' own, always written
    PageKind("protocol", rf"protocols/{SEGMENT}/index\.html", ("protocols",), printable=True),
    PageKind("version", rf"protocols/{SEGMENT}/{VERSION}/index\.html", ("protocols", "versions"), printable=True),
    PageKind("history", rf"protocols/{SEGMENT}/history/index\.html", ("history", "histories")),
    # The sample library publishes esketamine-trd 1.0 and 1.1 to clinicians: both sites have a diff.
    PageKind("diff", rf"protocols/{SEGMENT}/{VERSION}/diff/index\.html", ("diff", "diffs")),
    # A version awaiting approval against the version in use, when that is not its predecessor (the
    # sample library has no such version: tested when present, not required).
    PageKind("diff-current", rf"protocols/{SEGMENT}/{VERSION}/diff-current/index\.html", ("review",), ()),
    PageKind("handbook-list", r"handbooks/index\.html", ("handbook-index", "handbook-list")),
    PageKind("handbook", rf"handbooks/{SEGMENT}/index\.html", ("handbook", "handbooks")),
    PageKind("handbook-print", rf"handbooks/{SEGMENT}/print/index\.html",
             ("handbooks", "handbook-print", "print"), printable=True),
    PageKind("drug-index", r"drugs/index\.html", ("drugs", "drug-index", "drug_index")),
    PageKind("drug", rf"drugs/{SEGMENT}/index\.html", ("drugs", "drug", "drug-pages")),
    PageKind("bibliography", r"references/index\.html", ("references", "bibliography")),
    PageKind("dashboard", r"review/index\.html", ("review", "dashboard", "reviewer-dashboard"), ("reviewer",)),
)
# Families whose output is not an HTML page.
FAMILIES_WITHOUT_HTML = frozenset({"audit", "protocol files"})  # protocol files: images (test_protocol_images.py)

_COMPILED = [(kind, re.compile(kind.pattern)) for kind in KINDS]


def kind_of(page: str) -> str | None:
    """The kind of a page path such as "protocols/ketamine-trd/1.0/index.html", or None."""
    names = [kind.name for kind, pattern in _COMPILED if pattern.fullmatch(page)]
    if len(names) > 1:
        raise AssertionError(f"page {page} matches several kinds: {names}")
    return names[0] if names else None


def known_families() -> frozenset[str]:
    return frozenset(name for kind in KINDS for name in kind.families) | FAMILIES_WITHOUT_HTML


def expected_kinds(site: str, family_names: list[str]) -> list[str]:
    """Kinds the sample library must produce on `site`, given the render layer's family names."""
    present = set(family_names)
    return [kind.name for kind in KINDS if site in kind.sites and (not kind.families or present & set(kind.families))]


def page_url(page: str) -> str:
    """The URL of a page relative to the site root ("protocols/x/index.html" -> "protocols/x/")."""
    if page == "index.html":
        return ""
    return page.removesuffix("index.html")


@dataclass(frozen=True)
class BuiltSite:
    name: str  # "clinician" or "reviewer"
    root: Path
    by_kind: dict[str, list[str]]  # kind -> sorted page paths
    unknown: list[str]  # HTML pages that match no kind

    def selected(self, printable_only: bool = False) -> dict[str, str]:
        """One page of each kind that exists: the largest file (most content), ties broken by path."""
        printable = {kind.name for kind in KINDS if kind.printable}
        chosen = {}
        for kind, pages in self.by_kind.items():
            if printable_only and kind not in printable:
                continue
            chosen[kind] = max(pages, key=lambda page: ((self.root / page).stat().st_size, page))
        return dict(sorted(chosen.items()))

    def html_pages(self) -> list[str]:
        return sorted(page.relative_to(self.root).as_posix() for page in self.root.rglob("*.html"))


def discover(name: str, root: Path) -> BuiltSite:
    by_kind: dict[str, list[str]] = {}
    unknown: list[str] = []
    for path in sorted(root.rglob("*.html")):
        page = path.relative_to(root).as_posix()
        kind = kind_of(page)
        if kind is None:
            unknown.append(page)
        else:
            by_kind.setdefault(kind, []).append(page)
    return BuiltSite(name, root, by_kind, unknown)
