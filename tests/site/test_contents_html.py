"""A page's contents written in Python (generator/site/contents_html.py) are byte for byte what Material's
templates (overrides/partials/toc.html and toc-item.html) render for them in the site's own Jinja
environment, and whatever the Python covers not is left to the templates."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from hypothesis_profiles import examples
from jinja2 import Environment
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files
from mkdocs.structure.toc import AnchorLink, TableOfContents
from mkdocs.utils import normalize_url

from generator.site.engine import load_site_config
from generator.site.theme_cache import ThemeCache

# A page's template context as far as toc.html reads it: the page, the configuration and Material's texts.
PAGE_TEMPLATE = '{% import "partials/language.html" as lang with context %}{% include "partials/toc.html" %}'


class _TemplateOnly(ThemeCache):
    """Leaves the contents to the templates, as before the Python path."""

    def contents_html(self, page: object, title: object, configured: object) -> None:
        return None


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Environment, MkDocsConfig]]:
    folder = tmp_path_factory.mktemp("contents")
    (folder / "docs").mkdir()
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(folder)  # no mkdocs.yml here: the generator's own configuration
        config = load_site_config(None, docs_dir=str(folder / "docs"), site_dir=str(folder / "site"))
        config = config.plugins.on_config(config)
        env = config.plugins.on_env(config.theme.get_env(), config=config, files=Files([]))
        yield env, config


def rendered(site: tuple[Environment, MkDocsConfig], toc: list[AnchorLink], cache: ThemeCache) -> str:
    env, config = site
    env.globals["pc_theme_cache"] = cache
    env.filters["pc_nowrap"] = cache.kept_together
    page = SimpleNamespace(toc=TableOfContents(toc), title="Page", url="protocols/a/")
    return env.from_string(PAGE_TEMPLATE).render(page=page, config=config)


def both_ways(site: tuple[Environment, MkDocsConfig], toc: list[AnchorLink]) -> tuple[str, str, int]:
    """The contents by the templates, by the Python path, and how many pages the Python path wrote."""
    written = []

    class _Counting(ThemeCache):
        def contents_html(self, page: Any, title: object, configured: object) -> str | None:
            html = super().contents_html(page, title, configured)
            written.append(html is not None)
            return html

    template = rendered(site, toc, _TemplateOnly(normalize_url))
    python = rendered(site, toc, _Counting(normalize_url))
    return template, python, sum(written)


def link(title: str, id: str, level: int, *children: AnchorLink) -> AnchorLink:
    item = AnchorLink(title, id, level)
    item.children = list(children)
    return item


TITLE_PIECES = st.sampled_from(["Dose", " ", "\u00a0", "&", "&amp;", "<", ">", "<code>x</code>", '"', "'", "µ", "≤",
                                "≥ 2", "0.5 mg/kg", "3,000 mg", "40 minutes", "2026-03-02", "10\u00a0mL", "mg",
                                "Ω", "\U0001f489", "\n", "{{ x }}", "{% raw %}", "1.5", "é", ""])
TITLES = st.one_of(st.lists(TITLE_PIECES, max_size=6).map("".join), st.text(max_size=12))
IDS = st.one_of(st.text(max_size=10), st.sampled_from(["dose", "a&b", 'q"x', "<i>", "ä ö", "_1", "--"]))


def links(depth: int) -> st.SearchStrategy[AnchorLink]:
    children = st.just([]) if depth == 0 else st.lists(st.deferred(lambda: links(depth - 1)), max_size=3)
    return st.builds(lambda title, id, level, kids: link(title, id, level, *kids),
                     TITLES, IDS, st.integers(0, 6), children)


@settings(max_examples=examples(40), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(toc=st.lists(links(3), max_size=3),
       configured=st.one_of(st.none(), st.just(""), TITLES.filter(bool)))
@example(toc=[], configured=None)
@example(toc=[link("Title", "title", 1)], configured=None)  # a level-1 heading without children
@example(toc=[link("Title", "title", 1, link("Dose 0.5 mg/kg", "dose", 2, link("<b>", "a&b", 3)))],
         configured='Contents & "more"')
def test_the_python_path_writes_what_the_templates_render(
    site: tuple[Environment, MkDocsConfig], toc: list[AnchorLink], configured: str | None
) -> None:
    mdx_configs = site[1].mdx_configs
    before = mdx_configs.get("toc")
    mdx_configs["toc"] = {**(before or {}), "title": configured} if configured is not None else before
    try:
        template, python, written = both_ways(site, toc)
    finally:
        mdx_configs["toc"] = before
    assert python == template
    assert written == 1  # the contents were written once, by Python, and reused for nothing else here


def test_the_sidebar_and_the_phone_menu_share_the_python_contents(site: tuple[Environment, MkDocsConfig]) -> None:
    toc = [link("Dose", "dose", 2, link("Adults 0.5 mg/kg", "adults", 3)), link("Monitoring", "monitoring", 2)]
    twice = PAGE_TEMPLATE + '{% include "partials/toc.html" %}'
    env, config = site
    cache = ThemeCache(normalize_url)
    env.globals["pc_theme_cache"], env.filters["pc_nowrap"] = cache, cache.kept_together
    page = SimpleNamespace(toc=TableOfContents(toc))
    html = env.from_string(twice).render(page=page, config=config)
    once = rendered(site, toc, _TemplateOnly(normalize_url))
    assert html == once + once
    assert '<span class="pc-nowrap">0.5 mg/kg</span>' in once and 'aria-label="Table of contents"' in once


class _Typeset(AnchorLink):
    """An item as Material's typeset plugin leaves it: its label is the heading's HTML."""

    typeset = {"title": "<em>Dose</em>"}


@pytest.mark.parametrize("item", [
    _Typeset("Dose", "dose", 2),
    link("Dose", "dose", 2, _Typeset("Deep", "deep", 3)),
    SimpleNamespace(title=None, url="#none", level=2, children=[]),
    SimpleNamespace(title="Dose", url=None, level=2, children=[]),
    SimpleNamespace(title=3, url="#three", level=2, children=[]),
], ids=["typeset", "typeset child", "no title", "no url", "number title"])
def test_what_the_python_covers_not_is_left_to_the_templates(
    site: tuple[Environment, MkDocsConfig], item: Any
) -> None:
    template, python, written = both_ways(site, [item])
    assert python == template
    assert written == 0


def test_a_title_that_is_no_text_is_left_to_the_templates(site: tuple[Environment, MkDocsConfig]) -> None:
    mdx_configs = site[1].mdx_configs
    before = mdx_configs.get("toc")
    mdx_configs["toc"] = {"title": 42}
    try:
        template, python, written = both_ways(site, [link("Dose", "dose", 2)])
    finally:
        mdx_configs["toc"] = before
    assert python == template and 'aria-label="42"' in template
    assert written == 0


def test_a_page_without_contents_is_left_to_the_templates() -> None:
    cache = ThemeCache(normalize_url)
    assert cache.contents_html(None, "Table of contents", None) is None
    assert cache.contents_html(SimpleNamespace(), "Table of contents", None) is None
    assert cache.page_contents(None) is None


def test_the_templates_are_the_sites_own(site: tuple[Environment, MkDocsConfig]) -> None:
    """The environment renders the generator's overrides, not Material's originals."""
    source, filename, _ = site[0].loader.get_source(site[0], "partials/toc.html")
    assert "pc_theme_cache.contents_html" in source
    assert Path(filename).parent.name == "partials" and "overrides" in Path(filename).parts
