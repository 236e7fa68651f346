"""Optional measurements that live in their own modules (benchmarks/search.py, benchmarks/preview.py),
run by `benchmarks/run.py --search` / `--preview` when the module exists.

The contract a module keeps: a function

    measure(n: int, workdir: Path) -> dict

called once per size N after run.py has measured that size, with `workdir` holding `protocols/` (the
synthetic library of N protocols) and `site/` (its clinician site, built by this tree). It may add files
to `workdir` and edit the library (run.py has finished with it). It returns:

    {"lines": [str, ...],                       # printed as they are, under the module's own heading
     "targets": [{"name": str, "value": float | None, "limit": float, "detail": str}, ...]}   # optional

A target's value at or under its limit passes; None is "not measured". A missing module or function is
reported as a problem of the run, not ignored, when its flag was given.

Until a module defines `measure`, the adapters below call what it has today (search.py: `measure_site`,
`default_query`, `describe`; preview.py: `bench_preview`, `format_results`) and judge the goals of
issue 15 at N=1000 (targets.py: SEARCH_*, PREVIEW_*).
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from targets import PREVIEW_AT, PREVIEW_LIMIT_S, SEARCH_AT, SEARCH_BYTES_LIMIT_MB, SEARCH_MS_LIMIT

BENCHMARKS = Path(__file__).resolve().parent
HOOKS = {"search": "first search in headless Chromium", "preview": "save-to-served-page under protocols serve"}


@dataclass
class HookResult:
    name: str
    n: int
    lines: list[str] = field(default_factory=list)
    targets: list[dict[str, Any]] = field(default_factory=list)
    problem: str = ""


Measure = Callable[[int, Path], dict[str, Any]]


def _search_adapter(module: Any) -> Measure | None:
    if not all(callable(getattr(module, f, None)) for f in ("measure_site", "default_query", "describe")):
        return None

    def measure(n: int, workdir: Path) -> dict[str, Any]:
        site = workdir / "site"
        query = module.default_query(site)
        median, runs = module.measure_site(site, query, 3)
        found: dict[str, Any] = {"lines": module.describe(n, site, median, runs, query).splitlines()}
        if n == SEARCH_AT:
            megabytes = median.total_bytes / 1e6
            found["targets"] = [
                {"name": f"search: MB downloaded before the first result at N={n}", "value": megabytes,
                 "limit": SEARCH_BYTES_LIMIT_MB, "detail": f"{megabytes:.3f} MB (Material: 13.2 MB)"},
                {"name": f"search: ms from typing to the first result at N={n}", "value": median.ms_to_first_result,
                 "limit": SEARCH_MS_LIMIT, "detail": f"{median.ms_to_first_result:.0f} ms (Material: 3,500 ms)"},
            ]
        return found

    return measure


def _preview_adapter(module: Any) -> Measure | None:
    if not all(callable(getattr(module, f, None)) for f in ("bench_preview", "format_results")):
        return None

    def measure(n: int, workdir: Path) -> dict[str, Any]:
        result = module.bench_preview(n, workdir / "preview", 3, 0)  # its own library: it edits and serves it
        found: dict[str, Any] = {"lines": [*module.format_results([result]).splitlines(), *result.problems]}
        if n == PREVIEW_AT:
            median = result.median_s
            found["targets"] = [{"name": f"preview: save to page shown at N={n} (s)", "value": median,
                                 "limit": PREVIEW_LIMIT_S,
                                 "detail": "; ".join(result.problems) or f"median of {len(result.edits_s)} edits"}]
        return found

    return measure


ADAPTERS = {"search": _search_adapter, "preview": _preview_adapter}


def find(name: str, folder: Path = BENCHMARKS) -> Measure | str:
    """`measure` of `<folder>/<name>.py`, or why there is none."""
    path = folder / f"{name}.py"
    if not path.exists():
        return f"benchmarks/{name}.py does not exist"
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))  # the module imports its neighbours (synthetic, measure)
    spec = importlib.util.spec_from_file_location(f"benchmark_hook_{name}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # a module's dataclasses look themselves up there while it runs
    spec.loader.exec_module(module)
    measure = getattr(module, "measure", None)
    if callable(measure):
        return measure  # type: ignore[no-any-return]
    adapted = ADAPTERS[name](module) if name in ADAPTERS else None
    if adapted is None:
        return f"benchmarks/{name}.py has no measure(n: int, workdir: Path) -> dict"
    return adapted


def run_hook(name: str, n: int, workdir: Path, folder: Path = BENCHMARKS) -> HookResult:
    result = HookResult(name, n)
    measure = find(name, folder)
    if isinstance(measure, str):
        result.problem = measure
        return result
    try:
        found = measure(n, workdir)
    except Exception as error:  # a measurement failing is reported with the run's other problems
        result.problem = f"{name}.measure failed: {type(error).__name__}: {error}"
        return result
    if not isinstance(found, dict):
        result.problem = f"{name}.measure returned {type(found).__name__}, not a dict"
        return result
    result.lines = [str(line) for line in found.get("lines", [])]
    for target in found.get("targets", []):
        missing = {"name", "value", "limit"} - set(target)
        if missing:
            result.problem = f"{name}.measure returned a target without {', '.join(sorted(missing))}"
            continue
        result.targets.append(target)
    return result
