"""What a site build renders once and shows on several pages: dose tables, timeline figures, references."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from helpers import VERSION, write_library

from generator.load.library import load_library
from generator.render import dose_tables, protocol_page
from generator.render import page_prose as render_prose
from generator.render.families import render_site

SAMPLE_LIBRARY = Path(__file__).resolve().parent.parent / "protocols"
AS_OF = dt.date(2026, 6, 1)


def _counting(monkeypatch: pytest.MonkeyPatch, module: Any, name: str, key: Any) -> Counter[Any]:
    calls: Counter[Any] = Counter()
    original = getattr(module, name)

    def counted(*args: Any, **named: Any) -> Any:
        calls[key(*args)] += 1
        return original(*args, **named)

    monkeypatch.setattr(module, name, counted)
    return calls


def test_each_dose_table_figure_and_reference_is_rendered_once_per_build(monkeypatch: pytest.MonkeyPatch) -> None:
    library = load_library(SAMPLE_LIBRARY)
    first = render_site(library, AS_OF, reviewer=True)  # a cache outlives no build: the next one renders afresh
    tables = _counting(monkeypatch, protocol_page, "render_dose_tables",
                       lambda pid, doc, drugs, cache: (pid, doc.version))
    figures = _counting(monkeypatch, protocol_page, "render_schedule_svg",
                        lambda pid, phases: (pid, tuple(phase.model_dump_json() for phase in phases)))
    references = _counting(monkeypatch, render_prose, "reference_page_html", lambda reference: id(reference))
    pages = render_site(library, AS_OF, reviewer=True)
    assert pages == first
    assert tables and set(tables.values()) == {1}
    assert figures and set(figures.values()) == {1}  # once per protocol and schedule, whatever the versions
    assert references and set(references.values()) == {1}
    # shared by the canonical page, the version's own page and a handbook's print view
    shown = sum(page.count('class="pc-dose-table"') for page in pages.values())
    assert shown > len(tables)


def test_versions_with_the_same_phases_share_one_timeline_figure(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    second = VERSION.replace('version: "1.0"', 'version: "1.1"').replace("changes: []", "changes: [Wording.]")
    third = second.replace('version: "1.1"', 'version: "1.2"').replace("length: 2 weeks", "length: 3 weeks")
    third = third.replace("doses: 6", "doses: 9")
    root = write_library(tmp_path, {"ketamine-trd/1.1.yaml": second, "ketamine-trd/1.2.yaml": third})
    library = load_library(root)
    figures = _counting(monkeypatch, protocol_page, "render_schedule_svg", lambda pid, phases: phases[0].doses)
    pages = render_site(library, AS_OF, reviewer=True)
    assert dict(figures) == {6: 1, 9: 1}  # 1.0 and 1.1 share one figure; 1.2 has its own
    figure = pages["protocols/ketamine-trd/1.0/index.md"].split('<figure class="pc-schedule"')[1].split("</figure>")[0]
    assert figure in pages["protocols/ketamine-trd/1.1/index.md"]
    assert figure not in pages["protocols/ketamine-trd/1.2/index.md"]


def test_tables_computed_from_the_same_numbers_share_their_rows(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    second = VERSION.replace('version: "1.0"', 'version: "1.1"').replace("changes: []", "changes: [Wording.]")
    third = second.replace('version: "1.1"', 'version: "1.2"').replace("dose: 0.5 mg/kg", "dose: 0.6 mg/kg")
    root = write_library(tmp_path, {"ketamine-trd/1.1.yaml": second, "ketamine-trd/1.2.yaml": third})
    library = load_library(root)
    computed = _counting(monkeypatch, dose_tables.dosing, "table_rows", lambda regimen, *rest: regimen.dose.text)
    pages = render_site(library, AS_OF, reviewer=True)
    assert dict(computed) == {"0.5 mg/kg": 1, "0.6 mg/kg": 1}  # 1.0 and 1.1 share; 1.2 has its own
    body = {version: pages[f"protocols/ketamine-trd/{version}/index.md"].split("<tbody>")[1].split("</tbody>")[0]
            for version in ("1.0", "1.1", "1.2")}
    assert body["1.0"] == body["1.1"] != body["1.2"]
    # each table still names its own version for the calculator
    assert '&#34;version&#34;:&#34;1.1&#34;' in pages["protocols/ketamine-trd/1.1/index.md"]
