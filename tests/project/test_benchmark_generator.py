"""The synthetic benchmark library (benchmarks/synthetic.py) is valid to the format and deterministic."""

from __future__ import annotations

import hashlib
import importlib
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml
from helpers import run

from generator.approvals import signoffs, versions
from generator.dosing import dose_engine as dosing
from generator.load.library import load_library

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


@pytest.fixture(scope="module")
def synthetic() -> ModuleType:
    with pytest.MonkeyPatch.context() as patch:
        patch.syspath_prepend(str(BENCHMARKS))
        return importlib.import_module("synthetic")


@pytest.fixture(scope="module")
def library(synthetic: ModuleType, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("synthetic") / "protocols"
    assert synthetic.generate_library(root, 8, seed=0) == 4 + 8 * 4
    return root


def _files(root: Path) -> dict[str, bytes]:
    return {str(path.relative_to(root)): path.read_bytes() for path in sorted(root.rglob("*.yaml"))}


def _load(path: Path) -> Any:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)


def test_clinician_check_passes_with_no_diagnostic(library: Path) -> None:
    status, out, err = run("check", "--as-of", "2026-06-01", str(library))
    assert (status, out, err) == (0, "0 errors, 0 warnings in 36 files\n", "")


def test_reviewer_check_passes_with_no_diagnostic(library: Path) -> None:
    status, out, err = run("check", "--reviewer", "--as-of", "2026-06-01", str(library))
    assert (status, out, err) == (0, "0 errors, 0 warnings in 36 files\n", "")


def test_same_seed_same_bytes_other_seed_other_bytes(synthetic: ModuleType, library: Path, tmp_path: Path) -> None:
    synthetic.generate_library(tmp_path / "again", 8, seed=0)
    synthetic.generate_library(tmp_path / "other", 8, seed=1)
    assert _files(tmp_path / "again") == _files(library)
    assert _files(tmp_path / "other") != _files(library)


def test_without_ledgers_the_same_files_but_the_ledgers(synthetic: ModuleType, library: Path, tmp_path: Path) -> None:
    assert synthetic.generate_library(tmp_path / "texts", 8, seed=0, ledgers=False) == 4 + 8 * 3
    with_ledgers = _files(library)
    assert _files(tmp_path / "texts") == {name: data for name, data in with_ledgers.items()
                                          if not name.endswith("/approvals.yaml")}
    assert len(with_ledgers) == 4 + 8 * 4


def test_every_protocol_has_superseded_current_and_unpublished_versions(library: Path) -> None:
    protocols = sorted(path for path in library.iterdir() if not path.name.startswith("_"))
    assert len(protocols) == 8
    for folder in protocols:
        assert sorted(p.name for p in folder.iterdir()) == ["1.0.yaml", "1.1.yaml", "1.2.yaml", "approvals.yaml"]
        statuses = [_load(folder / f"1.{minor}.yaml")["status"] for minor in range(3)]
        assert statuses[:2] == ["approved", "approved"]
        assert statuses[2] in ("draft", "in-review")


def test_approvals_carry_the_fingerprint_of_the_file_and_a_signature_that_verifies(library: Path) -> None:
    loaded = load_library(library)
    folder = next(path for path in sorted(library.iterdir()) if not path.name.startswith("_"))
    protocol = loaded.protocols[folder.name]
    ledger = _load(folder / "approvals.yaml")
    for version in ("1.0", "1.1"):
        doc = _load(folder / f"{version}.yaml")
        del doc["status"]
        doc["effective"] = doc["effective"].isoformat()
        drugs_yaml = _load(library / "_library" / "drugs.yaml")
        references_yaml = _load(library / "_library" / "references.yaml")
        scope = {
            "version": doc,
            "drugs": {r["drug"]: drugs_yaml[r["drug"]] for r in doc["regimens"]},
            "references": {ref: references_yaml[ref]
                           for ref in versions.cited_references(protocol.versions[version].doc)},
        }
        payload = json.dumps(scope, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        expected = "sha256:" + hashlib.sha256(payload).hexdigest()
        assert versions.version_fingerprint(protocol.versions[version], loaded) == expected
        signed = [entry for entry in ledger if entry["version"] == version]
        assert sorted(entry["role"] for entry in signed) == ["pharmacist", "psychiatrist"]
        assert {entry["fingerprint"] for entry in signed} == {expected}
    assert all(signoff.counts and signoff.key is not None
               for signoff in signoffs.ledger(protocol, loaded).signoffs)


def test_every_changed_regimen_is_named_in_changes(library: Path) -> None:
    for folder in sorted(path for path in library.iterdir() if not path.name.startswith("_")):
        docs = [_load(folder / f"1.{minor}.yaml") for minor in range(3)]
        for before, after in zip(docs, docs[1:], strict=False):
            changed = [
                new["id"]
                for old, new in zip(before["regimens"], after["regimens"], strict=True)
                if {k: v for k, v in old.items() if k not in ("cite", "notes")}
                != {k: v for k, v in new.items() if k not in ("cite", "notes")}
            ]
            assert changed, f"{folder.name} {after['version']} changes no regimen"
            for regimen_id in changed:
                assert any(regimen_id in line for line in after["changes"]), (folder.name, regimen_id)


def test_every_dose_family_appears(library: Path) -> None:
    units = {_load(path)["regimens"][0]["dose"].split(" ")[1] for path in library.glob("*/1.0.yaml")}
    assert units == {"mg/kg", "mcg/kg", "units/kg", "mg/kg/h", "mcg/kg/min", "units/kg/h", "mg", "units"}


def test_every_dose_table_row_computes(library: Path) -> None:
    rows = 0
    for protocol in load_library(library, "protocols").protocols.values():
        for version in protocol.ordered():
            regimens = {regimen.id: regimen for regimen in version.doc.regimens}
            for table in version.doc.dose_tables:
                weights = table.weights
                table_rows = dosing.table_rows(
                    regimens[table.regimen], weights.from_, weights.to, weights.step, version.id, version.version
                )
                assert table_rows[0]["capped"] is False  # P203: a cap is never below the lowest weight
                rows += len(table_rows)
    assert rows > 0


@pytest.fixture(scope="module")
def bench_run() -> ModuleType:
    with pytest.MonkeyPatch.context() as patch:
        patch.syspath_prepend(str(BENCHMARKS))
        return importlib.import_module("run")


def test_the_benchmark_reads_the_stage_times_the_build_prints(bench_run: ModuleType) -> None:
    from generator.commands.build import StageTimer

    timer = StageTimer()
    timer.seconds.update({"load": 0.25, "check": 1.5, "render": 2.0, "engine": 12.75})
    line = timer.format()
    assert bench_run.parse_timings(f"built the site into site (5 pages, as of 2026-06-01)\n{line}\n") == {
        "load": 0.25,
        "check": 1.5,
        "render": 2.0,
        "engine": 12.75,
    }
    assert bench_run.parse_timings("built the site\n") == {}


def test_the_share_target_takes_the_build_with_the_median_ratio(bench_run: ModuleType) -> None:
    def build(load: float, engine: float) -> tuple[Any, dict[str, float]]:
        run = bench_run.Measurement(load + engine, load + engine, 100.0, 0, "", "")
        return run, {"load": load, "check": 0.5, "render": 0.5, "engine": engine}

    runs = [build(1.0, 20.0), build(3.0, 20.0), build(1.0, 25.0)]  # ratios 0.1, 0.2, 0.08
    run, stages, ratios = bench_run.median_build(runs)
    assert run is runs[0][0] and stages == runs[0][1]
    assert [round(ratio, 3) for ratio in ratios] == [0.08, 0.1, 0.2]
    middle = bench_run.SizeResult(300, yaml_s=1.0, check_s=2.0, yaml_cpu_s=1.0, check_cpu_s=2.0)
    middle.stages, middle.share_ratios = stages, ratios
    target = next(t for t in bench_run.evaluate_targets([middle]) if t.name.startswith("generator "))
    assert (target.value, target.limit, target.passed, target.verdict) == (0.1, None, None, "info")
    assert target.detail == "2.00 s / 20.00 s (median of 3 builds: 0.080, 0.100, 0.200)"
