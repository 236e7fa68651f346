"""The benchmark's targets (benchmarks/targets.py) and the measurements they judge: the stage CPU times the
build prints, the bare Material baseline (bare_material.py), the old main beside this tree (old_main.py)
and the optional search/preview hooks (hooks.py)."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from generator.commands.build import StageTimer

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


def _module(name: str) -> ModuleType:
    with pytest.MonkeyPatch.context() as patch:
        patch.syspath_prepend(str(BENCHMARKS))
        return importlib.import_module(name)


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    return _module("run")


def _size(bench: ModuleType, n: int, **figures: Any) -> Any:
    result = bench.SizeResult(n, yaml_s=1.0, check_s=3.0, yaml_cpu_s=1.0, check_cpu_s=3.0)
    for name, value in figures.items():
        setattr(result, name, value)
    return result


def test_the_benchmark_reads_the_stage_cpu_times_the_build_prints(bench: ModuleType) -> None:
    timer = StageTimer()
    timer.seconds.update({"load": 0.25, "check": 1.5, "render": 2.0, "engine": 12.75})
    timer.cpu_seconds.update({"load": 0.2, "check": 1.25, "render": 1.75, "engine": 6.5})
    out = f"built the site into site (5,084 pages, as of 2026-06-01)\n{timer.format()}\n"
    assert bench.parse_timings(out) == {"load": 0.25, "check": 1.5, "render": 2.0, "engine": 12.75}
    assert bench.parse_cpu_timings(out) == {"load": 0.2, "check": 1.25, "render": 1.75, "engine": 6.5}
    old = "timings: load 0.16 s, check 1.28 s, render 1.25 s, engine 22.22 s, total 24.90 s; peak memory 72.0 MB"
    assert bench.parse_cpu_timings(old) == {}, "an older generator prints no CPU times"
    assert bench.parse_page_count("built the site into /tmp/x (184 pages, as of 2026-06-01)\n") == 184
    assert bench.parse_page_count("built the reviewer site into s (7 pages, as of 2026-06-01)") == 7
    assert bench.parse_page_count("built the site\n") is None


def test_every_target_is_a_ratio_against_its_limit(bench: ModuleType) -> None:
    small = _size(bench, 100, build_s=10.0, build_cpu_s=8.0, build_peak_mb=100.0)
    middle = _size(bench, 300, check_cpu_s=4.5, stages={"load": 0.5, "check": 1.0, "render": 1.5, "engine": 20.0},
                   stage_cpu={"engine": 12.0}, pages=1000, bare_s=5.0, bare_cpu_s=4.0, bare_pages=1000)
    large = _size(bench, 1000, build_s=100.0, build_cpu_s=96.0, build_peak_mb=600.0, pages=5000,
                  stages={"engine": 80.0}, stage_cpu={"engine": 60.0}, bare_s=25.0, bare_cpu_s=50.0,
                  bare_pages=5000, bare_search_cpu_s=75.0, old_build_s=260.0, old_build_cpu_s=240.0,
                  old_build_peak_mb=450.0)
    targets = {t.name: (round(t.value, 3) if t.value is not None else None, t.verdict)
               for t in bench.evaluate_targets([small, middle, large], "70a969f")}
    assert targets == {
        "check / bare YAML load at N=100, CPU time": (3.0, "PASS"),
        "check / bare YAML load at N=300, CPU time": (4.5, "FAIL"),
        "check / bare YAML load at N=1000, CPU time": (3.0, "PASS"),
        "engine per page / bare Material per page at N=300, CPU time": (3.0, "FAIL"),  # 12 ms / 4 ms
        "engine per page / bare Material per page at N=1000, CPU time": (1.2, "PASS"),  # 12 ms / 10 ms
        "engine per page / bare Material with its search plugin per page at N=1000, CPU time (information: the "
        "judged baseline has no search)": (0.8, "info"),  # 12 ms / 15 ms
        "build / old main (70a969f) build at N=1000, CPU time": (0.4, "PASS"),
        "build peak memory at N=1000 (MB)": (600.0, "FAIL"),
        "build N=1000 / build N=100, CPU time": (12.0, "FAIL"),
        "build peak memory N=1000 / N=100": (6.0, "PASS"),
        "generator (load+check+render) / engine at N=300 (issue 8's target 0.1, retired)": (0.15, "info"),
    }


def test_targets_without_their_sizes_are_not_measured(bench: ModuleType) -> None:
    only = _size(bench, 50, build_s=5.0, build_cpu_s=4.0, build_peak_mb=80.0, pages=400, stages={"engine": 3.0},
                 stage_cpu={"engine": 2.0}, bare_s=1.0, bare_cpu_s=1.0, bare_pages=400, old_build_cpu_s=8.0)
    verdicts = {t.name: t.verdict for t in bench.evaluate_targets([only], "abc1234")}
    assert verdicts == {
        "check / bare YAML load at N=50, CPU time": "PASS",
        "engine per page / bare Material per page at N=50, CPU time": "info",  # judged at N=300 and 1,000 only
        "engine per page / bare Material per page at N=300, CPU time": "not measured",
        "engine per page / bare Material per page at N=1000, CPU time": "not measured",
        "build / old main (abc1234) build at N=50, CPU time": "FAIL",  # 4 s / 8 s = 0.5
        "build / old main (abc1234) build at N=1000, CPU time": "not measured",
        "build peak memory at N=1000 (MB)": "not measured",
        "build N=1000 / build N=100, CPU time": "not measured",
        "build peak memory N=1000 / N=100": "not measured",
        "generator (load+check+render) / engine at N=300 (issue 8's target 0.1, retired)": "not measured",
    }


def test_a_bare_build_with_other_page_counts_says_so(bench: ModuleType) -> None:
    at = _size(bench, 300, pages=1000, stages={"engine": 10.0}, stage_cpu={"engine": 8.0}, bare_s=4.0,
               bare_cpu_s=4.0, bare_pages=990)
    target = next(t for t in bench.evaluate_targets([at]) if t.name.startswith("engine") and t.value is not None)
    assert target.detail.endswith("; page counts differ (1000 built, 990 found in the site)")


def test_the_bare_site_has_the_built_sites_pages_and_navigation(tmp_path: Path) -> None:
    bare = _module("bare_material")
    site = tmp_path / "site"
    for page in ["index.html", "drugs/index.html", "protocols/a/index.html", "protocols/a/1.0/index.html",
                 "handbooks/h/index.html", "assets/javascripts/index.html", "404.html"]:
        (site / page).parent.mkdir(parents=True, exist_ok=True)
        (site / page).write_text("<html></html>", encoding="utf-8")
    assert bare.page_paths(site) == ["drugs/index.md", "handbooks/h/index.md", "index.md",
                                     "protocols/a/1.0/index.md", "protocols/a/index.md"]
    completed = subprocess.run([sys.executable, str(BENCHMARKS / "bare_material.py"), str(site), str(tmp_path / "b")],
                               capture_output=True, text=True, check=False)
    assert completed.returncode == 0, completed.stderr
    found = json.loads(completed.stdout)
    assert (found["pages"], found["in_navigation"]) == (5, 3)  # home, drug index, handbook: the generator's rule
    assert found["cpu_seconds"] > 0 and found["seconds"] > 0
    built = tmp_path / "b" / "site"
    assert (built / "protocols/a/1.0/index.html").is_file()
    home = (built / "index.html").read_text(encoding="utf-8")
    assert 'href="handbooks/h/"' in home and 'href="protocols/a/"' not in home
    assert not (built / "search").exists()
    with_search = subprocess.run([sys.executable, str(BENCHMARKS / "bare_material.py"), str(site),
                                  str(tmp_path / "s"), "--search"], capture_output=True, text=True, check=False)
    assert with_search.returncode == 0, with_search.stderr
    index = json.loads((tmp_path / "s" / "site" / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert sorted({doc["location"].split("#")[0] for doc in index["docs"]}) == [
        "", "drugs/", "handbooks/h/", "protocols/a/", "protocols/a/1.0/"]


def test_the_old_main_is_imported_from_its_own_folder_or_refused(tmp_path: Path) -> None:
    old_main = _module("old_main")
    with pytest.raises(old_main.OldMainError, match="imported code from outside"):
        old_main.prove(tmp_path)  # nothing there: the child would import this tree's generator
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "file").write_text("x", encoding="utf-8")
    with pytest.raises(old_main.OldMainError, match="is not empty"):
        old_main.prepare(tmp_path / "busy")
    with pytest.raises(old_main.OldMainError, match="rev-parse"):
        old_main.prepare(tmp_path / "nowhere", "no-such-commit-0000")


def test_the_old_main_is_unpacked_and_proved(tmp_path: Path) -> None:
    old_main = _module("old_main")
    old = old_main.prepare(tmp_path / "old")
    assert old.commit.startswith(old_main.OLD_MAIN_REV)
    assert old.proof.startswith(f"generator from {tmp_path / 'old' / 'site-packages' / 'generator'}")
    assert not (old.site_packages / "generator" / "text_scan.py").exists(), "a module this tree added"


def test_hooks_report_a_missing_module_or_function_and_pass_on_figures(tmp_path: Path) -> None:
    hooks = _module("hooks")
    assert hooks.run_hook("search", 10, tmp_path, folder=tmp_path).problem == "benchmarks/search.py does not exist"
    (tmp_path / "search.py").write_text("def measure_site(site): return 1\n", encoding="utf-8")
    assert hooks.run_hook("search", 10, tmp_path, folder=tmp_path).problem == (
        "benchmarks/search.py has no measure(n: int, workdir: Path) -> dict")
    (tmp_path / "preview.py").write_text(
        "def measure(n, workdir):\n"
        "    return {'lines': [f'N={n}: 1.2 s in {workdir.name}'],\n"
        "            'targets': [{'name': 'preview at N=%d' % n, 'value': 1.2, 'limit': 3.0, 'detail': '1.2 s'}]}\n",
        encoding="utf-8")
    found = hooks.run_hook("preview", 10, tmp_path / "n10", folder=tmp_path)
    assert (found.problem, found.lines) == ("", ["N=10: 1.2 s in n10"])
    assert found.targets == [{"name": "preview at N=10", "value": 1.2, "limit": 3.0, "detail": "1.2 s"}]
    (tmp_path / "preview.py").write_text("def measure(n, workdir):\n    raise OSError('no port')\n", encoding="utf-8")
    failed = hooks.run_hook("preview", 10, tmp_path, folder=tmp_path)
    assert failed.problem == "preview.measure failed: OSError: no port"


SEARCH_TODAY = '''
from dataclasses import dataclass

@dataclass
class Run:
    total_bytes: int
    ms_to_first_result: float

def default_query(site):
    return "alpha"

def measure_site(site, query, repeat):
    runs = [Run(900_000, 420.0), Run(910_000, 380.0), Run(905_000, 610.0)]
    return runs[0], runs

def describe(n, site, median, runs, query):
    return f"search at N={n} in {site.name} for {query}:\\n  {median.total_bytes} bytes"
'''

PREVIEW_TODAY = '''
from dataclasses import dataclass, field

@dataclass
class Result:
    n: int
    median_s: float | None
    edits_s: list = field(default_factory=list)
    problems: list = field(default_factory=list)

def bench_preview(n, workdir, edits, seed):
    return Result(n, 2.5, [2.4, 2.5, 2.9]) if workdir.name == "preview" else Result(n, None, [], ["wrong folder"])

def format_results(results):
    return "\\n".join(f"| {r.n} | {r.median_s} |" for r in results)
'''


def test_hooks_adapt_what_search_and_preview_measure_today(tmp_path: Path) -> None:
    """Before the modules define measure(n, workdir), their own functions are called, and issue 15's goals
    (under 1 MB and 500 ms to a first search result, a saved edit shown within 3 s) judged at N=1000."""
    hooks = _module("hooks")
    (tmp_path / "search.py").write_text(SEARCH_TODAY, encoding="utf-8")
    (tmp_path / "preview.py").write_text(PREVIEW_TODAY, encoding="utf-8")
    small = hooks.run_hook("search", 100, tmp_path / "n100", folder=tmp_path)
    assert (small.problem, small.lines, small.targets) == ("", ["search at N=100 in site for alpha:",
                                                                 "  900000 bytes"], [])
    large = hooks.run_hook("search", 1000, tmp_path / "n1000", folder=tmp_path)
    assert [(t["name"], t["value"], t["limit"]) for t in large.targets] == [
        ("search: MB downloaded before the first result at N=1000", 0.9, 1.0),
        ("search: ms from typing to the first result at N=1000", 420.0, 500.0),
    ]
    preview = hooks.run_hook("preview", 1000, tmp_path / "n1000", folder=tmp_path)
    assert (preview.problem, preview.lines) == ("", ["| 1000 | 2.5 |"])
    assert [(t["name"], t["value"], t["limit"], t["detail"]) for t in preview.targets] == [
        ("preview: save to page shown at N=1000 (s)", 2.5, 3.0, "median of 3 edits")]
