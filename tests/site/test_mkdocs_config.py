"""A site's mkdocs.yml is merged over the generator's defaults (generator.site.mkdocs_config): what a hospital writes
wins, mappings merge key by key, lists replace, and nothing it writes makes a traceback."""

from __future__ import annotations

import io
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from helpers import run, write_library
from local_http import fetch_until, free_port
from mkdocs.config import load_config

from generator.resources import default_mkdocs_file
from generator.site import engine as site
from generator.site.mkdocs_config import (
    ReloadingConfigStream,
    SiteConfigError,
    directory_urls,
    merged_config,
    own_config_file,
)

DEFAULTS: dict[str, Any] = yaml.safe_load(default_mkdocs_file().read_text(encoding="utf-8"))


def merged(tmp_path: Path, text: str, name: str = "mkdocs.yml") -> dict[str, Any]:
    own = tmp_path / name
    own.write_text(text, encoding="utf-8")
    return yaml.safe_load(merged_config(own).text)


def merge_error(tmp_path: Path, text: str | bytes) -> str:
    own = tmp_path / "mkdocs.yml"
    if isinstance(text, bytes):
        own.write_bytes(text)
    else:
        own.write_text(text, encoding="utf-8")
    with pytest.raises(SiteConfigError) as raised:
        merged_config(own)
    return str(raised.value)


def test_without_a_site_file_the_configuration_is_the_default() -> None:
    config = merged_config(None)
    assert config.path == default_mkdocs_file()
    assert yaml.safe_load(config.text) == DEFAULTS


def test_a_site_file_that_sets_only_the_name_keeps_every_default(tmp_path: Path) -> None:
    assert merged(tmp_path, "site_name: Example Hospital protocols\n") == {
        **DEFAULTS,
        "site_name": "Example Hospital protocols",
    }


def test_an_empty_site_file_is_the_default(tmp_path: Path) -> None:
    assert merged(tmp_path, "# nothing to change yet\n") == DEFAULTS


def test_mappings_merge_key_by_key_at_every_depth(tmp_path: Path) -> None:
    config = merged(tmp_path, "theme:\n  palette:\n    primary: teal\nextra:\n  phone: 1234\n")
    assert config["theme"] == {**DEFAULTS["theme"], "palette": {**DEFAULTS["theme"]["palette"], "primary": "teal"}}
    assert config["extra"] == {**DEFAULTS["extra"], "phone": 1234}


def test_lists_replace_the_defaults_whole(tmp_path: Path) -> None:
    config = merged(tmp_path, "plugins: [search, protocols, tags]\ntheme:\n  features: [navigation.top]\n")
    assert config["plugins"] == ["search", "protocols", "tags"]
    assert config["theme"]["features"] == ["navigation.top"]
    assert config["markdown_extensions"] == DEFAULTS["markdown_extensions"]


def test_a_theme_given_by_name_keeps_the_default_theme_settings(tmp_path: Path) -> None:
    assert merged(tmp_path, "theme: material\n")["theme"] == DEFAULTS["theme"]
    assert merged(tmp_path, "theme: mkdocs\n")["theme"] == {**DEFAULTS["theme"], "name": "mkdocs"}


def test_only_the_top_level_theme_is_read_as_a_theme_name(tmp_path: Path) -> None:
    config = merged(tmp_path, "extra:\n  theme: dark\n")
    assert config["extra"] == {**DEFAULTS["extra"], "theme": "dark"}
    assert config["theme"] == DEFAULTS["theme"]


def test_a_later_duplicate_key_wins_as_in_yaml(tmp_path: Path) -> None:
    assert merged(tmp_path, "site_name: First\nsite_name: Second\n")["site_name"] == "Second"


def test_text_outside_ascii_is_kept(tmp_path: Path) -> None:
    name = "Hôpital Saint-Éloi — protocoles 日本"
    assert merged(tmp_path, f"site_name: {name}\n")["site_name"] == name


def test_anchors_and_aliases_of_the_site_file_survive_the_merge(tmp_path: Path) -> None:
    config = merged(tmp_path, "extra:\n  contact: &desk Pharmacy desk\n  out_of_hours: *desk\n")
    assert config["extra"]["contact"] == config["extra"]["out_of_hours"] == "Pharmacy desk"


def test_a_quoted_number_stays_text(tmp_path: Path) -> None:
    assert merged(tmp_path, 'extra:\n  edition: "1.10"\n')["extra"]["edition"] == "1.10"


def test_the_merge_is_deterministic(tmp_path: Path) -> None:
    own = tmp_path / "mkdocs.yml"
    own.write_text("site_name: A\ntheme:\n  palette: {primary: teal}\n", encoding="utf-8")
    assert merged_config(own).text == merged_config(own).text


def test_inherit_in_the_site_file_is_followed_relative_to_it(tmp_path: Path) -> None:
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared/trust.yml").write_text(
        "site_name: Trust protocols\ntheme:\n  palette:\n    primary: red\n", encoding="utf-8"
    )
    config = merged(tmp_path, "INHERIT: shared/trust.yml\nsite_name: Ward 7 protocols\n")
    assert "INHERIT" not in config
    assert config["site_name"] == "Ward 7 protocols"
    assert config["theme"]["palette"] == {**DEFAULTS["theme"]["palette"], "primary": "red"}
    assert config["plugins"] == DEFAULTS["plugins"]


def test_an_inherit_into_the_generators_source_tree_says_to_remove_it(tmp_path: Path) -> None:
    message = merge_error(tmp_path, "INHERIT: generator/default_mkdocs.yml\nsite_name: X\n")
    assert message == (
        f"{tmp_path / 'mkdocs.yml'}: INHERIT: generator/default_mkdocs.yml does not exist at "
        f"{tmp_path / 'generator/default_mkdocs.yml'}; the generator's defaults apply without INHERIT, so "
        "remove the line if it pointed at the generator's default_mkdocs.yml"
    )


def test_an_inherit_cycle_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "other.yml").write_text("INHERIT: mkdocs.yml\n", encoding="utf-8")
    assert merge_error(tmp_path, "INHERIT: other.yml\n") == (
        f"{tmp_path / 'mkdocs.yml'}: INHERIT goes more than 16 files deep (a cycle?)"
    )


@pytest.mark.parametrize("value", ["", "[a.yml]", "{file: a.yml}"])
def test_an_inherit_that_is_not_a_path_is_an_error(tmp_path: Path, value: str) -> None:
    message = merge_error(tmp_path, f"INHERIT: {value}\n")
    assert message == f"{tmp_path / 'mkdocs.yml'}: INHERIT must be the path of another YAML file"


@pytest.mark.parametrize("text", ["- site_name\n", "just a sentence\n", "42\n"])
def test_a_site_file_that_is_not_a_mapping_is_an_error(tmp_path: Path, text: str) -> None:
    assert merge_error(tmp_path, text) == (
        f"{tmp_path / 'mkdocs.yml'}: a MkDocs configuration is a mapping of settings (site_name: ..., theme: ...)"
    )


def test_a_site_file_that_is_not_yaml_is_an_error(tmp_path: Path) -> None:
    own = tmp_path / "mkdocs.yml"
    assert merge_error(tmp_path, "site_name: [unclosed\n") == (
        f'{own}: not a valid YAML file: while parsing a flow sequence in "{own}", line 1, column 12 expected \',\' '
        f"or ']', but got '<stream end>' in \"{own}\", line 2, column 1"
    )


def test_a_site_file_that_is_not_utf8_is_an_error(tmp_path: Path) -> None:
    own = tmp_path / "mkdocs.yml"
    assert merge_error(tmp_path, b"site_name: H\xf4pital\n") == (
        f'{own}: not a valid YAML file: unacceptable character #x00f4: invalid continuation byte in "{own}", '
        "position 12"
    )


def test_a_site_file_of_two_documents_is_an_error(tmp_path: Path) -> None:
    own = tmp_path / "mkdocs.yml"
    assert merge_error(tmp_path, "site_name: A\n---\nsite_name: B\n") == (
        f'{own}: not a valid YAML file: expected a single document in the stream in "{own}", line 1, column 1 '
        f'but found another document in "{own}", line 2, column 1'
    )


def test_a_site_file_that_cannot_be_read_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "folder.yml").mkdir()
    with pytest.raises(SiteConfigError) as raised:
        merged_config(tmp_path / "folder.yml")
    assert str(raised.value) == f"{tmp_path / 'folder.yml'}: cannot be read (Is a directory)"


def test_the_site_file_is_the_given_one_else_mkdocs_yml_of_the_current_folder(tmp_path: Path) -> None:
    assert own_config_file(None, cwd=tmp_path) is None
    (tmp_path / "mkdocs.yml").write_text("site_name: A\n", encoding="utf-8")
    assert own_config_file(None, cwd=tmp_path) == tmp_path / "mkdocs.yml"
    assert own_config_file(tmp_path / "other.yml", cwd=tmp_path) == tmp_path / "other.yml"


def test_mkdocs_reads_env_tags_and_resolves_paths_against_the_site_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "overrides").mkdir()
    own = tmp_path / "mkdocs.yml"
    own.write_text(
        "theme:\n  custom_dir: overrides\nextra:\n  disclaimer: !ENV [HOSPITAL_DISCLAIMER, Fallback text]\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("HOSPITAL_DISCLAIMER", "For Example Hospital staff only.")
    (tmp_path / "docs").mkdir()
    monkeypatch.chdir(tmp_path.parent)  # relative paths must not depend on the current folder
    config = site.load_site_config(own, docs_dir=str(tmp_path / "docs"), site_dir=str(tmp_path / "site"))
    assert config.config_file_path == str(own)
    assert config.extra["disclaimer"] == "For Example Hospital staff only."
    assert config.theme.custom_dir == str(tmp_path / "overrides")
    assert config.theme.name == "material" and config.theme["palette"] == DEFAULTS["theme"]["palette"]


def test_a_plugins_list_without_protocols_is_refused_with_what_to_do(tmp_path: Path) -> None:
    own = tmp_path / "mkdocs.yml"
    own.write_text("plugins: [search]\n", encoding="utf-8")
    (tmp_path / "docs").mkdir()
    with pytest.raises(site.SiteBuildError) as raised:
        site.load_site_config(own, docs_dir=str(tmp_path / "docs"), site_dir=str(tmp_path / "site"))
    assert str(raised.value) == (
        f"{own}: a plugins list replaces the generator's, so it must name 'protocols'"
    )


def test_a_broken_site_file_fails_the_build_with_its_message_and_no_traceback(tmp_path: Path) -> None:
    own = tmp_path / "mkdocs.yml"
    own.write_text("INHERIT: missing.yml\n", encoding="utf-8")
    with pytest.raises(site.SiteBuildError) as raised:
        site.build_into({"index.md": "# Home\n"}, tmp_path / "site", tmp_path, own, False, date(2026, 2, 11))
    assert str(raised.value).startswith(f"{own}: INHERIT: missing.yml does not exist at ")


def test_the_config_stream_merges_afresh_each_time_mkdocs_loads_it(tmp_path: Path) -> None:
    """`protocols serve` hands MkDocs one stream, which it loads (and closes) again on every rebuild."""
    own = tmp_path / "mkdocs.yml"
    own.write_text("site_name: First name\n", encoding="utf-8")
    stream = ReloadingConfigStream(lambda: merged_config(own).text)
    (tmp_path / "docs").mkdir()
    options = {"config_file_path": str(own), "docs_dir": str(tmp_path / "docs"), "site_dir": str(tmp_path / "s")}
    assert load_config(stream, **options).site_name == "First name"
    own.write_text("site_name: Second name\n", encoding="utf-8")
    assert load_config(stream, **options).site_name == "Second name"


SERVE_SCRIPT = """
import sys
from pathlib import Path
from generator.site import engine as site
from generator.site.preview_state import PageLedger
ledger = PageLedger()
site.serve(lambda full: ledger.update({"index.md": "# Home\\n"}, full=full), reviewer=False, watch=[],
           docs_dir=Path(sys.argv[1]), dev_addr=sys.argv[2])
"""


def _title(html: str) -> str:
    return html.split("<title>", 1)[1].split("</title>", 1)[0] if "<title>" in html else ""


def fetch_title(url: str, expected: str) -> str:
    return _title(fetch_until(url, lambda status, html: _title(html) == expected)[1])


def test_serve_picks_up_an_edit_to_the_site_file(tmp_path: Path) -> None:
    port = free_port()
    (tmp_path / "mkdocs.yml").write_text("site_name: First name\n", encoding="utf-8")
    (tmp_path / "docs").mkdir()
    log = (tmp_path / "serve.log").open("w", encoding="utf-8")
    server = subprocess.Popen(
        [sys.executable, "-c", SERVE_SCRIPT, str(tmp_path / "docs"), f"127.0.0.1:{port}"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    try:
        url = f"http://127.0.0.1:{port}/"
        first = fetch_title(url, "First name")
        (tmp_path / "mkdocs.yml").write_text("site_name: Second name\n", encoding="utf-8")
        second = fetch_title(url, "Second name")
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()
    assert (first, second) == ("First name", "Second name"), (tmp_path / "serve.log").read_text(encoding="utf-8")


def test_the_readme_example_of_a_site_file_builds_with_its_name_palette_and_disclaimer(tmp_path: Path) -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("**Site configuration.**", 1)[1]
    example = section.split("```yaml\n", 1)[1].split("```", 1)[0]
    own = tmp_path / "mkdocs.yml"
    own.write_text(example, encoding="utf-8")
    (tmp_path / "docs").mkdir()
    site.build_into({"index.md": "# Home\n"}, tmp_path / "site", tmp_path / "docs", own, False, date(2026, 2, 11))
    html = (tmp_path / "site/index.html").read_text(encoding="utf-8")
    assert "<title>Example Hospital protocols</title>" in html
    assert 'data-md-color-primary="teal"' in html and 'data-md-color-accent="indigo"' in html
    assert "<p>For Example Hospital staff only. Check every dose against local policy.</p>" in html


def test_protocols_build_with_a_broken_site_file_fails_with_its_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    library = write_library(tmp_path)
    (tmp_path / "mkdocs.yml").write_text("INHERIT: generator/default_mkdocs.yml\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert run("build", "--as-of", "2026-06-01", str(library)) == (1, "build failed; site was not changed\n", "")
    assert capsys.readouterr().err == (
        f"protocols: error: {tmp_path / 'mkdocs.yml'}: INHERIT: generator/default_mkdocs.yml does not exist at "
        f"{tmp_path / 'generator/default_mkdocs.yml'}; the generator's defaults apply without INHERIT, so remove "
        "the line if it pointed at the generator's default_mkdocs.yml\n"
    )
    assert not (tmp_path / "site").exists()


def test_protocols_serve_with_a_broken_site_file_stops_before_serving(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    library = write_library(tmp_path)
    (tmp_path / "mkdocs.yml").write_text("- a list, not settings\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert run("serve", "--dev-addr", "127.0.0.1:1", str(library)) == (
        2,
        "",
        f"protocols: error: {tmp_path / 'mkdocs.yml'}: a MkDocs configuration is a mapping of settings "
        "(site_name: ..., theme: ...)\n",
    )


@pytest.mark.parametrize(
    "text",
    [
        (Path(__file__).resolve().parents[2] / "mkdocs.yml").read_text(encoding="utf-8"),
        "theme:\n  palette:\n    primary: teal\n  features: [navigation.top]\nplugins: [search, protocols]\n",
        "validation:\n  links:\n    anchors: info\nmarkdown_extensions: [tables]\nextra: {a: [1, 2], b: {c: d}}\n",
    ],
    ids=["sample", "theme", "nested"],
)
def test_the_merge_gives_what_mkdocs_inherit_gives(tmp_path: Path, text: str) -> None:
    """The oracle: MkDocs' own INHERIT of the default file (theme by name aside, which INHERIT would replace)."""
    from mkdocs.utils.yaml import yaml_load

    ours = merged(tmp_path, text)
    inheriting = tmp_path / "inheriting.yml"
    inheriting.write_text(f"INHERIT: {default_mkdocs_file()}\n{text}", encoding="utf-8")
    with inheriting.open("rb") as stream:
        assert ours == yaml_load(stream)


def test_the_sample_site_file_names_no_path_into_the_generator() -> None:
    text = (Path(__file__).resolve().parents[2] / "mkdocs.yml").read_text(encoding="utf-8")
    settings = yaml.safe_load(text)
    assert "INHERIT" not in settings and "plugins" not in settings and "custom_dir" not in settings.get("theme", {})
    assert "generator/" not in text and "site_templates" not in text


@pytest.mark.parametrize(("text", "expected"), [
    (None, True),  # no site file: MkDocs' default, which default_mkdocs.yml states
    ("site_name: X\n", True),
    ("use_directory_urls: false\n", False),
    ("use_directory_urls: off\n", False),  # YAML 1.1, as MkDocs' loader reads it
    ("use_directory_urls: true\nuse_directory_urls: false\n", False),  # the later key wins, as in YAML
])
def test_render_reads_use_directory_urls_as_mkdocs_will(tmp_path: Path, text: str | None, expected: bool) -> None:
    own = None
    if text is not None:
        own = tmp_path / "mkdocs.yml"
        own.write_text(text, encoding="utf-8")
        (tmp_path / "docs").mkdir()
        loaded = load_config(io.BytesIO(merged_config(own).text.encode()), config_file_path=str(own),
                             docs_dir=str(tmp_path / "docs"))
        assert loaded.use_directory_urls is expected
    assert directory_urls(own) is expected


def test_use_directory_urls_through_inherit_is_read(tmp_path: Path) -> None:
    (tmp_path / "base.yml").write_text("use_directory_urls: false\n", encoding="utf-8")
    own = tmp_path / "mkdocs.yml"
    own.write_text("INHERIT: base.yml\nsite_name: X\n", encoding="utf-8")
    assert directory_urls(own) is False


@pytest.mark.parametrize("value", ["!ENV [FOLDER_URLS, true]", "'false'", "[true]", "1"])
def test_a_use_directory_urls_that_is_not_true_or_false_fails_the_build_before_render(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], value: str
) -> None:
    library = write_library(tmp_path)
    (tmp_path / "mkdocs.yml").write_text(f"use_directory_urls: {value}\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert run("build", "--as-of", "2026-06-01", str(library)) == (1, "build failed; site was not changed\n", "")
    assert capsys.readouterr().err == (
        f"protocols: error: {tmp_path / 'mkdocs.yml'}: use_directory_urls must be true or false (no !ENV): the "
        "generator writes every link of the site for it\n"
    )
    assert not (tmp_path / "site").exists()
