"""The theme HTML shared between pages (generator/site/theme_cache.py and the overrides that use it): a page
gets exactly the bytes a full rendering would give, and pages outside the navigation share one rendering
of the navigation items when their links to them read alike."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import SimpleNamespace

import material
import pytest
from helpers import SAMPLE_LIBRARY
from markupsafe import Markup
from mkdocs.utils import normalize_url

from generator.load.library import load_library
from generator.render.families import render_site
from generator.render.nowrap import keep_together
from generator.site import theme_cache, title_lines
from generator.site.atomic_output import build_site
from generator.site.theme_cache import ThemeCache

AS_OF = dt.date(2026, 11, 30)
OVERRIDES = Path(__file__).resolve().parents[2] / "site_templates/overrides/partials"
NAV_CACHE_OPEN = ("{% set pc_key = pc_theme_cache.navigation_key(nav, page) %}"
                  "{% set pc_items = pc_theme_cache.navigation(pc_key) %}"
                  "{% if pc_items is none %}{% set pc_items %}")
NAV_CACHE_CLOSE = ("{% endset %}{{ pc_theme_cache.keep_navigation(pc_key, pc_items) }}"
                   "{% else %}{{ pc_items }}{% endif %}")


def page(url: str) -> SimpleNamespace:
    return SimpleNamespace(url=url)


def navigation(*urls: str) -> SimpleNamespace:
    """A navigation of pages at `urls` (one in a section, as MkDocs nests an index page's folder)."""
    pages = [SimpleNamespace(url=url, children=None) for url in urls]
    section = SimpleNamespace(title="Section", children=pages[1:])
    return SimpleNamespace(items=[pages[0], section], pages=pages)


def material_partial(name: str) -> str:
    return (Path(material.__file__).parent / "templates/partials" / name).read_text(encoding="utf-8")


def our_partial(name: str) -> str:
    return (OVERRIDES / name).read_text(encoding="utf-8")


# --- the navigation key ---------------------------------------------------------------------------------

def test_pages_at_the_same_depth_under_other_folders_share_a_key() -> None:
    cache = ThemeCache(normalize_url)
    nav = navigation("", "drugs/", "handbooks/icu/")
    keys = {cache.navigation_key(nav, page(url)) for url in
            ("protocols/a/", "protocols/b/", "references/c/")}
    assert keys == {("../..", "../../drugs/", "../../handbooks/icu/")}


def test_a_page_under_a_navigation_folder_has_a_key_of_its_own() -> None:
    """drugs/x/ links to drugs/ as "../", protocols/x/ as "../../drugs/": two renderings, never one."""
    cache = ThemeCache(normalize_url)
    nav = navigation("", "drugs/", "handbooks/icu/")
    under, beside = cache.navigation_key(nav, page("drugs/x/")), cache.navigation_key(nav, page("protocols/x/"))
    assert under == ("../..", "../", "../../handbooks/icu/")
    assert beside == ("../..", "../../drugs/", "../../handbooks/icu/")
    assert cache.navigation_key(nav, page("handbooks/icu/print/")) == ("../../..", "../../../drugs/", "../")


def test_depth_separates_keys() -> None:
    cache = ThemeCache(normalize_url)
    nav = navigation("", "drugs/")
    assert cache.navigation_key(nav, page("protocols/a/")) != cache.navigation_key(nav, page("protocols/a/v2/"))


def test_a_page_in_the_navigation_and_the_404_page_get_no_key() -> None:
    cache = ThemeCache(normalize_url)
    nav = navigation("", "drugs/")
    assert cache.navigation_key(nav, nav.pages[1]) is None
    assert cache.navigation_key(nav, None) is None
    assert cache.navigation(None) is None
    assert cache.keep_navigation(None, "<li>x</li>") == "<li>x</li>"
    assert cache.navigation(None) is None


def test_an_external_link_in_the_navigation_reads_the_same_on_every_page() -> None:
    cache = ThemeCache(normalize_url)
    nav = navigation("", "https://intranet.example.org/formulary/")
    assert cache.navigation_key(nav, page("protocols/a/")) == ("../..", "https://intranet.example.org/formulary/")


def test_kept_navigation_is_returned_for_its_key_only() -> None:
    cache = ThemeCache(normalize_url)
    assert cache.keep_navigation(("../",), "<li>one</li>") == "<li>one</li>"
    assert cache.navigation(("../",)) == "<li>one</li>"
    assert cache.navigation(("../../",)) is None


# --- the page contents and the translations ---------------------------------------------------------------

def test_the_contents_are_kept_for_the_page_being_built_only() -> None:
    cache = ThemeCache(normalize_url)
    first, second = page("a/"), page("b/")
    assert cache.page_contents(first) is None
    cache.keep_page_contents(first, "<nav>first</nav>")
    assert cache.page_contents(first) == "<nav>first</nav>"
    assert cache.page_contents(second) is None  # an equal-looking page is not the same page
    cache.keep_page_contents(second, "<nav>second</nav>")
    assert cache.page_contents(first) is None
    cache.keep_page_contents(None, "<nav>404</nav>")
    assert cache.page_contents(None) is None


def test_a_translation_is_the_languages_else_englishs_else_the_key_looked_up_once() -> None:
    asked: list[str] = []

    def german(key: str) -> str:
        asked.append(key)
        return {"toc": "Inhaltsverzeichnis"}.get(key, "")

    def english(key: str) -> str:
        return {"toc": "Table of contents", "search": "Search"}.get(key, "")

    t = ThemeCache(normalize_url).translator("de", german, english)
    assert [t("toc"), t("search"), t("no.such.key"), t("toc")] == ["Inhaltsverzeichnis", "Search", "no.such.key",
                                                                    "Inhaltsverzeichnis"]
    assert asked == ["toc", "search", "no.such.key"]


def test_scripts_are_shared_only_while_all_are_the_sites_assets() -> None:
    assert ThemeCache.under_assets(["assets/site.js", "assets/dosecalc.js"])
    assert ThemeCache.under_assets([])
    assert not ThemeCache.under_assets(["assets/site.js", "drugs/extra.js"])
    assert not ThemeCache.under_assets(["https://intranet.example.org/assets/x.js"])
    assert not ThemeCache.under_assets(["/assets/x.js"])


# --- the overrides are Material's but for the cache ---------------------------------------------------------

def test_the_toc_partial_is_materials_inside_the_contents_cache() -> None:
    ours = our_partial("toc.html").split("-#}\n", 1)[1]
    opening = ("{% set pc_contents = pc_theme_cache.page_contents(page) %}{% if pc_contents is none %}"
               "{% set pc_contents = pc_theme_cache.contents_html(page, lang.t(\"toc\"), config.mdx_configs.toc "
               "and config.mdx_configs.toc.title) %}{% endif %}{% if pc_contents is none %}{% set pc_contents %}")
    closing = ("{% endset %}{{ pc_theme_cache.keep_page_contents(page, pc_contents) }}{% else %}{{ pc_contents }}"
               "{% endif %}\n")
    assert ours.startswith(opening) and ours.endswith(closing)
    assert ours.removeprefix(opening).removesuffix(closing) + "\n" == material_partial("toc.html").split("-#}\n", 1)[1]


def test_the_language_partial_is_materials_but_for_t() -> None:
    original = material_partial("language.html").split("-#}\n", 1)[1]
    macro = "{% macro t(key) %}{{ lang.t(key) or fallback.t(key) or key }}{% endmacro %}\n"
    ours = our_partial("language.html").split("-#}\n", 1)[1]
    assert original.count(macro) == 1
    assert ours == original.replace(
        macro, "{% set t = pc_theme_cache.translator(config.theme.language, lang.t, fallback.t) %}\n")


def test_the_nav_partial_wraps_materials_loop_over_the_items_in_the_cache() -> None:
    loop = ('{% for nav_item in nav.items %}\n      {% set path = "__nav_" ~ loop.index %}\n'
            "      {{ item.render(nav_item, path, 1) }}\n    {% endfor %}")
    assert material_partial("nav.html").count(loop) == 1
    assert our_partial("nav.html").count(NAV_CACHE_OPEN + loop + NAV_CACHE_CLOSE) == 1


# --- whole sites: the same bytes, fewer renderings -----------------------------------------------------------

class _Uncached(ThemeCache):
    """Renders everything for every page, as Material alone would."""

    kept = 0

    def navigation(self, key: object) -> None:
        return None

    def part(self, name: str, key: object) -> None:
        return None

    def page_contents(self, page: object) -> None:
        return None

    def contents_html(self, page: object, title: object, configured: object) -> None:
        return None

    def translator(self, language, lookup, fallback):  # type: ignore[no-untyped-def]
        return lambda key: str(lookup(key) or fallback(key) or key)


class _Counting(ThemeCache):
    renderings: list[object] = []

    def keep_navigation(self, key, html):  # type: ignore[no-untyped-def]
        _Counting.renderings.append(key)
        return super().keep_navigation(key, html)


# Settings that put page-dependent links or items into a cached part: a logo and a home page of their own,
# alternate languages, a script outside assets/; sticky tabs (which list the navigation in the header).
ALTERNATES = """\
extra_javascript: [drugs/extra.js]
theme:
  logo: assets/site.css
extra:
  homepage: drugs/
  alternate:
    - {name: English, link: ./, lang: en}
    - {name: Deutsch, link: drugs/, lang: de}
"""
STICKY_TABS = """\
theme:
  features: [navigation.indexes, navigation.tabs, navigation.tabs.sticky, navigation.top]
"""


def _build(out: Path, reviewer: bool, config_text: str | None) -> dict[str, bytes]:
    pages = render_site(load_library(SAMPLE_LIBRARY), AS_OF, reviewer=reviewer)
    config_file = None
    if config_text is not None:
        config_file = out.parent / f"{out.name}-mkdocs.yml"
        config_file.write_text(config_text, encoding="utf-8")
    build_site(pages, out, config_file, reviewer, AS_OF)
    return {path.relative_to(out).as_posix(): path.read_bytes() for path in sorted(out.rglob("*")) if path.is_file()}


@pytest.mark.parametrize(("reviewer", "config_text"),
                         [(False, None), (True, None), (False, ALTERNATES), (False, STICKY_TABS)],
                         ids=["clinician", "reviewer", "alternates", "sticky-tabs"])
def test_a_site_built_with_the_caches_is_byte_identical_to_one_built_without(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reviewer: bool, config_text: str | None
) -> None:
    _Counting.renderings = []
    monkeypatch.setattr("generator.site.engine.ThemeCache", _Counting)
    cached = _build(tmp_path / "cached", reviewer, config_text)
    monkeypatch.setattr("generator.site.engine.ThemeCache", _Uncached)
    monkeypatch.setattr(title_lines.TitleLines, "render",
                        lambda self, page, config, files: title_lines.Page.render(page, config, files))
    uncached = _build(tmp_path / "uncached", reviewer, config_text)
    assert sorted(cached) == sorted(uncached)
    shown = {ALTERNATES: (b'alt="logo"', b"md-select__link", b'src="../../drugs/extra.js"'),
             STICKY_TABS: (b'class="md-tabs"',)}.get(config_text, ())
    assert all(part in cached["protocols/ketamine-trd/index.html"] for part in shown)  # the settings took effect
    assert [path for path in cached if cached[path] != uncached[path]] == []
    html_pages = [path for path in cached if path.endswith(".html") and not path.startswith("pagefind/")]
    keyed = [key for key in _Counting.renderings if key is not None]
    assert len(keyed) == len(set(keyed)) < len(html_pages) / 2  # each key rendered once, most pages shared one
    assert theme_cache.ThemeCache is not _Counting  # the patch stayed in the engine module


PAGE_URLS = ["", "drugs/", "drugs/x/", "drugs/x/y/", "protocols/", "protocols/a/", "protocols/a/v2/",
             "protocols/a/v2/diff/", "protocols/b/", "handbooks/", "handbooks/icu/", "handbooks/icu/print/",
             "handbooks/icuextra/", "handbooks/ic/", "references/", "a.html", "drugs/x.html", "drugs/x/y.html",
             "protocols/a/v2/index.html", "handbooks/icu/page.html", "whats-new/", "drugs.v2/", "drugs.v2/x/"]
ITEM_URLS = [("", "drugs/", "handbooks/icu/", "protocols/a/"),
             ("index.html", "drugs/index.html", "handbooks/icu/index.html"),
             ("", "../outside/", "./drugs/", "https://intranet.example.org/x/", "/absolute/", "drugs.v2/x/")]


@pytest.mark.parametrize("items", ITEM_URLS)
def test_pages_share_a_key_exactly_when_every_item_link_reads_alike(items: tuple[str, ...]) -> None:
    """The key is worked out once per depth and shared folder start: never shared by two pages whose
    links to the items differ, nor different for two pages whose links are the same."""
    cache = ThemeCache(normalize_url)
    nav = navigation(*items)
    for first in PAGE_URLS:
        for second in PAGE_URLS:
            links = [tuple(normalize_url(item, page(url)) for item in items) for url in (first, second)]
            keys = [cache.navigation_key(nav, page(url)) for url in (first, second)]
            assert keys == links, (first, second)


def test_the_nowrap_filter_wraps_each_distinct_text_once_as_keep_together_does() -> None:
    cache = ThemeCache(normalize_url)
    texts = ["Ketamine 0.5 mg/kg over 40 minutes", "Reviewed 2026-03-02", "no quantity", "",
             Markup("5 mg &amp; 10 mg"), "5 mg &amp; 10 mg"]
    for text in texts:
        first = cache.kept_together(text)
        assert first == keep_together(text)
        assert cache.kept_together(text) is first  # the second page gets the first page's text
        assert type(first) is type(keep_together(text))
    undefined = object()
    assert cache.kept_together(undefined) is undefined
    assert cache.kept_together(None) is None
