"""A title line is converted once per build (generator/site/title_lines.py): every page that carries it gets
what MkDocs' own conversion gives, and a line whose conversion could depend on the page is converted for
each page."""

from __future__ import annotations

from pathlib import Path

import pytest
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

from generator.site.title_lines import TitleLinePage, TitleLines


@pytest.fixture
def config(tmp_path: Path) -> MkDocsConfig:
    (tmp_path / "docs").mkdir()
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: Test\nmarkdown_extensions:\n  - toc:\n      permalink: true\n", encoding="utf-8")
    return load_config(str(tmp_path / "mkdocs.yml"))


@pytest.fixture
def conversions(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The src_uri of each page MkDocs' Page.render converts."""
    converted: list[str] = []
    render = Page.render

    def spy(page: Page, config: MkDocsConfig, files: Files) -> None:
        converted.append(page.file.src_uri)
        render(page, config, files)

    monkeypatch.setattr(Page, "render", spy)
    return converted


def page_file(path: str, config: MkDocsConfig) -> File:
    return File(path, src_dir=config.docs_dir, dest_dir=config.site_dir, use_directory_urls=True)


def rendered(paths: list[str], markdown: str, config: MkDocsConfig) -> list[TitleLinePage]:
    """Pages at `paths` with `markdown`, rendered through one TitleLines (one build)."""
    title_lines = TitleLines()
    files = Files([page_file(path, config) for path in [*paths, "other.md"]])
    pages = [TitleLinePage(files.get_file_from_path(path), config, title_lines) for path in paths]
    for page in pages:
        page.markdown = markdown
        page.render(config, files)
    return pages


def summary(page: Page) -> tuple[object, ...]:
    toc = [(link.title, link.id, link.level, len(link.children)) for link in page.toc]
    return page.content, toc, page.title, page.present_anchor_ids


def test_pages_with_one_title_line_share_one_conversion_and_get_its_result(
    config: MkDocsConfig, conversions: list[str]
) -> None:
    line = "# IV ketamine for treatment\\-resistant depression \\(retired\\)\n\n"
    first, second = rendered(["protocols/a/index.md", "protocols/a/v2/index.md"], line, config)
    assert conversions == ["protocols/a/index.md"]
    assert first.content == (
        '<h1 id="iv-ketamine-for-treatment-resistant-depression-retired">IV ketamine for treatment-resistant '
        'depression (retired)<a class="headerlink" href="#iv-ketamine-for-treatment-resistant-depression-retired" '
        'title="Permanent link">&para;</a></h1>')
    assert summary(second) == summary(first)
    assert second.title == "IV ketamine for treatment-resistant depression (retired)"
    assert second.toc.items[0] is not first.toc.items[0]  # each page owns its contents
    assert second.toc.items[0].active  # get_toc marks the first entry, as for a converted page
    anchor = "iv-ketamine-for-treatment-resistant-depression-retired"
    assert first.links_to_anchors == {first.file: {anchor: f"#{anchor}"}}
    assert second.links_to_anchors == {second.file: {anchor: f"#{anchor}"}}  # its own file, not the first's


def test_the_result_equals_a_conversion_of_its_own(config: MkDocsConfig) -> None:
    line = "# Ceftriaxone 2 g: &amp; \\*notes\\* \\[1\\] &lt;b&gt;\n\n"
    shared = rendered(["a/index.md", "b/index.md"], line, config)[1]
    alone = rendered(["b/index.md"], line, config)[0]
    assert summary(shared) == summary(alone)


def test_a_line_that_links_to_another_page_is_converted_for_each_page(
    config: MkDocsConfig, conversions: list[str]
) -> None:
    line = "# See [the other page](../other.md)\n"
    first, second = rendered(["a/index.md", "a/b/index.md"], line, config)
    assert conversions == ["a/index.md", "a/b/index.md"]
    assert first.content != second.content  # the link is relative to each page


@pytest.mark.parametrize("markdown", [
    "# Title\n\nA second paragraph\n",
    "Title without a heading\n",
    "# ![logo](logo.png) Title\n",
    "# Title [x](https://example.org/)\n",
])
def test_anything_but_a_lone_title_line_without_links_is_converted_for_each_page(
    config: MkDocsConfig, conversions: list[str], markdown: str
) -> None:
    rendered(["a/index.md", "b/index.md"], markdown, config)
    assert conversions == ["a/index.md", "b/index.md"]


def test_a_page_without_its_markdown_read_is_refused(config: MkDocsConfig) -> None:
    file = page_file("a/index.md", config)
    with pytest.raises(RuntimeError, match="`markdown` field hasn't been set"):
        TitleLinePage(file, config, TitleLines()).render(config, Files([file]))
