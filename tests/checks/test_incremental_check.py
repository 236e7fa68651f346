"""The incremental check of `protocols serve` (generator/checks/incremental_check.py): after every kind of save,
its diagnostics equal a fresh `run_checks` of the same files, and a save to one protocol's text re-runs the
rules for that protocol only."""

from __future__ import annotations

from pathlib import Path

import pytest
from library_edits import CLEAN, EDITS, Session, fresh, fresh_check, replace, sample_copy, started

# edits whose rules run again for the edited protocol only (the rest change something shared)
ONE_PROTOCOL = {"dose value", "summary sentence", "cross-reference added", "cross-reference to a section added",
                "citation added"}


@pytest.mark.parametrize("reviewer", [True, False], ids=["reviewer", "clinician"])
@pytest.mark.parametrize("name", sorted(EDITS))
def test_each_kind_of_save_gives_the_diagnostics_of_a_fresh_check(tmp_path: Path, name: str, reviewer: bool) -> None:
    root = sample_copy(tmp_path)
    session = Session(root, reviewer, render=False)  # its pages: tests/render/test_incremental_render.py
    assert session.save() == (fresh_check(root, reviewer), None)
    EDITS[name](root)
    diagnostics, _pages = session.save()
    expected = fresh_check(root, reviewer)
    assert [d.format_text() for d in diagnostics] == [d.format_text() for d in expected]
    assert diagnostics == expected
    assert (not any(d.is_error for d in diagnostics)) == (name in CLEAN)
    if name in ONE_PROTOCOL:
        assert session.checker.log == ["full", "1 protocols"]


def test_a_link_to_a_missing_protocol_checks_everything(tmp_path: Path) -> None:
    """Its P303 message lists the library's protocols, which a partial run does not hold."""
    root, session = started(tmp_path)
    EDITS["cross-reference to no protocol"](root)
    diagnostics, _ = session.save()
    assert session.checker.log == ["full", "full"]
    assert [d.format_text() for d in diagnostics if d.code == "P303"] == [
        'protocols/ketamine-trd/1.1.yaml:10:7: error P303: cross-reference [[no-such-protocol]]: no protocol '
        '"no-such-protocol" in this library (summary)\n'
        "    use a protocol id (its folder name): esketamine-trd, ketamine-crps, ketamine-trd, "
        "ketamine-trd-twice-weekly"]


def test_citing_an_uncited_reference_takes_its_warning_away(tmp_path: Path) -> None:
    root, session = started(tmp_path)
    EDITS["reference entry added"](root)
    diagnostics, _ = session.save()
    assert [d.format_text().split(": ", 2)[1] for d in diagnostics] == ["warning P302"]
    replace("ketamine-trd/1.1.yaml", "summary: |\n", "summary: |\n  See [@new-2026].\n")(root)
    diagnostics, _ = session.save()
    assert diagnostics == fresh(root)[0] == []
    assert session.checker.log == ["full", "full", "full"]  # what the library cites changed


def test_an_invalid_save_then_its_fix_then_another_save(tmp_path: Path) -> None:
    root, session = started(tmp_path)
    for name in ("invalid YAML",):
        EDITS[name](root)
        broken, pages = session.save()
        assert pages is None and [d.code for d in broken] == ["P100"] and broken == fresh(root)[0]
    replace("ketamine-trd/1.1.yaml", "dose: [0.5 mg/kg", "dose: 0.5 mg/kg")(root)
    assert session.save() == fresh(root)
    EDITS["summary sentence"](root)
    assert session.save() == fresh(root)
    assert session.checker.log == ["full", "full", "full", "1 protocols"]  # a version invalid, then valid again


def test_an_image_appearing_under_assets_is_seen(tmp_path: Path) -> None:
    """No file of the library changes, only _assets/: the draft's P503 goes, its page shows the image."""
    root, session = started(tmp_path)
    replace("ketamine-trd/1.1.yaml", "summary: |\n", "summary: |\n  ![Chart](_assets/chart.png)\n")(root)
    diagnostics, pages = session.save()
    assert [d.code for d in diagnostics] == ["P503"] and pages is None and diagnostics == fresh(root)[0]
    (root / "_assets").mkdir()
    (root / "_assets" / "chart.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    diagnostics, pages = session.save()
    assert (diagnostics, pages) == fresh(root)
    assert pages is not None and "assets/protocol-files/chart.png" in pages
    assert session.checker.log[-1] == "full"
