"""The performance targets of issue 8, each a ratio measured in one run on one machine."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

GENERATOR_SHARE_AT, GENERATOR_SHARE_LIMIT = 300, 0.10
LINEAR_SMALL, LINEAR_LARGE, LINEAR_LIMIT = 100, 1000, 11.0
CHECK_VS_YAML_LIMIT = 4.0
MEMORY_AT, MEMORY_LIMIT_MB = 1000, 500.0
# A clinician's first search on a cold page at N = 1,000 (benchmarks/search.py): Material's search fetched
# 13.2 MB and answered in 3.5 s (shared/engine-facts.md).
SEARCH_AT, SEARCH_BYTES_LIMIT_MB, SEARCH_MS_LIMIT = 1000, 1.0, 500.0


class Sized(Protocol):
    n: int
    yaml_s: float
    check_s: float
    yaml_cpu_s: float
    check_cpu_s: float
    build_s: float | None
    build_cpu_s: float | None
    build_peak_mb: float | None
    stages: dict[str, float]
    share_ratios: list[float]

    @property
    def generator_s(self) -> float | None: ...


@dataclass(frozen=True)
class TargetResult:
    name: str
    value: float | None  # None: not measured in this run
    limit: float
    detail: str

    @property
    def passed(self) -> bool | None:
        return None if self.value is None else self.value <= self.limit


def _at(results: Sequence[Sized], n: int) -> Sized | None:
    return next((r for r in results if r.n == n), None)


def evaluate_targets(results: Sequence[Sized]) -> list[TargetResult]:
    targets = []

    share_name = f"generator (load+check+render) / engine at N={GENERATOR_SHARE_AT}"
    at = _at(results, GENERATOR_SHARE_AT)
    if at is not None and at.generator_s is not None and at.stages.get("engine"):
        engine = at.stages["engine"]
        detail = f"{at.generator_s:.2f} s / {engine:.2f} s"
        if len(at.share_ratios) > 1:
            shown = ", ".join(f"{ratio:.3f}" for ratio in at.share_ratios)
            detail += f" (median of {len(at.share_ratios)} builds: {shown})"
        targets.append(TargetResult(share_name, at.generator_s / engine, GENERATOR_SHARE_LIMIT, detail))
    else:
        targets.append(
            TargetResult(share_name, None, GENERATOR_SHARE_LIMIT, f"needs a build at N={GENERATOR_SHARE_AT}")
        )

    # Whole-process ratios are judged on CPU time: on a shared machine wall time mostly measures the neighbours.
    linear_name = f"build N={LINEAR_LARGE} / build N={LINEAR_SMALL}, CPU time"
    small, large = _at(results, LINEAR_SMALL), _at(results, LINEAR_LARGE)
    if small is not None and large is not None and small.build_cpu_s and large.build_cpu_s is not None:
        detail = f"{large.build_cpu_s:.1f} s / {small.build_cpu_s:.1f} s"
        if large.build_s is not None and small.build_s:
            detail += f"; wall {large.build_s:.1f} s / {small.build_s:.1f} s = {large.build_s / small.build_s:.3g}"
        targets.append(TargetResult(linear_name, large.build_cpu_s / small.build_cpu_s, LINEAR_LIMIT, detail))
    else:
        detail = f"needs builds at N={LINEAR_SMALL} and N={LINEAR_LARGE}"
        targets.append(TargetResult(linear_name, None, LINEAR_LIMIT, detail))

    for r in results:
        detail = (
            f"{r.check_cpu_s:.2f} s / {r.yaml_cpu_s:.2f} s; wall {r.check_s:.2f} s / {r.yaml_s:.2f} s"
            f" = {r.check_s / r.yaml_s:.3g}"
        )
        name = f"check / bare YAML load at N={r.n}, CPU time"
        targets.append(TargetResult(name, r.check_cpu_s / r.yaml_cpu_s, CHECK_VS_YAML_LIMIT, detail))

    memory_name = f"build peak memory at N={MEMORY_AT} (MB)"
    at = _at(results, MEMORY_AT)
    if at is not None and at.build_peak_mb is not None:
        targets.append(TargetResult(memory_name, at.build_peak_mb, MEMORY_LIMIT_MB, f"{at.build_peak_mb:.0f} MB"))
    else:
        targets.append(TargetResult(memory_name, None, MEMORY_LIMIT_MB, f"needs a build at N={MEMORY_AT}"))
    return targets


class SearchFigures(Protocol):
    total_bytes: int
    ms_to_first_result: float


def search_targets(measured: Mapping[int, SearchFigures]) -> list[TargetResult]:
    """The two search targets at SEARCH_AT from benchmarks/search.py's median run there, if it ran."""
    bytes_name = f"search: MB downloaded before the first result at N={SEARCH_AT}"
    time_name = f"search: ms from typing to the first result at N={SEARCH_AT}"
    at = measured.get(SEARCH_AT)
    if at is None:
        needs = f"needs `--search` with a build at N={SEARCH_AT}"
        return [TargetResult(bytes_name, None, SEARCH_BYTES_LIMIT_MB, needs),
                TargetResult(time_name, None, SEARCH_MS_LIMIT, needs)]
    megabytes = at.total_bytes / 1e6
    return [
        TargetResult(bytes_name, megabytes, SEARCH_BYTES_LIMIT_MB, f"{megabytes:.3f} MB (Material: 13.2 MB)"),
        TargetResult(time_name, at.ms_to_first_result, SEARCH_MS_LIMIT,
                     f"{at.ms_to_first_result:.0f} ms (Material: 3,500 ms)"),
    ]


def format_targets(targets: Sequence[TargetResult]) -> str:
    lines = ["| target | measured | value | limit | result |", "|---|---|---:|---:|---|"]
    for t in targets:
        value = "-" if t.value is None else f"{t.value:.3g}"
        verdict = {True: "PASS", False: "FAIL", None: "not measured"}[t.passed]
        limit = f"{t.limit:g}"
        lines.append(f"| {t.name} | {t.detail} | {value} | {limit} | {verdict} |")
    return "\n".join(lines)
