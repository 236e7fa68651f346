"""Benchmark the generator against its performance targets (what `make bench` runs).

    python benchmarks/run.py [--sizes 100,300,1000 | --quick] [--repeat 3] [--keep DIR] [--results FILE] [--search]

For each size N it writes a synthetic library (benchmarks/synthetic.py) into a temporary folder, then
measures, each in a fresh process (benchmarks/measure.py): bare PyYAML C-loading of every file,
`protocols check`, and `protocols build --timings`. It prints a table and each target as a ratio
against its limit, writes the table to benchmarks/results.md, and exits 1 when a target fails.
With --search, each site built is also searched in headless Chromium (benchmarks/search.py): bytes and
time to the first result on a cold page.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import search
from synthetic import AS_OF, generate_library
from targets import GENERATOR_SHARE_AT, TargetResult, evaluate_targets, format_targets, search_targets

from generator.commands.build import STAGES  # the stage names `protocols build --timings` prints

BENCHMARKS = Path(__file__).resolve().parent
REPOSITORY = BENCHMARKS.parent
DEFAULT_SIZES = (100, 300, 1000)
QUICK_SIZES = (100, 300)
YAML_LOAD = (
    "import pathlib, sys, yaml\n"
    "for path in sorted(pathlib.Path(sys.argv[1]).rglob('*.yaml')):\n"
    "    yaml.load(path.read_text(encoding='utf-8'), Loader=yaml.CSafeLoader)\n"
)
PROTOCOLS = [sys.executable, "-m", "generator.cli"]


@dataclass
class Measurement:
    seconds: float
    cpu_seconds: float
    peak_mb: float
    returncode: int
    stdout: str
    stderr: str


@dataclass
class SizeResult:
    n: int
    files: int = 0
    yaml_s: float = 0.0
    check_s: float = 0.0
    yaml_cpu_s: float = 0.0
    check_cpu_s: float = 0.0
    check_summary: str = ""
    build_s: float | None = None  # wall time of the whole `protocols build` process
    build_cpu_s: float | None = None
    build_peak_mb: float | None = None
    stages: dict[str, float] = field(default_factory=dict)  # from --timings
    # generator / engine of each build at this size, when it was built more than once (the row shows the
    # build with the median ratio)
    share_ratios: list[float] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def generator_s(self) -> float | None:
        return generator_seconds(self.stages)


GENERATOR_STAGES = tuple(stage for stage in STAGES if stage != "engine")


def generator_seconds(stages: dict[str, float]) -> float | None:
    """The generator's own stages of one build's --timings (load + check + render); None if one is missing."""
    if not all(stage in stages for stage in GENERATOR_STAGES):
        return None
    return sum(stages[stage] for stage in GENERATOR_STAGES)


def measure(command: list[str], cwd: Path) -> Measurement:
    """Run `command` under measure.py, a fresh child whose only child is the command."""
    wrapper = [sys.executable, str(BENCHMARKS / "measure.py"), "--cwd", str(cwd), "--", *command]
    environment = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONPATH": str(REPOSITORY)}
    completed = subprocess.run(wrapper, capture_output=True, text=True, check=True, env=environment)
    return Measurement(**json.loads(completed.stdout))


def median_run(command: list[str], cwd: Path, repeat: int) -> tuple[float, float, Measurement]:
    """Median wall and CPU seconds of `repeat` runs, and the last run."""
    runs = [measure(command, cwd) for _ in range(repeat)]
    return statistics.median(r.seconds for r in runs), statistics.median(r.cpu_seconds for r in runs), runs[-1]


def parse_timings(stdout: str) -> dict[str, float]:
    """The stage seconds of `timings: load 0.05 s, check 0.12 s, render ..., engine ..., total ...; ...`."""
    for line in stdout.splitlines():
        if line.startswith("timings: "):
            parts = line.removeprefix("timings: ").split(";")[0].split(", ")
            found = {}
            for part in parts:
                name, _, rest = part.partition(" ")
                if name in STAGES:
                    found[name] = float(rest.removesuffix(" s"))
            return found
    return {}


def tail(text: str, lines: int = 5) -> str:
    return " | ".join(text.strip().splitlines()[-lines:])


def bench_size(n: int, workdir: Path, repeat: int, seed: int, build: bool) -> SizeResult:
    result = SizeResult(n)
    library = workdir / "protocols"
    log(f"N={n}: generating")
    result.files = generate_library(library, n, seed)
    log(f"N={n}: {result.files} files; bare YAML load")
    result.yaml_s, result.yaml_cpu_s, _ = median_run([sys.executable, "-c", YAML_LOAD, str(library)], workdir, repeat)
    log(f"N={n}: protocols check")
    check_command = [*PROTOCOLS, "check", "--as-of", AS_OF.isoformat(), "protocols"]
    result.check_s, result.check_cpu_s, check = median_run(check_command, workdir, repeat)
    result.check_summary = check.stdout.strip().splitlines()[-1] if check.stdout.strip() else ""
    if check.returncode != 0:
        result.problems.append(f"check exited {check.returncode}: {tail(check.stdout + check.stderr)}")
    if not build:
        return result
    # The generator's share is a few seconds against half a minute of engine: a neighbour's burst moves it
    # more than anything else, so at that size the build runs `repeat` times and the median ratio counts.
    builds = repeat if n == GENERATOR_SHARE_AT else 1
    out = workdir / "site"
    build_command = [*PROTOCOLS, "build", "--timings", "--as-of", AS_OF.isoformat(), "--out", str(out), "protocols"]
    runs: list[tuple[Measurement, dict[str, float]]] = []
    for index in range(builds):
        log(f"N={n}: protocols build" + (f" ({index + 1} of {builds})" if builds > 1 else ""))
        run = measure(build_command, workdir)
        if run.returncode != 0:
            result.problems.append(f"build exited {run.returncode}: {tail(run.stdout + run.stderr)}")
            return result
        stages = parse_timings(run.stdout)
        if not stages:
            result.problems.append("build printed no `timings:` line")
            return result
        runs.append((run, stages))
    run, result.stages, ratios = median_build(runs)
    result.build_s, result.build_cpu_s, result.build_peak_mb = run.seconds, run.cpu_seconds, run.peak_mb
    result.share_ratios = ratios if builds > 1 else []
    return result


def share(stages: dict[str, float]) -> float:
    """generator / engine of one build's --timings (infinite when a stage is missing)."""
    generator = generator_seconds(stages)
    return generator / stages["engine"] if generator is not None and stages.get("engine") else float("inf")


def median_build(
    runs: list[tuple[Measurement, dict[str, float]]],
) -> tuple[Measurement, dict[str, float], list[float]]:
    """The build with the median generator/engine ratio (the upper one of an even count), and every ratio
    in ascending order."""
    ordered = sorted(runs, key=lambda run: share(run[1]))
    run, stages = ordered[len(ordered) // 2]
    return run, stages, [share(stages) for _run, stages in ordered]


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


def dosecalc_lines() -> list[str]:
    """The output of benchmarks/bench_dosecalc.py (another engineer's), when it exists."""
    script = BENCHMARKS / "bench_dosecalc.py"
    if not script.exists():
        return []
    log("dose calculator benchmark")
    environment = {**os.environ, "PYTHONPATH": str(REPOSITORY)}
    completed = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, cwd=REPOSITORY, env=environment, check=False
    )
    lines = completed.stdout.rstrip().splitlines()
    if completed.returncode != 0:
        lines.append(f"bench_dosecalc.py exited {completed.returncode}: {tail(completed.stderr)}")
    return lines


def report(results: list[SizeResult], targets: list[TargetResult], dosecalc: list[str], command: str) -> str:
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
        "## Targets",
        "",
        format_targets(targets),
    ]
    problems = [f"- N={r.n}: {problem}" for r in results for problem in r.problems]
    if problems:
        parts += ["", "## Problems", "", *problems]
    if dosecalc:
        parts += ["", "## Dose calculator (benchmarks/bench_dosecalc.py)", "", "```text", *dosecalc, "```"]
    return "\n".join(parts) + "\n"


def search_step(n: int, site: Path, repeat: int) -> tuple[search.SearchRun, str]:
    """A first search on the site just built: the median run and its description."""
    log(f"N={n}: search in headless Chromium")
    query = search.default_query(site)
    median, runs = search.measure_site(site, query, repeat)
    return median, search.describe(n, site, median, runs, query)


def log(message: str) -> None:
    sys.stderr.write(f"[bench] {message}\n")
    sys.stderr.flush()


def parse_sizes(text: str) -> tuple[int, ...]:
    try:
        sizes = tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f'sizes "{text}" are not whole numbers, e.g. 100,300') from None
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError("give at least one size of 1 or more")
    return sizes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark the generator against its performance targets.")
    parser.add_argument("--sizes", type=parse_sizes, default=DEFAULT_SIZES, help="protocol counts, e.g. 100,300")
    parser.add_argument("--quick", action="store_true", help=f"sizes {','.join(map(str, QUICK_SIZES))} only")
    parser.add_argument("--repeat", type=int, default=3,
                        help=f"runs of YAML load and check per size, of the build at N={GENERATOR_SHARE_AT} (median)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-build", action="store_true", help="measure YAML load and check only")
    parser.add_argument("--keep", type=Path, help="keep the libraries and sites under this folder")
    parser.add_argument("--results", type=Path, default=BENCHMARKS / "results.md")
    parser.add_argument("--search", action="store_true",
                        help="also measure a first search on each site built (benchmarks/search.py)")
    args = parser.parse_args(argv)
    sizes = QUICK_SIZES if args.quick else args.sizes
    command = "python benchmarks/run.py" + (" " + " ".join(argv if argv is not None else sys.argv[1:])).rstrip()

    results = []
    searched: dict[int, tuple[search.SearchRun, str]] = {}
    with tempfile.TemporaryDirectory(prefix="protocols-bench-") as scratch:
        base = args.keep or Path(scratch)
        for n in sizes:
            workdir = base / f"n{n}"
            if workdir.exists() and any(workdir.iterdir()):
                parser.error(f"{workdir} is not empty")
            workdir.mkdir(parents=True, exist_ok=True)
            results.append(bench_size(n, workdir, max(1, args.repeat), args.seed, not args.no_build))
            if args.search and results[-1].build_s is not None:
                searched[n] = search_step(n, workdir / "site", max(1, args.repeat))
    targets = evaluate_targets(results) + (search_targets({n: run for n, (run, _) in searched.items()})
                                           if args.search else [])
    text = report(results, targets, dosecalc_lines(), command.strip())
    if searched:
        text += "\n## Search (benchmarks/search.py)\n\n```text\n" + "\n".join(
            lines for _run, lines in searched.values()) + "\n```\n"
    sys.stdout.write(text)
    args.results.write_text(text, encoding="utf-8")
    log(f"wrote {args.results}")
    failed = any(t.passed is False for t in targets) or any(r.problems for r in results)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
