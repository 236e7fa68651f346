"""StagedPages (generator/site/staged_pages.py): each page a UTF-8 file at its page path, written as given."""

from __future__ import annotations

from pathlib import Path

from generator.site.staged_pages import StagedPages


def test_pages_are_written_as_utf8_at_their_path_and_listed_sorted(tmp_path: Path) -> None:
    pages = StagedPages(tmp_path)
    pages.add("z/index.md", "# Zeta\n\nDose ≤ 5 µg 🙂\r\n")
    pages.add("a.json", b"\x00\xff raw bytes")
    pages.add("index.md", "# Home\n")
    assert (tmp_path / "z/index.md").read_bytes() == "# Zeta\n\nDose ≤ 5 µg 🙂\r\n".encode()
    assert (tmp_path / "a.json").read_bytes() == b"\x00\xff raw bytes"
    assert pages.paths() == ["a.json", "index.md", "z/index.md"]
    assert pages.file("z/index.md") == tmp_path / "z/index.md"
    assert pages.page_count() == 2


def test_a_second_page_at_the_same_path_replaces_the_first(tmp_path: Path) -> None:
    pages = StagedPages(tmp_path)
    pages.add("index.md", "# First, a longer text\n")
    pages.add("index.md", "# Second\n")
    assert (tmp_path / "index.md").read_text(encoding="utf-8") == "# Second\n"
    assert pages.paths() == ["index.md"]
    assert pages.page_count() == 1
