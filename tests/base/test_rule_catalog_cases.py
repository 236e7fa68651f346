"""Every case of tests/rule_cases.py through `protocols check`, and every rule code of the catalog with at
least one case that breaks it and one that keeps it."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import fingerprint_of, run, signed_entry, write_files, write_library
from rule_cases import CASES, RuleCase

from generator.diagnostics import RULES

LEDGER = "ketamine-trd/approvals.yaml"


def apply(edits: tuple[tuple[str, str, str], ...], texts: dict[str, str]) -> dict[str, str]:
    edited = dict(texts)
    for relative, old, new in edits:
        count = edited[relative].count(old)
        assert count == 1, f"edit of {relative}: {old!r} occurs {count} times in the minimal library"
        edited[relative] = edited[relative].replace(old, new)
    return edited


def minimal_texts(root: Path) -> dict[str, str]:
    folder = write_library(root / "minimal")
    return {path.relative_to(folder).as_posix(): path.read_text(encoding="utf-8")
            for path in folder.rglob("*.yaml")}


def case_lines(case: RuleCase, tmp_path: Path) -> list[str]:
    minimal = minimal_texts(tmp_path)
    texts = apply(case.edits, minimal)
    changed = {relative: text for relative, text in texts.items() if text != minimal[relative]}
    root = tmp_path / "case"
    write_library(root, changed)
    library = root / "protocols"
    for relative, content in case.files.items():
        path = library / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            write_files(library, {relative: content})
    if case.ledger:
        signed_texts = apply(case.signed_edits, minimal) if case.signed_edits is not None else texts
        others = {relative: text for relative, text in signed_texts.items() if relative != "ketamine-trd/1.0.yaml"}
        fingerprint = fingerprint_of(signed_texts["ketamine-trd/1.0.yaml"], others)
        ledger = "".join(signed_entry("1.0", reviewer, role, fingerprint) for reviewer, role in case.ledger)
        write_files(library, {LEDGER: ledger})
    _status, out, _err = run("check", "--as-of", case.as_of, str(library))
    lines = [line.replace(f"{root}/", "") for line in out.splitlines() if not line.startswith("    ")]
    return [line for line in lines if f" {case.code}: " in line]


@pytest.mark.parametrize("case", CASES, ids=[f"{case.code}-{case.id}" for case in CASES])
def test_rule_case(case: RuleCase, tmp_path: Path) -> None:
    assert case_lines(case, tmp_path) == list(case.expected)


def uncovered(cases: tuple[RuleCase, ...], codes: list[str]) -> list[str]:
    failing = {case.code for case in cases if case.expected}
    passing = {case.code for case in cases if not case.expected}
    return [f"{code}: no {kind} case" for code in sorted(codes)
            for kind, covered in (("failing", failing), ("passing", passing)) if code not in covered]


def test_every_rule_code_has_a_failing_and_a_passing_case() -> None:
    assert uncovered(CASES, list(RULES)) == [], "add cases to tests/rule_cases.py"


def test_a_code_without_a_case_of_either_kind_is_named() -> None:
    cases = (RuleCase("broken", "P201", expected=("x",)), RuleCase("kept", "P203"))
    assert uncovered(cases, ["P201", "P203", "P999"]) == [
        "P201: no passing case", "P203: no failing case", "P999: no failing case", "P999: no passing case"]


def test_cases_name_known_codes_and_unique_ids_and_failing_lines_carry_their_code() -> None:
    ids = [f"{case.code}-{case.id}" for case in CASES]
    assert sorted(set(ids)) == sorted(ids)
    assert [case.id for case in CASES if case.code not in RULES] == []
    level = {code: rule.level for code, rule in RULES.items()}
    assert [line for case in CASES for line in case.expected if f": {level[case.code]} {case.code}: " not in line] == []


def test_the_minimal_library_gives_no_diagnostic_at_all(tmp_path: Path) -> None:
    status, out, _err = run("check", "--as-of", "2026-06-01", str(write_library(tmp_path)))
    assert (status, out.splitlines()[:-1]) == (0, [])


def test_an_edit_that_matches_nothing_is_refused() -> None:
    with pytest.raises(AssertionError, match="occurs 0 times"):
        apply((("a.yaml", "absent", "x"),), {"a.yaml": "present"})
