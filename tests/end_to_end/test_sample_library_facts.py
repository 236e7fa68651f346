"""The sample library in protocols/ encodes its sources exactly and passes every check.

The expected values below are copied from /work/shared/source-material (the trial and label
figures), not from the YAML, so a drifted digit in a sample protocol fails here.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import hashlib
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.checks import CheckContext, run_checks
from generator.load.library import load_library

PROTOCOLS = Path(__file__).resolve().parents[2] / "protocols"
DRAFT_MARKER = "DRAFT-ONLY monitoring wording"


def load(relative: str) -> Any:
    """A fresh copy of a sample file's data (parsed once: some 70 tests read the same few files)."""
    return copy.deepcopy(_parsed(relative))


@functools.cache
def _parsed(relative: str) -> Any:
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


def test_the_unsourced_midazolam_dose_appears_in_no_protocol() -> None:
    """clinical-facts.md: no sourced standard premedication dose; the summary's figure must not read as
    an instruction, so no version file states it, quoted or not (the site tests check search too)."""
    for path in version_files():
        text = path.read_text(encoding="utf-8")
        assert "0.05" not in text and "midazolam" not in text.lower(), path


def test_premedication_says_it_is_unconfirmed_and_gives_no_dose() -> None:
    for version in ("1.0", "1.1"):
        section = by_id(load(f"ketamine-trd/{version}.yaml")["sections"], "premedication")
        assert section["title"] == "Premedication (unconfirmed)"
        assert section["body"].startswith("**Unconfirmed, and not part of this protocol.**")
        assert "mg" not in section["body"]


# Sections of ketamine-trd whose statements rest only on the sources the summary page cites but does not
# list (its references 4 to 7): each carries a visible "unconfirmed" mark.
UNLISTED_SOURCE_SECTIONS = {"contraindications": "**Unconfirmed.**", "monitoring": "**Unconfirmed.**",
                            "premedication": "**Unconfirmed, and not part of this protocol.**"}


@pytest.mark.parametrize("version", ["1.0", "1.1"])
def test_statements_on_unlisted_sources_are_marked_unconfirmed(version: str) -> None:
    doc = load(f"ketamine-trd/{version}.yaml")
    for section_id, mark in UNLISTED_SOURCE_SECTIONS.items():
        assert by_id(doc["sections"], section_id)["body"].startswith(mark), section_id
    caveats = by_id(doc["sections"], "caveats")["body"]
    assert "**Long-term safety (unconfirmed).**" in caveats and "**Oral ketamine (unconfirmed)**" in caveats
    assert doc["algorithm"][0].startswith("Screen for contraindications (unconfirmed list")
    assert "unconfirmed" in doc["algorithm"][-1]


@pytest.mark.parametrize("version", ["1.0", "1.1"])
def test_phillips_2019_is_cited_only_for_what_the_trial_reports(version: str) -> None:
    """The summary page credits the 3-to-12-day fade, the doubled response and the assess-after-three advice
    to its guideline references (1, 2), not to the trial; clinical-facts.md lists what Phillips 2019 reports."""
    text = (PROTOCOLS / f"ketamine-trd/{version}.yaml").read_text(encoding="utf-8")
    paragraphs = [" ".join(p.split()) for p in text.split("\n\n")]
    for claim in ("3 to 12", "doubles", "after the third infusion"):
        holders = [p for p in paragraphs if claim in p]
        assert holders, claim
        for paragraph in holders:
            sentence = next(s for s in paragraph.split(". ") if claim in s)
            assert "@phillips-2019" not in sentence, sentence
    assert "in the trial the response rate" not in text


def test_esketamine_lists_the_labels_contraindications() -> None:
    for version in ("1.0", "1.1"):
        body = by_id(load(f"esketamine-trd/{version}.yaml")["sections"], "contraindications")["body"]
        for condition in ("aneurysmal vascular disease", "arteriovenous malformation",
                          "intracerebral haemorrhage", "hypersensitivity to esketamine, to ketamine"):
            assert condition in " ".join(body.split()), condition
        assert "[@spravato-label-us]" in body


def test_esketamine_maintenance_is_every_2_weeks_or_weekly_as_the_label_says() -> None:
    old, new = load("esketamine-trd/1.0.yaml"), load("esketamine-trd/1.1.yaml")
    assert "either every 2 weeks or once per week" in " ".join(by_id(old["phases"], "maintenance")["notes"].split())
    schedule = [(p["id"], p["frequency"], p.get("length")) for p in new["phases"]]
    assert schedule == [("induction", "2 per week", "4 weeks"), ("consolidation", "1 per week", "4 weeks"),
                        ("maintenance", "every 2 weeks", None), ("maintenance-weekly", "1 per week", None)]
    assert new["regimens"] == old["regimens"]  # the same doses: only the schedule gained a phase
    assert "maintenance-weekly" in new["changes"][0]


def test_the_library_has_every_kind_of_version() -> None:
    """Superseded, current, upcoming (after 2026-11-30), retired, draft: each appears on a built page."""
    from generator.approvals.versions import protocol_retired, state

    library = load_library(PROTOCOLS, "protocols")
    states = {(pid, v.version): state(protocol, v, dt.date(2026, 11, 30))
              for pid, protocol in library.protocols.items() for v in protocol.ordered()}
    assert states == {
        ("esketamine-trd", "1.0"): "superseded", ("esketamine-trd", "1.1"): "current",
        ("ketamine-crps", "1.0"): "current", ("ketamine-crps", "1.1"): "upcoming",
        ("ketamine-trd", "1.0"): "current", ("ketamine-trd", "1.1"): "draft",
        ("ketamine-trd-twice-weekly", "1.2"): "retired",
    } | {(pid, v): states[(pid, v)] for pid, v in (("ketamine-trd-twice-weekly", "1.0"),
                                                   ("ketamine-trd-twice-weekly", "1.1"))}  # the protocol is retired
    assert [pid for pid, p in sorted(library.protocols.items()) if protocol_retired(p)] == ["ketamine-trd-twice-weekly"]


def test_retired_protocol_is_singh_2016s_twice_weekly_arm() -> None:
    """1.0 is the trial's dose; 1.1 adds the range that the source summary gives for IV ketamine in
    treatment-resistant depression (the range of ketamine-trd, from the same source); 1.2 retires it."""
    range_of_ketamine_trd = load("ketamine-trd/1.0.yaml")["regimens"][0]["dose_range"]
    for version in ("1.0", "1.1", "1.2"):
        doc = load(f"ketamine-trd-twice-weekly/{version}.yaml")
        (regimen,) = doc["regimens"]
        assert (regimen["dose"], regimen["duration"], regimen["cite"][0]) == ("0.5 mg/kg", "40 min", "singh-2016")
        assert regimen.get("dose_range") == (None if version == "1.0" else range_of_ketamine_trd)
        assert regimen["cite"][1:] == ([] if version == "1.0" else ["ketamine-depression-review-2022"])
        (course,) = doc["phases"]
        assert (course["frequency"], "length" in course) == ("2 per week", False)
    assert range_of_ketamine_trd == {"min": "0.1 mg/kg", "max": "0.75 mg/kg"}
    assert load("ketamine-trd-twice-weekly/1.2.yaml")["status"] == "retired"


def test_draft_marker_appears_only_in_the_draft() -> None:
    holders = [path.relative_to(PROTOCOLS).as_posix() for path in version_files() if DRAFT_MARKER in path.read_text()]
    assert holders == ["ketamine-trd/1.1.yaml"]
    assert load("ketamine-trd/1.1.yaml")["status"] == "draft"


def test_draft_changes_no_dosing_field() -> None:
    approved, draft = load("ketamine-trd/1.0.yaml"), load("ketamine-trd/1.1.yaml")
    for key in ("regimens", "phases", "dose_tables"):
        assert draft[key] == approved[key]
    assert draft["changes"]


@pytest.mark.parametrize("protocol_id",
                         ["ketamine-trd", "esketamine-trd", "ketamine-crps", "ketamine-trd-twice-weekly"])
def test_approvals_carry_the_current_fingerprint(protocol_id: str) -> None:
    approvals = load(f"{protocol_id}/approvals.yaml")
    for version in sorted({entry["version"] for entry in approvals}):
        doc = load(f"{protocol_id}/{version}.yaml")
        entries = [entry for entry in approvals if entry["version"] == version]
        assert {entry["role"] for entry in entries} >= {"pharmacist", "psychiatrist"}
        for entry in entries:
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


def test_the_retired_version_opens_by_saying_do_not_use_it() -> None:
    summary = load("ketamine-trd-twice-weekly/1.2.yaml")["summary"]
    assert summary.startswith("**Retired: do not use this protocol.** Use [[ketamine-trd]] instead.\n")
    assert "give" not in summary  # what it gave, in the past: no instruction
