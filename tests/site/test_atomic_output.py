"""A site folder is replaced whole or not at all; strict mode turns every MkDocs warning into a failure."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from generator.site import atomic_output as build
from generator.site import engine as site
from generator.site.atomic_output import SiteBuildError, build_site

AS_OF = date(2026, 2, 11)
GOOD_PAGES = {
    "index.md": "# Clinical protocols\n\n[IV ketamine](protocols/ketamine-trd/index.md)\n",
    "protocols/ketamine-trd/index.md": "# IV ketamine\n\n## Dosing {#dosing}\n\n[Home](../../index.md)\n",
}
NEW_PAGES = {"index.md": "# Clinical protocols\n\nNo protocol is published yet.\n"}


def read_tree(root: Path) -> dict[str, bytes]:
    return {path.relative_to(root).as_posix(): path.read_bytes() for path in root.rglob("*") if path.is_file()}


@pytest.fixture
def previous_site(tmp_path: Path) -> tuple[Path, dict[str, bytes]]:
    out = tmp_path / "site"
    build_site(GOOD_PAGES, out, None, False, AS_OF)
    return out, read_tree(out)


def assert_untouched(out: Path, before: dict[str, bytes]) -> None:
    assert read_tree(out) == before
    assert sorted(path.name for path in out.parent.iterdir()) == ["site"]  # no temporary folder left


def test_a_rebuild_replaces_the_whole_site(previous_site: tuple[Path, dict[str, bytes]]) -> None:
    out, _ = previous_site
    build_site(NEW_PAGES, out, None, False, AS_OF)
    assert not (out / "protocols").exists()
    assert "No protocol is published yet." in (out / "index.html").read_text(encoding="utf-8")
    assert sorted(path.name for path in out.parent.iterdir()) == ["site"]


def test_a_broken_link_fails_in_strict_mode_and_keeps_the_previous_site(
    previous_site: tuple[Path, dict[str, bytes]],
) -> None:
    out, before = previous_site
    broken = {**GOOD_PAGES, "index.md": "# Clinical protocols\n\n[Gone](protocols/gone/index.md)\n"}
    with pytest.raises(SiteBuildError) as failure:
        build_site(broken, out, None, False, AS_OF)
    assert str(failure.value) == (
        "site build failed: Aborted with 1 warnings in strict mode!\n"
        "  WARNING: Doc file 'index.md' contains a link 'protocols/gone/index.md', "
        "but the target is not found among documentation files."
    )
    assert_untouched(out, before)


@pytest.mark.parametrize(
    ("link", "warning"),
    [
        (
            "/protocols/ketamine-trd/",
            "WARNING: Doc file 'index.md' contains an absolute link '/protocols/ketamine-trd/', "
            "it was left as is. Did you mean 'protocols/ketamine-trd/index.md'?",
        ),
        (
            "protocols/ketamine-trd/index.md#doses",
            "WARNING: Doc file 'index.md' contains a link 'protocols/ketamine-trd/index.md#doses', "
            "but the doc 'protocols/ketamine-trd/index.md' does not contain an anchor '#doses'.",
        ),
        (
            "protocols/ketamine-trd/",
            "WARNING: Doc file 'index.md' contains an unrecognized relative link "
            "'protocols/ketamine-trd/', it was left as is. Did you mean 'protocols/ketamine-trd/index.md'?",
        ),
    ],
)
def test_links_that_break_under_a_sub_path_or_miss_an_anchor_fail(
    previous_site: tuple[Path, dict[str, bytes]], link: str, warning: str
) -> None:
    out, before = previous_site
    pages = {**GOOD_PAGES, "index.md": f"# Clinical protocols\n\n[IV ketamine]({link})\n"}
    with pytest.raises(SiteBuildError) as failure:
        build_site(pages, out, None, False, AS_OF)
    assert str(failure.value).splitlines()[1:] == [f"  {warning}"]
    assert_untouched(out, before)


def test_an_exception_in_the_plugin_keeps_the_previous_site(
    previous_site: tuple[Path, dict[str, bytes]], monkeypatch: pytest.MonkeyPatch
) -> None:
    out, before = previous_site

    def fail_after_writing(self: site.ProtocolsPlugin, *, config: object) -> None:
        raise RuntimeError("injected after every page was written")

    monkeypatch.setattr(site.ProtocolsPlugin, "on_post_build", fail_after_writing, raising=False)
    with pytest.raises(RuntimeError, match="^injected after every page was written$"):
        build_site(NEW_PAGES, out, None, False, AS_OF)
    assert_untouched(out, before)


def test_a_failure_while_swapping_puts_the_previous_site_back(
    previous_site: tuple[Path, dict[str, bytes]], monkeypatch: pytest.MonkeyPatch
) -> None:
    out, before = previous_site
    real_rename = build.os.rename
    calls: list[str] = []

    def rename(source: Path, target: Path) -> None:
        calls.append(f"{Path(source).name} -> {Path(target).name}")
        if Path(source).name == "site" and Path(target) == out.absolute():
            raise OSError("injected: rename failed")
        real_rename(source, target)

    monkeypatch.setattr(build.os, "rename", rename)
    with pytest.raises(build.OutputRefused) as failure:
        build_site(NEW_PAGES, out, None, False, AS_OF)
    assert str(failure.value) == f"cannot write the site to {out} (injected: rename failed); {out} was left as it was"
    assert calls == ["site -> previous", "site -> site", "previous -> site"]
    assert_untouched(out, before)


def test_an_unsafe_page_path_is_refused(previous_site: tuple[Path, dict[str, bytes]]) -> None:
    out, before = previous_site
    with pytest.raises(SiteBuildError, match=r"^page path '\.\./escape\.md' is not a plain relative path"):
        build_site({**GOOD_PAGES, "../escape.md": "# Escape\n"}, out, None, False, AS_OF)
    assert_untouched(out, before)
    assert not (out.parent.parent / "escape.html").exists()


@pytest.mark.parametrize("path", ["/etc/x.md", "a/../b.md", "a//b.md", "./a.md", "a\\b.md", ""])
def test_check_page_path_refuses(path: str) -> None:
    with pytest.raises(SiteBuildError):
        site.check_page_path(path)


def test_a_folder_that_is_not_a_site_is_never_replaced(tmp_path: Path) -> None:
    out = tmp_path / "protocols"
    out.mkdir()
    (out / "ketamine-trd.yaml").write_text("id: ketamine-trd\n", encoding="utf-8")
    with pytest.raises(SiteBuildError) as failure:
        build_site(GOOD_PAGES, out, None, False, AS_OF)
    assert str(failure.value) == (
        f"{out} is not empty and was not written by protocols build (it has no .protocols-build file); nothing in "
        "it was changed: choose a new or empty folder for --out, or empty this one yourself"
    )
    assert read_tree(out) == {"ketamine-trd.yaml": b"id: ketamine-trd\n"}
    assert sorted(path.name for path in tmp_path.iterdir()) == ["protocols"]


def test_a_missing_parent_folder_is_refused_and_nothing_is_created(tmp_path: Path) -> None:
    out = tmp_path / "deploy" / "site"
    with pytest.raises(build.OutputRefused) as failure:
        build_site(GOOD_PAGES, out, None, False, AS_OF)
    assert str(failure.value) == (
        f"the folder {out.parent} for {out} does not exist; create it first or choose another --out")
    assert list(tmp_path.iterdir()) == []


def test_a_config_without_the_material_theme_is_refused(tmp_path: Path) -> None:
    config = tmp_path / "mkdocs.yml"
    config.write_text("site_name: Clinical protocols\ntheme: mkdocs\nplugins: [protocols]\n", encoding="utf-8")
    with pytest.raises(SiteBuildError) as failure:
        build_site(GOOD_PAGES, tmp_path / "site", config, False, AS_OF)
    assert str(failure.value) == (
        "site build failed: Aborted with a BuildError!\n"
        "  ERROR: the protocols site needs theme 'material', not 'mkdocs'"
    )
    assert sorted(path.name for path in tmp_path.iterdir()) == ["mkdocs.yml"]


def test_a_render_that_fails_half_way_keeps_the_previous_site(previous_site: tuple[Path, dict[str, bytes]]) -> None:
    """Pages are staged as they are rendered: a render that stops part-way writes nothing to the output."""
    out, before = previous_site

    def pages_then_failure() -> Iterator[tuple[str, str]]:
        yield "index.md", NEW_PAGES["index.md"]
        assert list(out.parent.glob(".site.building-*/pages/index.md"))  # staged, not yet built
        raise ValueError("page family protocols rendered an unplanned page: x.md")

    with pytest.raises(ValueError, match="^page family protocols rendered an unplanned page: x.md$"):
        with build.staged_site(out) as staging:
            staging.add_all(pages_then_failure())
            staging.build(None, False, AS_OF)
    assert_untouched(out, before)


def test_a_staged_page_with_an_unsafe_path_is_refused_before_it_is_written(
    previous_site: tuple[Path, dict[str, bytes]],
) -> None:
    out, before = previous_site
    with pytest.raises(SiteBuildError, match=r"^page path '\.\./\.\./escape\.md' is not a plain relative path"):
        with build.staged_site(out) as staging:
            staging.add("../../escape.md", "# Escape\n")
    assert not (out.parent / "escape.md").exists()
    assert_untouched(out, before)
