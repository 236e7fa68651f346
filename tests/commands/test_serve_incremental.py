"""The incremental preview of `protocols serve` (issue 15, "Preview that scales"), in process: after a save,
the served site equals a site built from scratch from the same files, byte for byte, and only the pages
whose text changed were written."""

from __future__ import annotations

import datetime as dt
import html
import io
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers import VERSION, write_library

from generator.commands.serve import ServePreview
from generator.site.dev_server import IncrementalBuilder
from generator.site.engine import load_site_config
from generator.site.mkdocs_config import merged_config, own_config_file
from generator.site.preview_state import PageLedger, SourceCache

AS_OF = dt.date(2026, 6, 1)
OTHER = VERSION.replace("ketamine-trd", "ketamine-two").replace(
    "IV ketamine for treatment-resistant depression", "IV ketamine, second protocol")
TWO_PROTOCOLS = {"ketamine-two/1.0.yaml": OTHER}
DOSE_EDIT = ("dose: 0.5 mg/kg", "dose: 0.6 mg/kg")
EDITED_PAGE = "protocols/ketamine-trd/1.0/index.html"
OTHER_PAGE = "protocols/ketamine-two/1.0/index.html"


class Served:
    """A preview of root/protocols built into root/site by an IncrementalBuilder, as serve does."""

    def __init__(self, root: Path, name: str = "site", config_text: Callable[[], str] = lambda: "") -> None:
        self.root = root
        self.site = root / name
        self.docs = root / f"{name}-docs"
        self.site.mkdir()
        self.docs.mkdir()
        self.preview = ServePreview(str(root / "protocols"), AS_OF, True, io.StringIO())
        self.failures: list[str] = []
        self.builder = IncrementalBuilder(
            self.preview.update, self.config, reviewer=True, config_text=config_text, serve_url=None,
            failed=self.failed)

    def failed(self, message: str) -> None:
        self.failures.append(message)
        self.preview.engine_failed(message)

    def config(self):  # type: ignore[no-untyped-def]
        return load_site_config(None, docs_dir=str(self.docs), site_dir=str(self.site))

    def build(self) -> str:
        self.builder()
        assert self.failures == []
        return self.builder.record.log[-1]

    def files(self) -> dict[str, bytes]:
        return {path.relative_to(self.site).as_posix(): path.read_bytes()
                for path in sorted(self.site.rglob("*")) if path.is_file()}

    def mtimes(self) -> dict[str, int]:
        return {path.relative_to(self.site).as_posix(): path.stat().st_mtime_ns
                for path in self.site.rglob("*.html")}


def assert_same_site(served: Served, fresh: Served) -> None:
    """Every output file equal byte for byte. The preview has no search index: Pagefind runs in
    `protocols build` only (generator/site/search_index.py)."""
    mine, theirs = served.files(), fresh.files()
    assert not any(path.startswith(("pagefind/", "search/")) for path in mine)
    assert sorted(mine) == sorted(theirs)
    different = [path for path in mine if mine[path] != theirs[path]]
    assert different == []


def fresh_site(root: Path) -> Served:
    fresh = Served(root, "fresh")
    assert fresh.build().startswith("full ")
    return fresh


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_a_dose_edit_rewrites_only_its_pages_and_equals_a_fresh_build(tmp_path: Path) -> None:
    library = write_library(tmp_path, TWO_PROTOCOLS)
    served = Served(tmp_path)
    assert served.build().startswith("full ")
    before = served.mtimes()
    assert "0.5 mg/kg" in (served.site / EDITED_PAGE).read_text(encoding="utf-8")

    edit(library / "ketamine-trd" / "1.0.yaml", *DOSE_EDIT)
    log = served.build()
    after = served.mtimes()

    assert log.startswith("incremental ") and log.endswith(", 0 removed")
    page = (served.site / EDITED_PAGE).read_text(encoding="utf-8")
    assert "0.6 mg/kg" in page and "0.5 mg/kg" not in page
    rewritten = sorted(path for path in after if after[path] != before[path])
    assert EDITED_PAGE in rewritten
    assert not any(path.startswith("protocols/ketamine-two/") for path in rewritten)
    assert after[OTHER_PAGE] == before[OTHER_PAGE]
    assert served.preview.sources.reads == 7  # the six files at the start, then only the one saved
    assert_same_site(served, fresh_site(tmp_path))


def test_a_deleted_protocol_leaves_no_page_and_no_search_entry(tmp_path: Path) -> None:
    library = write_library(tmp_path, {**TWO_PROTOCOLS, "_library/handbooks.yaml": (
        "- id: psychiatry\n  title: Psychiatry\n  description: Depression protocols.\n"
        "  protocols: [ketamine-trd, ketamine-two]\n")})
    served = Served(tmp_path)
    served.build()
    assert (served.site / OTHER_PAGE).is_file()
    edit(library / "_library" / "handbooks.yaml", "[ketamine-trd, ketamine-two]", "[ketamine-trd]")
    (library / "ketamine-two" / "1.0.yaml").unlink()
    (library / "ketamine-two").rmdir()

    served.build()

    assert not (served.site / "protocols" / "ketamine-two").exists()
    assert not any("ketamine-two" in path.read_text(encoding="utf-8") for path in served.site.rglob("*.html"))
    assert_same_site(served, fresh_site(tmp_path))


def test_a_new_protocol_gets_its_pages(tmp_path: Path) -> None:
    library = write_library(tmp_path)
    served = Served(tmp_path)
    served.build()
    (library / "ketamine-two").mkdir()
    (library / "ketamine-two" / "1.0.yaml").write_text(OTHER, encoding="utf-8")
    assert served.build().startswith("incremental ")
    assert "IV ketamine, second protocol" in (served.site / OTHER_PAGE).read_text(encoding="utf-8")
    assert_same_site(served, fresh_site(tmp_path))


def test_a_handbook_title_edit_equals_a_fresh_build(tmp_path: Path) -> None:
    library = write_library(tmp_path, TWO_PROTOCOLS)
    served = Served(tmp_path)
    served.build()
    edit(library / "_library" / "handbooks.yaml", "title: Psychiatry", "title: Psychiatry and mood")
    served.build()
    assert "Psychiatry and mood" in (served.site / "index.html").read_text(encoding="utf-8")
    assert_same_site(served, fresh_site(tmp_path))


def test_a_new_navigation_entry_rebuilds_every_page(tmp_path: Path) -> None:
    library = write_library(tmp_path, TWO_PROTOCOLS)
    served = Served(tmp_path)
    served.build()
    before = served.mtimes()
    with (library / "_library" / "handbooks.yaml").open("a", encoding="utf-8") as handbooks:
        handbooks.write("- id: second\n  title: Second book\n  description: More.\n  protocols: [ketamine-two]\n")
    served.build()
    assert served.builder.record.log[-2].startswith("incremental ")
    assert served.builder.record.log[-1].startswith("full ")  # the navigation differed: every page again
    after = served.mtimes()
    assert all(after[path] != before[path] for path in before)
    assert 'href="../../../handbooks/second/"' in (served.site / EDITED_PAGE).read_text(encoding="utf-8")
    assert_same_site(served, fresh_site(tmp_path))


def test_a_syntax_error_changes_no_page_then_the_fix_shows(tmp_path: Path) -> None:
    library = write_library(tmp_path, TWO_PROTOCOLS)
    served = Served(tmp_path)
    served.build()
    before = served.mtimes()
    draft = library / "ketamine-trd" / "1.0.yaml"
    draft.write_text(VERSION.replace("dose: 0.5 mg/kg", "dose: [0.6 mg/kg"), encoding="utf-8")
    assert served.build() == "nothing to build"
    assert served.mtimes() == before
    banner = served.preview.banner()
    assert "protocols/ketamine-trd/1.0.yaml:" in banner and "P100" in banner
    edit(draft, "dose: [0.6 mg/kg", "dose: 0.6 mg/kg")
    assert served.build().startswith("incremental ")
    assert served.preview.banner() == ""
    assert "0.6 mg/kg" in (served.site / EDITED_PAGE).read_text(encoding="utf-8")
    assert_same_site(served, fresh_site(tmp_path))


def test_an_engine_failure_is_reported_and_the_next_build_is_whole(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    library = write_library(tmp_path)
    served = Served(tmp_path)
    served.build()
    edit(library / "ketamine-trd" / "1.0.yaml", *DOSE_EDIT)
    monkeypatch.setattr(served, "config", lambda: (_ for _ in ()).throw(OSError("disk full")))
    served.builder.config = served.config
    served.builder()
    assert served.failures == ["disk full"]
    assert "disk full" in served.preview.banner()
    monkeypatch.undo()
    served.builder.config = served.config
    served.failures.clear()
    assert served.build().startswith("full ")
    assert served.preview.banner() == ""
    assert "0.6 mg/kg" in (served.site / "protocols/ketamine-trd/1.0/index.html").read_text(encoding="utf-8")


def test_a_broken_mkdocs_yml_is_shown_then_its_fix_rebuilds_every_page(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    write_library(tmp_path, TWO_PROTOCOLS)
    monkeypatch.chdir(tmp_path)  # the site's own mkdocs.yml is ./mkdocs.yml
    settings = tmp_path / "mkdocs.yml"
    settings.write_text("site_name: Ward protocols\n", encoding="utf-8")
    served = Served(tmp_path, config_text=lambda: merged_config(own_config_file(None)).text)
    served.build()
    settings.write_text("site_name: [Ward\n", encoding="utf-8")
    served.builder()
    [failure] = served.failures
    assert failure == (
        f"{settings}: not a valid YAML file: while parsing a flow sequence in \"{settings}\", line 1, column 12 "
        f"expected ',' or ']', but got '<stream end>' in \"{settings}\", line 2, column 1")
    assert html.escape(failure) in served.preview.banner()
    served.failures.clear()
    settings.write_text("site_name: Ward two protocols\n", encoding="utf-8")
    assert served.build().startswith("full ")
    assert "Ward two protocols" in (served.site / OTHER_PAGE).read_text(encoding="utf-8")
    assert served.preview.banner() == ""


def test_the_source_cache_reads_a_file_again_when_its_stamp_changes(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_text("a: 1\n", encoding="utf-8")
    cache = SourceCache()
    first, _ = cache.load(path, "a.yaml")
    again, _ = cache.load(path, "a.yaml")
    assert again is first and cache.reads == 1
    stamp = path.stat()
    path.write_text("a: 2\n", encoding="utf-8")  # same size
    os.utime(path, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))  # same mtime: the ctime still differs
    changed, _ = cache.load(path, "a.yaml")
    assert changed is not None and changed.data == {"a": 2} and cache.reads == 2
    path.unlink()
    gone, diagnostics = cache.load(path, "a.yaml")
    assert gone is None and diagnostics and cache.reads == 3
    cache.sweep()
    cache.sweep()  # a file not asked for in the last read is forgotten
    assert cache._parses == {}


def test_the_ledger_hands_over_new_and_changed_pages_only() -> None:
    ledger = PageLedger()
    first = ledger.update({"index.md": "home", "a/index.md": "A", "b/index.md": "B"}, full=False)
    assert first.full and sorted(first.pages) == ["a/index.md", "b/index.md", "index.md"]
    second = ledger.update({"index.md": "home", "a/index.md": "A2", "c/index.md": "C"}, full=False)
    assert not second.full
    assert second.pages == {"a/index.md": "A2", "c/index.md": "C"}
    assert second.unchanged == frozenset({"index.md"}) and second.removed == frozenset({"b/index.md"})
    assert second.added == frozenset({"c/index.md"})
    again = ledger.update({"index.md": "home", "a/index.md": "A2", "c/index.md": "C"}, full=True)
    assert again.full and len(again.pages) == 3 and again.unchanged == frozenset()
    kept = ledger.unchanged()
    assert kept.pages == {} and kept.unchanged == frozenset({"index.md", "a/index.md", "c/index.md"})
    ledger.forget()
    assert ledger.update({"index.md": "home"}, full=False).full  # nothing known built: every page


class FakeServer:
    def __init__(self) -> None:
        self.observer: object = "polling"
        self.watched: list[str] = []

    def watch(self, path: str) -> None:
        self.watched.append(path)


def test_saves_are_watched_through_inotify_and_by_polling_without_it(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch,
                                                                     caplog: pytest.LogCaptureFixture) -> None:
    from watchdog.observers import inotify

    from generator.site.save_watch import watch_for_saves

    server = FakeServer()
    watch_for_saves(server, [str(tmp_path)])  # type: ignore[arg-type]
    assert isinstance(server.observer, inotify.InotifyObserver) and server.watched == [str(tmp_path)]

    def no_watches(self: object) -> None:
        raise OSError(28, "inotify watch limit reached")

    monkeypatch.setattr(inotify.InotifyObserver, "start", no_watches)
    server = FakeServer()
    with caplog.at_level("INFO", logger="mkdocs.protocols.serve"):
        watch_for_saves(server, [str(tmp_path)])  # type: ignore[arg-type]
    assert server.observer == "polling" and server.watched == [str(tmp_path)]
    assert caplog.messages == ["Watching for saves by polling ([Errno 28] inotify watch limit reached)"]


def test_reads_do_not_start_a_rebuild_and_a_folder_moved_away_does() -> None:
    from watchdog import events

    from generator.site.save_watch import SavesOnly

    seen: list[tuple[str, str, bool]] = []

    class Recorder(events.FileSystemEventHandler):
        def dispatch(self, event: events.FileSystemEvent) -> None:
            seen.append((event.event_type, str(event.src_path), event.is_directory))

    saves = SavesOnly(Recorder())
    for event in (events.FileOpenedEvent("p/a/1.0.yaml"), events.FileClosedNoWriteEvent("p/a/1.0.yaml"),
                  events.DirModifiedEvent("p/a"), events.FileModifiedEvent("p/a/1.0.yaml"),
                  events.FileClosedEvent("p/a/1.0.yaml"), events.FileAttribEvent("p/a/1.0.yaml"),
                  events.DirMovedEvent("p/b", "elsewhere/b"), events.DirDeletedEvent("p/c"),
                  events.DirCreatedEvent("p/d")):
        saves.dispatch(event)
    assert seen == [("modified", "p/a/1.0.yaml", False), ("closed", "p/a/1.0.yaml", False),
                    ("attrib", "p/a/1.0.yaml", False), ("modified", "p/b", False), ("modified", "p/c", False),
                    ("modified", "p/d", False)]


@pytest.mark.parametrize("plugins", ["[protocols, search]", "[search]"])
def test_serve_refuses_the_site_file_build_refuses(tmp_path: Path, plugins: str) -> None:
    from generator.site import dev_server
    from generator.site.engine import SiteBuildError

    own = tmp_path / "mkdocs.yml"
    own.write_text(f"plugins: {plugins}\n", encoding="utf-8")
    (tmp_path / "docs").mkdir()
    with pytest.raises(SiteBuildError) as served:
        dev_server.serve(lambda full: pytest.fail("nothing is built"), reviewer=True, watch=[],
                         docs_dir=tmp_path / "docs", config_file=own)
    with pytest.raises(SiteBuildError) as built:
        load_site_config(own, docs_dir=str(tmp_path / "docs"), site_dir=str(tmp_path / "site"))
    assert str(served.value) == str(built.value)


def test_saves_re_render_only_what_they_changed_and_equal_a_fresh_build(tmp_path: Path) -> None:
    """A summary save re-checks and re-renders one protocol (two here: the other links to it); a link
    added, then a save to the other protocol: each time the served site equals a fresh build."""
    library = write_library(tmp_path, TWO_PROTOCOLS)
    served = Served(tmp_path)
    served.build()
    edit(library / "ketamine-trd" / "1.0.yaml", "summary: |\n", "summary: |\n  A new first sentence.\n")
    assert served.build().startswith("incremental ")
    assert served.preview.checker.log[-1] == "1 protocols"
    assert served.preview.renderer.log[-1] == "1 protocols"
    edit(library / "ketamine-two" / "1.0.yaml", "summary: |\n", "summary: |\n  See [[ketamine-trd]].\n")
    served.build()
    assert served.preview.renderer.log[-1] == "2 protocols"  # ketamine-trd's "Referenced by" changed
    assert "IV ketamine, second protocol" in (served.site / EDITED_PAGE).read_text(encoding="utf-8")
    assert_same_site(served, fresh_site(tmp_path))
