"""The incremental render of `protocols serve` (generator/render/incremental_render.py): after every kind of save,
the pages equal a fresh `render_site` of the same files byte for byte, and a save to one protocol's text
re-renders only its pages, those of the protocols it links with and the library-wide pages."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_profiles import examples
from library_edits import CLEAN, DRAFT, EDITS, SUMMARY, Session, fresh, replace, sample_copy, started

from generator.model import page_paths as paths
from generator.render import families
from generator.render.placed_page import placed_page


@pytest.mark.parametrize("reviewer", [True, False], ids=["reviewer", "clinician"])
def test_the_first_save_gives_the_check_and_pages_of_a_fresh_render(tmp_path: Path, reviewer: bool) -> None:
    root = sample_copy(tmp_path)
    session = Session(root, reviewer)
    diagnostics, pages = session.save()
    assert pages is not None and (diagnostics, pages) == fresh(root, reviewer)
    assert session.renderer.log == ["full"]


@pytest.mark.parametrize("reviewer", [True, False], ids=["reviewer", "clinician"])
@pytest.mark.parametrize("name", sorted(CLEAN))
def test_each_clean_save_gives_the_pages_of_a_fresh_render(tmp_path: Path, name: str, reviewer: bool) -> None:
    root = sample_copy(tmp_path)
    session = Session(root, reviewer)
    session.save()
    EDITS[name](root)
    _diagnostics, pages = session.save()
    _expected, expected = fresh(root, reviewer)
    assert pages is not None and expected is not None
    assert sorted(pages) == sorted(expected)
    assert [path for path in pages if pages[path] != expected[path]] == []


def test_a_summary_save_renders_the_draft_and_what_it_links_with(tmp_path: Path) -> None:
    root, session = started(tmp_path)
    EDITS["summary sentence"](root)
    session.save()
    # ketamine-trd, the protocols it links to (esketamine-trd, ketamine-crps) and the one linking to it
    # (ketamine-trd-twice-weekly links to ketamine-trd; so does esketamine-trd)
    assert session.renderer.log == ["full", "4 protocols"]
    assert "A new first sentence for the preview." in session.pages["protocols/ketamine-trd/1.1/index.md"]


def test_a_save_to_a_protocol_nothing_links_with_renders_it_alone(tmp_path: Path) -> None:
    root, session = started(tmp_path)
    replace("ketamine-crps/1.1.yaml", "owner: ", "owner: The ")(root)  # approved: P402, nothing rendered
    assert session.save()[1] is None
    replace("ketamine-crps/1.1.yaml", "owner: The ", "owner: ")(root)
    _diagnostics, pages = session.save()
    assert pages == fresh(root)[1]


def test_two_saves_in_a_row_and_back(tmp_path: Path) -> None:
    root = sample_copy(tmp_path)
    session = Session(root)
    first = session.save()
    EDITS["summary sentence"](root)
    session.save()
    EDITS["cross-reference added"](root)
    assert session.save() == fresh(root)
    replace(DRAFT, "  See also [[ketamine-trd-twice-weekly]].\n", "")(root)
    replace(DRAFT, "  A new first sentence for the preview.\n", "")(root)
    assert session.save() == first


SENTENCES = st.sampled_from([
    "A plain sentence.", "See [[esketamine-trd]].", "See [[ketamine-crps#monitoring]].", "As trialled [@singh-2016].",
    "Give {{ ketamine-iv.dose }}.", "See [[#monitoring]].", "Cited [@phillips-2019; @singh-2016].",
])
FILES = st.sampled_from(["ketamine-trd/1.1.yaml", "ketamine-trd-twice-weekly/1.2.yaml", "esketamine-trd/1.1.yaml",
                         "_library/handbooks.yaml"])


@settings(max_examples=examples(8), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(FILES, SENTENCES), min_size=1, max_size=3))
def test_random_saves_give_the_fresh_check_and_pages(saves: list[tuple[str, str]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = sample_copy(Path(folder))
        session = Session(root)
        session.save()
        for relative, sentence in saves:
            if relative.startswith("_library"):
                replace(relative, "description: >-\n", f"description: >-\n    {sentence}\n")(root)
            else:
                replace(relative, SUMMARY, f"{SUMMARY}  {sentence}\n")(root)
            assert session.save() == fresh(root)
        shutil.rmtree(root)


BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


@pytest.mark.parametrize("reviewer", [True, False], ids=["reviewer", "clinician"])
def test_saves_to_a_synthetic_library_keep_the_unchanged_protocols_parts(tmp_path: Path, reviewer: bool,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """Handbooks printing many protocols: the print views reuse the parts of the protocols a save did not
    touch, and still equal a fresh render (three saves to different drafts).

    Eight protocols (seed 1) are enough: six drafts to save to, handbooks of one, two and three protocols,
    eight printed parts kept (more than six asked); each protocol more adds one more part of the same kind
    and costs its share of four whole renders (twelve took half as long again)."""
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    synthetic = __import__("synthetic")
    root = tmp_path / "protocols"
    synthetic.generate_library(root, 8, seed=1)
    session = Session(root, reviewer)
    session.save()
    drafts = sorted(path for path in root.glob("*/1.2.yaml") if "\nstatus: draft\n" in path.read_text(encoding="utf-8"))
    for number, draft in enumerate(drafts[:3]):
        replace(str(draft.relative_to(root)), SUMMARY, f"{SUMMARY}  Saved {number} times.\n")(root)
        assert session.save() == fresh(root, reviewer)
        assert session.renderer.log[-1] != "full"
    assert len(session.renderer.printed) > 6  # parts of untouched protocols were kept, not made again


def _applies(edit_name: str, root: Path) -> bool:
    """Apply the edit when the library still allows it (an earlier edit may have removed what it changes)."""
    try:
        EDITS[edit_name](root)
    except (AssertionError, FileNotFoundError, FileExistsError):
        return False
    return True


@settings(max_examples=examples(20), deadline=None)
@given(st.lists(st.sampled_from(sorted(EDITS)), min_size=2, max_size=4), st.booleans())
def test_random_sequences_of_the_edit_kinds_give_the_fresh_check_and_pages(names: list[str], reviewer: bool) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root, session = started(Path(folder), reviewer)
        for name in names:
            if _applies(name, root):
                assert session.save() == fresh(root, reviewer), name


def test_a_changed_use_directory_urls_places_every_page_again(tmp_path: Path) -> None:
    root, session = started(tmp_path)
    session.directory_urls = False  # mkdocs.yml saved with use_directory_urls: false
    assert session.save() == fresh(root, directory_urls=False)
    assert session.renderer.log == ["full", "full"]


def test_a_save_places_again_only_the_pages_whose_rendered_text_changed(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    root, session = started(tmp_path)
    placed: list[str] = []

    def counted(path: str, text: str, directory_urls: bool, kept_together: bool = False) -> str:
        placed.append(path)
        return placed_page(path, text, directory_urls, kept_together)

    monkeypatch.setattr(families, "placed_page", counted)
    EDITS["summary sentence"](root)
    saved = session.save()
    # the edited draft's page is placed again; the pages of the protocols it links with, the bibliography and
    # the drug index are rendered again, to the same text
    assert "protocols/ketamine-trd/1.1/index.md" in placed
    assert not {"protocols/esketamine-trd/1.1/index.md", paths.BIBLIOGRAPHY, paths.DRUG_INDEX} & set(placed)
    assert saved == fresh(root)
    placed.clear()
    session.directory_urls = False  # a whole render forgets the placed pages
    saved = session.save()
    assert {paths.BIBLIOGRAPHY, paths.DRUG_INDEX} <= set(placed)
    assert saved == fresh(root, directory_urls=False)


def test_the_placed_page_memo_keeps_a_digest_of_each_rendered_text_not_the_text(tmp_path: Path) -> None:
    """Serve's memory: the memo knows a rendered text by its digest; the placed page is the one thing it keeps."""
    root, session = started(tmp_path)
    memo = session.renderer.placed
    assert sorted(memo) == sorted(session.pages)
    for path, (digest, _kept_together, placed) in memo.items():
        assert isinstance(digest, bytes) and len(digest) == 32, path
        assert placed == session.pages[path]
    page = "protocols/ketamine-trd/1.1/index.md"
    before = memo[page][0]
    EDITS["summary sentence"](root)
    session.save()
    assert memo[page][0] != before and memo[page][2] == session.pages[page]
