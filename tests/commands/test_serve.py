"""`protocols serve` for authors (issue 17): the reviewer preview by default, --clinician, the error list on
every page while the library has errors, live reload back to the page once fixed, a clean stop on SIGTERM
and SIGINT with no temporary folder left behind."""

from __future__ import annotations

import datetime as dt
import io
import signal
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from helpers import VERSION, run, write_library
from local_http import fetch_until
from serve_process import fetch, running_serve

from generator.commands.serve import ServePreview, error_banner
from generator.diagnostics import Diagnostic, Location
from generator.site.dev_server import insert_banner
from generator.site.engine import REVIEWER_BANNER

AS_OF = dt.date(2026, 6, 1)
DRAFT = "protocols/ketamine-trd/1.0.yaml"
DRAFT_PAGE = "protocols/ketamine-trd/1.0/index.md"
UNKNOWN_CITATION = VERSION.replace("Monitor blood pressure.", "Monitor blood pressure [@nobody-2000].")
P301_LOCATION = f"{DRAFT}:30:36"
P301_MESSAGE = 'citation of unknown reference "nobody-2000"'
P301_HINT = "cite an id of _library/references.yaml, or add the reference there"
WAIT_MS = 120_000  # a rebuild takes seconds; far longer on a loaded 2-core machine


def preview(reviewer: bool = True) -> ServePreview:
    """The preview of ./protocols (tests chdir into their library's parent)."""
    return ServePreview("protocols", AS_OF, reviewer, io.StringIO())


def test_the_default_preview_shows_the_draft_and_clinician_hides_it(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    write_library(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert DRAFT_PAGE in preview().update().pages
    assert DRAFT_PAGE not in preview(reviewer=False).update().pages


def test_a_warning_alone_shows_no_banner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_library(tmp_path, {"ketamine-trd/1.0.yaml.bak": VERSION})  # P111, a warning
    monkeypatch.chdir(tmp_path)
    served = preview()
    assert DRAFT_PAGE in served.update().pages
    assert served.banner() == ""


def test_an_error_keeps_the_last_good_pages_and_lists_every_error(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    library = write_library(tmp_path)
    monkeypatch.chdir(tmp_path)
    served = preview()
    good = set(served.update().pages)
    assert served.banner() == ""
    (library / "ketamine-trd" / "1.0.yaml").write_text(UNKNOWN_CITATION, encoding="utf-8")
    kept = served.update()  # no page changes: the served site stays the last one without errors
    assert kept.pages == {} and kept.unchanged == good and kept.removed == frozenset() and not kept.full
    link = f"{(tmp_path / DRAFT).resolve().as_uri()}#L30"
    assert served.banner() == (
        '<div class="admonition failure pc-serve-errors" id="protocols-errors" role="alert">'
        '<p class="admonition-title">1 error in the protocols: this page shows the last version without errors, '
        "and reloads when a file is saved</p>"
        f'<ul><li><a href="{link}"><code>{P301_LOCATION}</code></a> <strong>P301</strong>: '
        "citation of unknown reference &quot;nobody-2000&quot; (sections[0].body)"
        f"<br><em>{P301_HINT}</em></li></ul></div>"
    )
    (library / "ketamine-trd" / "1.0.yaml").write_text(VERSION, encoding="utf-8")
    fixed = served.update()  # the texts are those of the site served: no page to write
    assert fixed.pages == {} and fixed.unchanged == good and fixed.removed == frozenset()
    assert served.banner() == ""


def test_an_error_before_any_good_build_gives_a_home_page_that_says_so(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    write_library(tmp_path, {"ketamine-trd/1.0.yaml": UNKNOWN_CITATION})
    monkeypatch.chdir(tmp_path)
    served = preview()
    assert list(served.update().pages) == ["index.md"]
    assert P301_LOCATION in served.banner()


def test_a_folder_removed_while_serving_is_listed_not_a_traceback(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    library = write_library(tmp_path)
    monkeypatch.chdir(tmp_path)
    served = preview()
    good = set(served.update().pages)
    library.rename(tmp_path / "moved")
    assert served.update().unchanged == good
    assert "<li>no protocols folder at protocols: pass the folder holding your protocols</li>" in served.banner()


def test_the_banner_escapes_author_text_and_links_even_odd_file_names() -> None:
    error = Diagnostic("P209", '<script>alert(1)</script> "x"', Location("protocols/a b/<é>.yaml", 2, 3),
                       hint="<b>bold</b>")
    banner = error_banner([error])
    assert "<script>" not in banner and "<b>bold" not in banner
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &quot;x&quot;" in banner
    assert "<code>protocols/a b/&lt;é&gt;.yaml:2:3</code>" in banner
    assert "/protocols/a%20b/%3C%C3%A9%3E.yaml#L2" in banner  # a URI: no raw space, quote or angle bracket


@pytest.mark.parametrize("page", [
    '<html><body class="x"><div><article class="md-content__inner md-typeset"><h1>T</h1></article></div></body>',
    '<html><body><article class="md-content__inner md-typeset" data-pagefind-body><h1>T</h1></article></body>',
    "<html><body><h1>No article</h1></body></html>",
])
def test_the_banner_goes_at_the_top_of_the_content_and_nothing_without_one(page: str) -> None:
    banner = '<div id="protocols-errors">E</div>'
    assert insert_banner(page, "") == page
    start = page.find("<article")
    anchor = page[start:page.index(">", start) + 1] if start >= 0 else "<body>"
    assert insert_banner(page, banner) == page.replace(anchor, anchor + banner, 1)
    assert insert_banner("<p>bare</p>", banner) == banner + "<p>bare</p>"


def test_serve_options_have_help_and_clinician_excludes_reviewer(tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    status, _, _ = run("serve", "--help")
    assert status == 0
    shown = " ".join(capsys.readouterr().out.split())  # argparse prints help to sys.stdout, wrapped
    assert "--clinician preview exactly the clinician site instead: no drafts, no versions in review" in shown
    assert "--reviewer accepted for older scripts; does nothing, the reviewer site is the default" in shown
    status, _, _ = run("serve", "--clinician", "--reviewer", str(tmp_path))
    assert status == 2
    assert "protocols serve: error: argument --reviewer: not allowed with argument --clinician\n" in (
        capsys.readouterr().err
    )


def test_serve_on_a_missing_folder_is_a_usage_error(tmp_path: Path) -> None:
    status, _, err = run("serve", str(tmp_path / "none"))
    assert status == 2
    missing = tmp_path / "none"
    assert err == f"protocols: error: no protocols folder at {missing}: pass the folder holding your protocols\n"


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_stops_serve_cleanly_and_removes_its_temporary_folders(tmp_path: Path, signum: int) -> None:
    write_library(tmp_path)
    with running_serve(tmp_path) as server:
        made = sorted(path.name.split("_")[0].rsplit("-", 1)[0] for path in server.temp.iterdir())
        assert made == ["mkdocs", "protocols-serve"]  # the folders exist while it serves ...
        status, output = server.stop(signum)
    assert status == 0, output
    assert "Traceback" not in output
    assert list(server.temp.iterdir()) == []  # ... and none is left behind


def test_a_path_missing_while_there_are_errors_shows_the_errors_and_reloads(tmp_path: Path) -> None:
    write_library(tmp_path, {"ketamine-trd/1.0.yaml": UNKNOWN_CITATION})
    with running_serve(tmp_path) as server:
        status, home = fetch(server.url)
        missing_status, missing = fetch(server.url + "protocols/ketamine-trd/1.0/")
    assert status == 200 and P301_LOCATION in home
    assert missing_status == 404
    assert P301_LOCATION in missing and P301_HINT in missing
    assert '<article class="md-content__inner md-typeset"><div class="admonition failure pc-serve-errors"' in missing
    assert "livereload" in missing  # the 404 page comes back by itself once the error is fixed


def test_browser_edit_error_and_fix_under_serve(tmp_path: Path, chromium_browser: Any) -> None:
    library = write_library(tmp_path)
    draft = library / "ketamine-trd" / "1.0.yaml"
    with running_serve(tmp_path) as server:
        page = chromium_browser.new_page()
        try:
            url = server.url + "protocols/ketamine-trd/1.0/"
            page.goto(url)
            assert REVIEWER_BANNER in page.inner_text("body")  # the draft, marked as on the reviewer site
            page.get_by_text("Monitor blood pressure.").wait_for(timeout=WAIT_MS)

            draft.write_text(VERSION.replace("Monitor blood pressure.", "Monitor blood pressure and pulse."),
                             encoding="utf-8")
            page.get_by_text("Monitor blood pressure and pulse.").wait_for(timeout=WAIT_MS)

            draft.write_text(UNKNOWN_CITATION, encoding="utf-8")
            errors = page.locator("#protocols-errors")
            errors.wait_for(timeout=WAIT_MS)
            assert page.url == url
            listed = errors.inner_text()
            assert f"{P301_LOCATION} P301: {P301_MESSAGE} (sections[0].body)" in listed
            assert P301_HINT in listed
            href = errors.locator("a").first.get_attribute("href")
            assert href == f"{draft.resolve().as_uri()}#L30"
            assert "Monitor blood pressure and pulse." in page.inner_text("article")  # the last good page

            draft.write_text(VERSION, encoding="utf-8")
            errors.wait_for(state="detached", timeout=WAIT_MS)
            page.get_by_text("Monitor blood pressure.", exact=True).wait_for(timeout=WAIT_MS)
            assert page.url == url
        finally:
            page.close()


def wait_for(url: str, accept: Callable[[int, str], bool], what: str) -> str:
    """Fetch ``url`` until ``accept(status, text)``; the page text. Fails with what was last served."""
    status, text = fetch_until(url, accept, timeout=WAIT_MS / 1000)
    if not accept(status, text):
        raise AssertionError(f"{url} never showed {what}; last {status}:\n{text[-2000:]}")
    return text


def html_mtimes(site: Path) -> dict[str, int]:
    return {path.relative_to(site).as_posix(): path.stat().st_mtime_ns for path in site.rglob("*.html")}


def test_saves_under_serve_rewrite_only_what_changed_and_remove_what_is_gone(tmp_path: Path) -> None:
    other = VERSION.replace("ketamine-trd", "ketamine-two").replace(
        "IV ketamine for treatment-resistant depression", "IV ketamine, second protocol")
    library = write_library(tmp_path, {"ketamine-two/1.0.yaml": other})
    draft = library / "ketamine-trd" / "1.0.yaml"
    with running_serve(tmp_path) as server:
        site = next(server.temp.glob("mkdocs_*"))
        page_url, other_url = server.url + "protocols/ketamine-trd/1.0/", server.url + "protocols/ketamine-two/1.0/"
        assert "0.5 mg/kg" in wait_for(page_url, lambda status, text: status == 200, "the draft")
        before = html_mtimes(site)

        draft.write_text(VERSION.replace("dose: 0.5 mg/kg", "dose: 0.6 mg/kg"), encoding="utf-8")
        shown = wait_for(page_url, lambda status, text: "0.6 mg/kg" in text, "the new dose")
        assert "0.5 mg/kg" not in shown
        after = html_mtimes(site)
        assert after["protocols/ketamine-trd/1.0/index.html"] != before["protocols/ketamine-trd/1.0/index.html"]
        assert [path for path in after if path.startswith("protocols/ketamine-two/") and after[path] != before[path]
                ] == []
        assert "Preview: incremental " in server.output()

        draft.write_text(VERSION.replace("dose: 0.5 mg/kg", "dose: [0.7 mg/kg"), encoding="utf-8")
        broken = wait_for(page_url, lambda status, text: "pc-serve-errors" in text, "the error banner")
        assert f"{DRAFT}:" in broken and "P100" in broken and "0.6 mg/kg" in broken  # the last good page

        draft.write_text(VERSION.replace("dose: 0.5 mg/kg", "dose: 0.7 mg/kg"), encoding="utf-8")
        fixed = wait_for(page_url, lambda status, text: "pc-serve-errors" not in text, "the banner gone")
        assert "0.7 mg/kg" in fixed and "0.6 mg/kg" not in fixed

        (library / "ketamine-two").rename(tmp_path / "ketamine-two")  # inotify reports only the folder
        wait_for(other_url, lambda status, text: status == 404, "the deleted protocol gone")
        assert not (site / "protocols" / "ketamine-two").exists()
        status, output = server.stop()
    assert status == 0 and "Traceback" not in output
