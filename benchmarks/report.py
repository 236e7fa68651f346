"""The report of a benchmark run (benchmarks/run.py): tables of what was measured, then the targets."""

from __future__ import annotations

import datetime as dt
import os
import platform
from typing import Any

import hooks
import old_main
from synthetic import AS_OF
from targets import GENERATOR_SHARE_AT, TargetResult, format_targets

from generator.commands.build import STAGES  # the stage names `protocols build --timings` prints

SizeResult = Any  # run.SizeResult (run.py imports this module)


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def format_table(results: list[SizeResult]) -> str:
    lines = [
        "| N | files | YAML load (s) | check (s) | generator: load+check+render (s) | engine (s) | build total (s) "
        "| build CPU (s) | build peak memory (MB) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        memory = "-" if r.build_peak_mb is None else f"{r.build_peak_mb:.0f}"
        lines.append(
            f"| {r.n:,} | {r.files:,} | {r.yaml_s:.2f} | {r.check_s:.2f} | {_seconds(r.generator_s)} "
            f"| {_seconds(r.stages.get('engine'))} | {_seconds(r.build_s)} | {_seconds(r.build_cpu_s)} | {memory} |"
        )
    return "\n".join(lines)


def format_stages(results: list[SizeResult]) -> str:
    lines = ["| N | " + " | ".join(f"{stage} (s)" for stage in STAGES) + " |", "|---:|" + "---:|" * len(STAGES)]
    for r in results:
        if r.stages:
            lines.append(f"| {r.n:,} | " + " | ".join(_seconds(r.stages.get(stage)) for stage in STAGES) + " |")
    return "\n".join(lines)


def _per_page_ms(seconds: float | None, pages: int | None) -> str:
    return "-" if seconds is None or not pages else f"{seconds / pages * 1000:.2f}"


def format_engine(results: list[SizeResult]) -> str:
    """The engine stage against a bare Material build of as many pages (wall clock)."""
    lines = ["| N | pages | engine (s) | engine CPU (s) | engine CPU per page (ms) | bare Material (s) "
             "| bare CPU (s) | bare CPU per page (ms) |", "|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        if r.pages is not None:
            engine, engine_cpu = r.stages.get("engine"), r.stage_cpu.get("engine")
            bare = f"{_seconds(r.bare_s)} | {_seconds(r.bare_cpu_s)} | {_per_page_ms(r.bare_cpu_s, r.bare_pages)}"
            lines.append(f"| {r.n:,} | {r.pages:,} | {_seconds(engine)} | {_seconds(engine_cpu)} "
                         f"| {_per_page_ms(engine_cpu, r.pages)} | {bare} |")
    return "\n".join(lines)


def format_old_main(results: list[SizeResult], old: old_main.OldMain) -> str:
    lines = [f"Old main: {old.rev} ({old.commit[:12]}), built by this interpreter with {old.proof}.", "",
             "| N | build (s) | build CPU (s) | peak memory (MB) | old build (s) | old build CPU (s) "
             "| old peak memory (MB) | old stages (s) |", "|---:|---:|---:|---:|---:|---:|---:|---|"]
    for r in results:
        if r.old_build_s is not None:
            stages = ", ".join(f"{stage} {seconds:.2f}" for stage, seconds in r.old_stages.items())
            memory = "-" if r.build_peak_mb is None else f"{r.build_peak_mb:.0f}"
            old_memory = "-" if r.old_build_peak_mb is None else f"{r.old_build_peak_mb:.0f}"
            lines.append(f"| {r.n:,} | {_seconds(r.build_s)} | {_seconds(r.build_cpu_s)} | {memory} "
                         f"| {_seconds(r.old_build_s)} | {_seconds(r.old_build_cpu_s)} | {old_memory} | {stages} |")
    return "\n".join(lines)


def report(results: list[SizeResult], targets: list[TargetResult], dosecalc: list[str], command: str,
           old: old_main.OldMain | None = None, extras: list[hooks.HookResult] | None = None) -> str:
    machine = f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    parts = [
        "# Benchmark results",
        "",
        f"Run {dt.datetime.now(dt.UTC).strftime('%Y-%m-%d %H:%M UTC')} on {machine}, with `{command}`.",
        f"Synthetic libraries (benchmarks/synthetic.py): N protocols of 3 versions each, built as of {AS_OF}.",
        "Times are wall-clock seconds of a fresh process (medians for YAML load and check); stage times come",
        "from `protocols build --timings` (wall clock); peak memory is the build process's maximum resident",
        "set size. Whole-process ratios are judged on CPU time (user + system), which other work on a shared",
        "machine disturbs far less than wall time; the wall-time ratio is shown next to it. At",
        f"N={GENERATOR_SHARE_AT} the site is built several times and the rows show the build with the median",
        "generator/engine ratio.",
        "",
        format_table(results),
        "",
        "Stages of `protocols build --timings`:",
        "",
        format_stages(results),
        "",
        "The engine stage against a bare Material build of the site's pages with placeholder bodies and the",
        "same navigation (benchmarks/bare_material.py), in the same run; judged on CPU time:",
        "",
        format_engine(results),
    ]
    if old is not None:
        parts += ["", "## Against the old main (benchmarks/old_main.py)", "", format_old_main(results, old)]
    parts += ["", "## Targets", "", format_targets(targets)]
    for extra in extras or []:
        if extra.lines:
            parts += ["", f"## {extra.name} at N={extra.n} (benchmarks/{extra.name}.py)", "", "```text",
                      *extra.lines, "```"]
    problems = [f"- N={r.n}: {problem}" for r in results for problem in r.problems]
    problems += [f"- N={e.n}: {e.problem}" for e in extras or [] if e.problem]
    if problems:
        parts += ["", "## Problems", "", *problems]
    if dosecalc:
        parts += ["", "## Dose calculator (benchmarks/bench_dosecalc.py)", "", "```text", *dosecalc, "```"]
    return "\n".join(parts) + "\n"
