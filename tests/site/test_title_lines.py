"""A title line is converted once per build (generator/site/title_lines.py): every page that carries it gets
what MkDocs' own conversion gives, and a line whose conversion could depend on the page is converted for
each page."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_profiles import examples
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

from generator.site import title_lines
from generator.site.engine import load_site_config
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


# Plain title lines are written without Python-Markdown (title_lines.plain_title_page).

PLAIN_CHARACTERS = "abcxyzABCXYZ0189.,:;/-"


def test_the_generators_settings_are_the_ones_plain_titles_are_written_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """generator/default_mkdocs.yml, as a site without a mkdocs.yml of its own gets it."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "docs").mkdir()
    config = load_site_config(None, docs_dir=str(tmp_path / "docs"), site_dir=str(tmp_path / "site"))
    assert list(config.markdown_extensions) == title_lines.PLAIN_TITLE_EXTENSIONS
    assert dict(config.mdx_configs) == title_lines.PLAIN_TITLE_CONFIGS


@settings(max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(words=st.lists(st.text(PLAIN_CHARACTERS, min_size=1, max_size=12), min_size=1, max_size=6),
       first=st.sampled_from("aZ7"), newlines=st.sampled_from(["", "\n", "\n\n"]))
def test_a_plain_title_is_written_as_python_markdown_converts_it(
    config: MkDocsConfig, words: list[str], first: str, newlines: str
) -> None:
    markdown = f"# {first}{' '.join(words)}{newlines}"
    written, converted = (TitleLinePage(page_file(f"{name}/index.md", config), config, TitleLines())
                          for name in ("written", "converted"))
    for page in (written, converted):
        page.markdown = markdown
    assert title_lines.plain_title_page(written, markdown)
    Page.render(converted, config, Files([written.file, converted.file]))
    assert summary(written) == summary(converted)
    assert written.links_to_anchors == {written.file: converted.links_to_anchors[converted.file]}


@pytest.mark.parametrize("markdown", [
    "# Two  spaces\n", "# Trailing space \n", "# Café au lait\n", "# It's\n", "# A &amp; B\n", "# a \\(b\\)\n",
    "# -leading dash\n", "#  Leading space\n", "## Level two\n", "# Title\nmore\n", "# Title\n\n<!-- x -->\n",
    "# a_b\n", "# a*b*\n", "# a`b`\n", "# <b>x</b>\n", "",
])
def test_anything_else_is_left_to_python_markdown(config: MkDocsConfig, markdown: str) -> None:
    page = TitleLinePage(page_file("a/index.md", config), config, TitleLines())
    assert not title_lines.plain_title_page(page, markdown)
    assert page.content is None


def test_other_markdown_settings_convert_even_a_plain_title(tmp_path: Path, conversions: list[str]) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: Test\nmarkdown_extensions:\n  - toc:\n      permalink: '#'\n", encoding="utf-8")
    config = load_config(str(tmp_path / "mkdocs.yml"))
    first, _second = rendered(["a/index.md", "b/index.md"], "# Plain title\n", config)
    assert conversions == ["a/index.md"]  # once for the build, by Python-Markdown
    assert first.content.endswith('title="Permanent link">#</a></h1>')


def test_a_plain_title_takes_no_conversion(config: MkDocsConfig, conversions: list[str]) -> None:
    page = rendered(["a/index.md"], "# IV ketamine 0.5 mg/kg: day 1, week 2\n\n", config)[0]
    assert conversions == []
    assert page.content == (
        '<h1 id="iv-ketamine-05-mgkg-day-1-week-2">IV ketamine 0.5 mg/kg: day 1, week 2<a class="headerlink" '
        'href="#iv-ketamine-05-mgkg-day-1-week-2" title="Permanent link">&para;</a></h1>')
