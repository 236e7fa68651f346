"""Diff between two versions: dosing changes in the formatter's notation, word-level text diffs, references."""

from __future__ import annotations

from pathlib import Path

from helpers import VERSION, write_library
from hypothesis import given
from hypothesis import strategies as st

from generator.approvals.diff import DoseChange, TextChange, diff_versions, format_diff_text, word_diff
from generator.load.library import Library, load_library


def two_versions(tmp_path: Path, edit: dict[str, str]) -> Library:
    new = VERSION.replace('version: "1.0"', 'version: "1.1"').replace("changes: []", "changes: [edited]")
    for before, after in edit.items():
        assert before in new, before
        new = new.replace(before, after)
    library = load_library(write_library(tmp_path, {"ketamine-trd/1.1.yaml": new}), "protocols")
    assert [d.format_text() for d in library.diagnostics] == []
    return library


def diff_of(library: Library):
    protocol = library.protocols["ketamine-trd"]
    return diff_versions(protocol.versions["1.0"], protocol.versions["1.1"], library)


def test_identical_content_gives_an_empty_diff(tmp_path: Path) -> None:
    diff = diff_of(two_versions(tmp_path, {}))
    assert diff.empty
    assert format_diff_text(diff) == (
        "ketamine-trd 1.0 -> 1.1\n\nDosing changes: none\n\nText changes: none\n\n"
        "References added: none\nReferences removed: none\n"
    )


def test_dose_changes_in_the_formatters_notation(tmp_path: Path) -> None:
    library = two_versions(tmp_path, {
        "dose: 0.5 mg/kg": "dose: 0.6 mg/kg",
        "max: 0.75 mg/kg": "max: 1 mg/kg",
        "duration: 40 min": "duration: 45 min\n    max_dose: 3000 mg",
        "frequency: 3 per week": "frequency: 2 per week",
        "length: 2 weeks\n    doses: 6": "length: 3 weeks\n    doses: 6",
    })
    assert diff_of(library).dose_changes == [
        DoseChange("regimen", "ketamine-iv", "dose", "0.5 mg/kg", "0.6 mg/kg", "changed", 0, 0),
        DoseChange("regimen", "ketamine-iv", "dose_range", "0.1 to 0.75 mg/kg", "0.1 to 1 mg/kg", "changed", 0, 0),
        DoseChange("regimen", "ketamine-iv", "max_dose", "(none)", "3,000 mg", "changed", 0, 0),
        DoseChange("regimen", "ketamine-iv", "duration", "40 minutes", "45 minutes", "changed", 0, 0),
        DoseChange("phase", "induction", "frequency", "3 times per week", "twice per week", "changed", 0, 0),
        DoseChange("phase", "induction", "length", "2 weeks", "3 weeks", "changed", 0, 0),
    ]
    assert diff_of(library).dose_changes[0].text == "0.5 mg/kg -> 0.6 mg/kg"


def test_a_phase_moved_to_another_regimen_names_both_by_drug_and_route(tmp_path: Path) -> None:
    library = two_versions(tmp_path, {
        "    regimen: ketamine-iv\n": "    regimen: ketamine-im\n",
        "    cite: [phillips-2019]\n": (
            "    cite: [phillips-2019]\n  - id: ketamine-im\n    drug: ketamine\n    route: IM\n    dose: 0.5 mg/kg\n"
        ),
    })
    changed = [c for c in diff_of(library).dose_changes if c.change == "changed"]
    assert changed == [DoseChange("phase", "induction", "regimen", "ketamine IV", "ketamine IM", "changed", 0, 0)]


def test_equal_values_written_differently_are_no_change(tmp_path: Path) -> None:
    library = two_versions(tmp_path, {"dose_range: {min: 0.1 mg/kg, max: 0.75 mg/kg}":
                                      "dose_range:\n      min: 0.1 mg/kg\n      max: 0.75 mg/kg"})
    assert diff_of(library).dose_changes == []


def test_added_and_removed_regimens_and_phases(tmp_path: Path) -> None:
    library = two_versions(tmp_path, {
        "  - id: induction\n    name: Induction": "  - id: weekly\n    name: Weekly",
        "    length: 2 weeks\n    doses: 6\n": "",
        "    cite: [phillips-2019]\n": (
            "    cite: [phillips-2019]\n  - id: ketamine-im\n    drug: ketamine\n    route: IM\n    dose: 0.5 mg/kg\n"
        ),
    })
    diff = diff_of(library)
    assert diff.dose_changes == [
        DoseChange("regimen", "ketamine-im", "", "", "ketamine 0.5 mg/kg IM", "added", None, 1),
        DoseChange("phase", "weekly", "", "", "Weekly: ketamine IV 3 times per week", "added", None, 0),
        DoseChange("phase", "induction", "", "Induction: ketamine IV 3 times per week for 2 weeks", "",
                   "removed", 0, None),
    ]
    assert [c.text for c in diff.dose_changes] == [
        "added: ketamine 0.5 mg/kg IM",
        "added: Weekly: ketamine IV 3 times per week",
        "removed: Induction: ketamine IV 3 times per week for 2 weeks",
    ]


def test_text_changes_per_markdown_field(tmp_path: Path) -> None:
    library = two_versions(tmp_path, {
        "body: Monitor blood pressure.": "body: Monitor blood pressure and pulse.",
        "  - Screen for contraindications ([[#safety]]).": "  - Screen first ([[#safety]]).\n  - Then treat.",
        "title: Safety": "title: Safety checks",
    })
    assert diff_of(library).text_changes == [
        TextChange("sections.safety.title", "section safety: title", [("equal", "Safety"), ("insert", " checks")]),
        TextChange("sections.safety.body", "section safety: body", [
            ("equal", "Monitor blood "), ("delete", "pressure."), ("insert", "pressure and pulse."),
        ]),
        TextChange("algorithm", "algorithm", [
            ("equal", "Screen "), ("delete", "for contraindications"), ("insert", "first"),
            ("equal", " ([[#safety]])."), ("insert", "\nThen treat."),
        ]),
    ]


def test_removed_section_is_a_deletion(tmp_path: Path) -> None:
    section = "sections:\n  - id: safety\n    title: Safety\n    body: Monitor blood pressure.\n"
    library = two_versions(tmp_path, {section: "", "([[#safety]])": "(none)"})
    changes = diff_of(library).text_changes
    assert [(c.field, c.ops) for c in changes] == [
        ("algorithm", [("equal", "Screen for contraindications "), ("delete", "([[#safety]])."),
                       ("insert", "(none).")]),
        ("sections.safety.title", [("delete", "Safety")]),
        ("sections.safety.body", [("delete", "Monitor blood pressure.")]),
    ]


def test_references_added_and_removed_from_citations_and_cite_lists(tmp_path: Path) -> None:
    library = two_versions(tmp_path, {
        "[@phillips-2019].": "[@singh-2016; @sanacora-2017].",
        "    cite: [phillips-2019]\n": "    cite: [singh-2016]\n",
    })
    diff = diff_of(library)
    assert (diff.references_added, diff.references_removed) == (["sanacora-2017", "singh-2016"], ["phillips-2019"])


def test_references_the_page_does_not_show_as_citations_are_not_added(tmp_path: Path) -> None:
    # code spans, link text and a link whose text looks like a citation render no citation
    library = two_versions(tmp_path, {
        "[@phillips-2019].": "[@phillips-2019]. Use `[@singh-2016]` or see [@sanacora-2017](https://x.example).",
    })
    diff = diff_of(library)
    assert (diff.references_added, diff.references_removed) == ([], [])


def test_terminal_diff_lists_dosing_first_then_text_then_references(tmp_path: Path) -> None:
    library = two_versions(tmp_path, {
        "dose: 0.5 mg/kg": "dose: 0.6 mg/kg",
        "body: Monitor blood pressure.": "body: Monitor blood pressure and pulse.",
        "  - id: induction\n    name: Induction": "  - id: weekly\n    name: Weekly",
    })
    assert format_diff_text(diff_of(library)) == (
        "ketamine-trd 1.0 -> 1.1\n"
        "\n"
        "Dosing changes:\n"
        "  item                 field  change\n"
        "  regimen ketamine-iv  dose   0.5 mg/kg -> 0.6 mg/kg\n"
        "  phase weekly         -      added: Weekly: ketamine IV 3 times per week for 2 weeks\n"
        "  phase induction      -      removed: Induction: ketamine IV 3 times per week for 2 weeks\n"
        "\n"
        "Text changes:\n"
        "  section safety: body:\n"
        "    Monitor blood [-pressure.-]{+pressure and pulse.+}\n"
        "\n"
        "References added: none\n"
        "References removed: none\n"
    )


def test_long_unchanged_text_is_shortened_in_the_terminal() -> None:
    from generator.approvals.diff import format_ops

    words = " ".join(f"w{i}" for i in range(40))
    ops = word_diff(f"{words} old {words}", f"{words} new {words}")
    assert format_ops(ops) == (
        "... w32 w33 w34 w35 w36 w37 w38 w39 [-old-]{+new+} w0 w1 w2 w3 w4 w5 w6 w7 ..."
    )


texts = st.lists(st.sampled_from(["dose", "0.5", "mg", " ", "  ", "\n", "IV", "over", "40", "min", "."]), max_size=30)


@given(texts, texts)
def test_word_diff_reassembles_both_texts(old_parts: list[str], new_parts: list[str]) -> None:
    old, new = "".join(old_parts), "".join(new_parts)
    ops = word_diff(old, new)
    assert "".join(text for op, text in ops if op != "insert") == old
    assert "".join(text for op, text in ops if op != "delete") == new
    assert all(text for _, text in ops)
    assert all(a[0] != b[0] for a, b in zip(ops, ops[1:], strict=False))


def test_each_dose_change_names_the_version_and_anchor_that_show_its_item(tmp_path: Path) -> None:
    library = two_versions(tmp_path, {
        "dose: 0.5 mg/kg": "dose: 0.6 mg/kg",
        "  - id: induction\n    name: Induction": "  - id: weekly\n    name: Weekly",
    })
    diff = diff_of(library)
    assert [diff.target(change) for change in diff.dose_changes] == [
        ("1.1", "regimen-ketamine-iv"), ("1.1", "phase-weekly"), ("1.0", "phase-induction"),
    ]
