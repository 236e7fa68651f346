"""The sample library in protocols/ encodes its sources exactly and passes every check.

The expected values below are copied from /work/shared/source-material (the trial and label
figures), not from the YAML, so a drifted digit in a sample protocol fails here.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.checks import CheckContext, run_checks
from generator.library import load_library

PROTOCOLS = Path(__file__).resolve().parent.parent / "protocols"
DRAFT_MARKER = "DRAFT-ONLY monitoring wording"


def load(relative: str) -> Any:
    return yaml.safe_load((PROTOCOLS / relative).read_text(encoding="utf-8"))


def by_id(items: list[dict[str, Any]], item_id: str) -> dict[str, Any]:
    (found,) = [item for item in items if item["id"] == item_id]
    return found


def spec_fingerprint(doc: dict[str, Any]) -> str:
    """§4, computed independently of the generator: the version without status, the drugs.yaml entries its
    regimens name, the references.yaml entries it cites in cite lists or Markdown ([@id] or [@a; @b])."""

    def plain(value: Any) -> Any:
        if isinstance(value, dict):
            return {key: plain(item) for key, item in value.items()}
        if isinstance(value, list):
            return [plain(item) for item in value]
        if isinstance(value, dt.date):
            return value.strftime("%Y-%m-%d")
        return value

    drugs, references = load("_library/drugs.yaml"), load("_library/references.yaml")
    used = {regimen["drug"] for regimen in doc.get("regimens", [])}
    cited = {ref for item in [*doc.get("regimens", []), *doc.get("phases", [])] for ref in item.get("cite", [])}
    for citation in re.findall(r"\[(@[^\]]*)\]", json.dumps(plain(doc), ensure_ascii=False)):
        cited.update(re.findall(r"@([a-z0-9][a-z0-9-]*)", citation))
    content = plain({
        "version": {key: value for key, value in doc.items() if key != "status"},
        "drugs": {drug: drugs[drug] for drug in used},
        "references": {ref: references[ref] for ref in cited},
    })
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def version_files() -> list[Path]:
    return sorted(path for path in PROTOCOLS.glob("[!_]*/[0-9]*.yaml"))


def test_ketamine_trd_regimen_and_phases_match_the_trials() -> None:
    doc = load("ketamine-trd/1.0.yaml")
    (regimen,) = doc["regimens"]
    assert regimen == regimen | {
        "id": "ketamine-iv",
        "drug": "ketamine",
        "route": "IV",
        "dose": "0.5 mg/kg",
        "dose_range": {"min": "0.1 mg/kg", "max": "0.75 mg/kg"},
        "duration": "40 min",
    }
    assert "max_dose" not in regimen and "concentration" not in regimen
    induction = by_id(doc["phases"], "induction")
    assert (induction["frequency"], induction["length"], induction["doses"]) == ("3 per week", "2 weeks", 6)
    maintenance = by_id(doc["phases"], "maintenance")
    assert maintenance["frequency"] == "1 per week"
    assert "length" not in maintenance and "doses" not in maintenance
    assert doc["dose_tables"] == [
        {"regimen": "ketamine-iv", "weights": {"from": "40 kg", "to": "120 kg", "step": "5 kg"}}
    ]
    assert (doc["status"], doc["effective"]) == ("approved", dt.date(2026, 2, 11))


def test_esketamine_regimen_and_phases_match_the_label() -> None:
    doc = load("esketamine-trd/1.0.yaml")
    (regimen,) = doc["regimens"]
    assert regimen == regimen | {
        "drug": "esketamine",
        "route": "intranasal",
        "dose": "56 mg",
        "options": ["56 mg", "84 mg"],
        "dose_range": {"min": "56 mg", "max": "84 mg"},
        "unit_dose": "28 mg",
    }
    schedule = [(p["frequency"], p.get("length"), p.get("doses")) for p in doc["phases"]]
    assert schedule == [("2 per week", "4 weeks", 8), ("1 per week", "4 weeks", 4), ("every 2 weeks", None, None)]
    assert "dose_tables" not in doc


def test_crps_regimen_matches_schwartzman_2009() -> None:
    doc = load("ketamine-crps/1.0.yaml")
    (regimen,) = doc["regimens"]
    assert (regimen["dose"], regimen["max_dose"], regimen["duration"]) == ("0.35 mg/kg/h", "25 mg/h", "4 h")
    (course,) = doc["phases"]
    assert (course["frequency"], course["length"], course["doses"]) == ("1 per day", "10 days", 10)


def test_only_esketamine_has_a_ceiling_and_midazolam_is_not_in_the_formulary() -> None:
    drugs = load("_library/drugs.yaml")
    assert sorted(drugs) == ["esketamine", "ketamine"]
    assert drugs["esketamine"]["ceiling"] == "84 mg"
    assert "ceiling" not in drugs["ketamine"]


def test_unconfirmed_reference_details_are_left_out() -> None:
    references = load("_library/references.yaml")
    assert "pmid" not in references["sanacora-2017"]
    review = references["ketamine-depression-review-2022"]
    assert review["type"] == "web" and "authors" not in review and "doi" not in review
    assert references["phillips-2019"]["pmid"] == "30922101"
    assert references["cohen-2018"]["doi"] == "10.1097/AAP.0000000000000808"


def test_unsourced_midazolam_dose_is_only_a_verbatim_quote() -> None:
    text = (PROTOCOLS / "ketamine-trd/1.0.yaml").read_text(encoding="utf-8")
    assert text.count("midazolam 0.05 to 0.1 mg/kg") == 1
    assert '{{ "midazolam 0.05 to 0.1 mg/kg" }}' in text


def test_draft_marker_appears_only_in_the_draft() -> None:
    holders = [path.relative_to(PROTOCOLS).as_posix() for path in version_files() if DRAFT_MARKER in path.read_text()]
    assert holders == ["ketamine-trd/1.1.yaml"]
    assert load("ketamine-trd/1.1.yaml")["status"] == "draft"


def test_draft_changes_no_dosing_field() -> None:
    approved, draft = load("ketamine-trd/1.0.yaml"), load("ketamine-trd/1.1.yaml")
    for key in ("regimens", "phases", "dose_tables"):
        assert draft[key] == approved[key]
    assert draft["changes"]


@pytest.mark.parametrize("protocol_id", ["ketamine-trd", "esketamine-trd", "ketamine-crps"])
def test_approvals_carry_the_current_fingerprint(protocol_id: str) -> None:
    doc = load(f"{protocol_id}/1.0.yaml")
    approvals = load(f"{protocol_id}/approvals.yaml")
    assert {entry["role"] for entry in approvals} >= {"pharmacist", "psychiatrist"}
    for entry in approvals:
        assert entry["fingerprint"] == spec_fingerprint(doc)
        assert entry["date"] <= doc["effective"]


def test_every_version_file_names_the_editor_schema_first() -> None:
    for path in version_files():
        first_line = path.read_text(encoding="utf-8").splitlines()[0]
        assert first_line == "# yaml-language-server: $schema=../_schema/version.schema.json", path


def test_sample_library_passes_every_check_strictly() -> None:
    library = load_library(PROTOCOLS, "protocols")
    for reviewer in (False, True):
        diagnostics = run_checks(library, CheckContext(as_of=dt.date(2026, 11, 25), reviewer=reviewer))
        assert [d.format_text() for d in diagnostics] == []
