"""The "What's new" page: each entry's dose changes say what the diff page and the dashboard say, a phase's
regimen named by drug and route (approvals.diff's one label), never by the regimen's id."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from helpers import VERSION, shown_body, write_library

from generator.load.library import load_library
from generator.render.families import render_site
from generator.render.whats_new import PAGE

APPROVED = VERSION.replace("status: draft", "status: approved\neffective: 2026-01-01")
MOVED = (
    VERSION.replace('version: "1.0"', 'version: "1.1"')
    .replace("    regimen: ketamine-iv\n", "    regimen: ketamine-im\n")
    .replace("    cite: [phillips-2019]\n", "    cite: [phillips-2019]\n  - id: ketamine-im\n    drug: ketamine\n"
             "    route: IM\n    dose: 0.5 mg/kg\n    dose_range: {min: 0.1 mg/kg, max: 0.75 mg/kg}\n")
)


def test_a_phase_moved_to_another_regimen_is_named_by_drug_and_route(tmp_path: Path) -> None:
    assert MOVED.count("ketamine-im") == 2
    library = load_library(write_library(tmp_path, {"ketamine-trd/1.0.yaml": APPROVED,
                                                    "ketamine-trd/1.1.yaml": MOVED}), "protocols")
    assert library.diagnostics == []
    pages = render_site(library, dt.date(2026, 3, 10), reviewer=True)
    whats_new = shown_body(pages, PAGE)
    assert "phase induction, regimen: ketamine IV changed to ketamine IM" in whats_new
    assert "regimen ketamine-im added: ketamine 0.5 mg/kg IM" in whats_new
    assert "ketamine-iv changed" not in whats_new and "to ketamine-im" not in whats_new
    assert "phase induction regimen: ketamine IV to ketamine IM" in shown_body(pages, "review/index.md")
    diff = shown_body(pages, "protocols/ketamine-trd/1.1/diff/index.md")
    assert "<del>ketamine IV</del> → <ins>ketamine IM</ins>" in diff
