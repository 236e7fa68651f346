"""`protocols build` end to end: the sample library into a real MkDocs site, the refusal on errors
that leaves a previous site untouched, timings and default output folders."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import SAMPLE_LIBRARY, SAMPLE_PUBLISHED, copy_sample_library, run, snapshot

AS_OF = "2026-03-10"


@pytest.fixture
def library(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the sample library; the current folder has no mkdocs.yml, so the default config is used."""
    monkeypatch.chdir(tmp_path)
    return copy_sample_library(tmp_path)


def test_builds_the_sample_library(library: Path, tmp_path: Path) -> None:
    out_dir = tmp_path / "out"
    status, out, err = run("build", "--as-of", AS_OF, "--out", str(out_dir), str(library))
    assert (status, err) == (0, "")
    assert out == f"built the site into {out_dir} (30 pages, as of {AS_OF})\n"
    for page in [
        "index.html",
        "protocols/ketamine-trd/index.html",
        "protocols/ketamine-trd/1.0/index.html",
        "protocols/ketamine-trd/history/index.html",
        "protocols/esketamine-trd/index.html",
        "protocols/ketamine-crps/index.html",
    ]:
        assert (out_dir / page).is_file(), page
    html = (out_dir / "protocols/ketamine-trd/index.html").read_text(encoding="utf-8")
    for anchor in (
        "summary",
        "dosing",
        "schedule",
        "dose-table",
        "dose-table-ketamine-iv",
        "algorithm",
        "changes",
        "references",
        "versions",
        "contraindications",
    ):
        assert f'id="{anchor}"' in html, anchor
    assert not (out_dir / "protocols/ketamine-trd/1.1").exists()  # the draft
    audit = json.loads((out_dir / "protocols.json").read_text(encoding="utf-8"))
    assert [(entry["id"], entry["version"]) for entry in audit["protocols"]] == SAMPLE_PUBLISHED


def test_reviewer_build_defaults_to_site_review(library: Path, tmp_path: Path) -> None:
    status, out, _err = run("build", "--reviewer", "--as-of", AS_OF, str(library))
    assert status == 0
    assert out.startswith("built the reviewer site into site-review (")
    draft = (tmp_path / "site-review/protocols/ketamine-trd/1.1/index.html").read_text(encoding="utf-8")
    assert "Version 1.1 is a draft: not approved for clinical use." in draft


def test_timings_name_every_stage_and_peak_memory(library: Path, tmp_path: Path) -> None:
    status, out, _err = run("build", "--timings", "--as-of", AS_OF, "--out", str(tmp_path / "out"), str(library))
    assert status == 0
    timing_line = out.splitlines()[-1]
    pattern = (
        r"timings: load \d+\.\d\d s, check \d+\.\d\d s, render \d+\.\d\d s, engine \d+\.\d\d s, "
        r"total \d+\.\d\d s; peak memory \d+\.\d MB; "
        r"CPU load \d+\.\d\d s, check \d+\.\d\d s, render \d+\.\d\d s, engine \d+\.\d\d s"
    )
    assert re.fullmatch(pattern, timing_line), timing_line


def test_refuses_to_build_on_errors_and_leaves_the_previous_site(library: Path, tmp_path: Path) -> None:
    out_dir = tmp_path / "out"
    assert run("build", "--as-of", AS_OF, "--out", str(out_dir), str(library))[0] == 0
    before = snapshot(out_dir)
    version = library / "ketamine-trd" / "1.0.yaml"
    version.write_text(version.read_text(encoding="utf-8").replace("owner:", "ownr:", 1), encoding="utf-8")
    status, out, _err = run("build", "--as-of", AS_OF, "--out", str(out_dir), str(library))
    assert status == 1
    assert re.search(r"protocols/ketamine-trd/1\.0\.yaml:\d+:\d+: error P102: ", out), out
    assert out.endswith(f"build refused: fix the errors above; {out_dir} was not changed\n")
    assert snapshot(out_dir) == before


def test_missing_library_is_a_usage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    status, out, err = run("build", "--as-of", AS_OF, "nowhere")
    assert (status, out) == (2, "")
    assert err == "protocols: error: no protocols folder at nowhere: pass the folder holding your protocols\n"
    assert not (tmp_path / "site").exists()


def test_serve_renders_afresh_and_shows_errors_instead_of_failing(
    library: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from generator.site import engine as site

    calls: list[dict[str, object]] = []

    def fake_serve(update, **options):  # type: ignore[no-untyped-def]
        calls.append({"first": update(False), **options})
        version = library / "ketamine-trd" / "1.0.yaml"
        version.write_text(version.read_text(encoding="utf-8").replace("owner:", "ownr:", 1), encoding="utf-8")
        calls.append({"second": update(False)})

    monkeypatch.setattr(site, "serve", fake_serve)
    status, _out, _err = run("serve", "--as-of", AS_OF, str(library))
    assert status == 0
    first, second = calls[0]["first"], calls[1]["second"]
    assert first.full and "protocols/ketamine-trd/index.md" in first.pages
    assert calls[0]["reviewer"] is True and calls[0]["watch"] == [Path(str(library))]  # drafts shown
    # the last pages without errors stay served: nothing to write, every page as built ...
    assert second.pages == {} and second.unchanged == frozenset(first.pages) and not second.full
    banner = calls[0]["banner"]
    assert callable(banner) and "<strong>P102</strong>" in banner()  # ... with the error list on every page


def test_releasing_positions_before_render_changes_no_page() -> None:
    import datetime as dt

    from generator.load.library import load_library
    from generator.render.families import render_site

    sample = SAMPLE_LIBRARY
    for reviewer in (False, True):
        expected = render_site(load_library(sample), dt.date(2026, 11, 25), reviewer)
        library = load_library(sample)
        library.release_positions()
        assert all(not source.values and not source.text for source in library.sources.values())
        assert render_site(library, dt.date(2026, 11, 25), reviewer) == expected


def test_each_page_is_written_out_before_the_next_is_rendered(
    library: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The build consumes render_pages as it goes: no page waits in memory for the rest of the site."""
    from generator.commands import build as build_command

    render_pages = build_command.render_pages
    given: list[str] = []
    not_yet_written: list[str] = []

    def watched(*args: object, **options: object) -> Iterator[tuple[str, str]]:
        for path, text in render_pages(*args, **options):  # type: ignore[arg-type]
            if given and not list(tmp_path.glob(f".out.building-*/pages/{given[-1]}")):
                not_yet_written.append(given[-1])
            given.append(path)
            yield path, text

    monkeypatch.setattr(build_command, "render_pages", watched)
    status, out, err = run("build", "--as-of", AS_OF, "--out", str(tmp_path / "out"), str(library))
    assert (status, err) == (0, "")
    assert len(given) > 30 and not_yet_written == []
    assert list(tmp_path.glob(".out.building-*")) == []


def test_a_build_works_out_each_sites_versions_once(library: Path, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """The xrefs check and the pages read the same shown versions: the build works them out once per site
    kind and passes them down (the engine is left out: what it is given is all this test needs)."""
    from generator.approvals import publication
    from generator.site import atomic_output

    calls: list[bool] = []
    work_out = publication.site_versions

    def counted(library, as_of, reviewer):  # type: ignore[no-untyped-def]
        calls.append(reviewer)
        return work_out(library, as_of, reviewer)

    given: list[list[str]] = []
    monkeypatch.setattr(publication, "site_versions", counted)
    monkeypatch.setattr(atomic_output.SiteStaging, "build", lambda staging, *args, **kwargs: given.append(
        staging.pages.paths()))
    status, _out, err = run("build", "--as-of", AS_OF, "--out", str(tmp_path / "out"), str(library))
    assert (status, err) == (0, "")
    assert sorted(calls) == [False, True]  # True: the xrefs check of the draft, which only the reviewer site shows
    assert "protocols/ketamine-trd/index.md" in given[0]
