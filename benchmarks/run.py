"""Benchmark the generator against its performance targets (what `make bench` runs).

    python benchmarks/run.py [--sizes 100,300,1000 | --quick] [--repeat 3] [--keep DIR] [--results FILE]
                             [--old-main REV | --no-old-main] [--old-main-at N] [--search] [--preview]

It first byte-compiles this tree's generator (and the old main it unpacks), as an install does. For each
size N it writes a synthetic library (benchmarks/synthetic.py) into a temporary folder, then measures, each
in a fresh process (benchmarks/measure.py): bare PyYAML C-loading of every file, `protocols check`,
`protocols build --timings`, and a bare Material build of the same pages with placeholder bodies and the
same navigation (benchmarks/bare_material.py). At N=1000 (--old-main-at) it also builds the same library
with the generator of main before issue 15 (benchmarks/old_main.py), right after this tree's build.
--search and --preview add the measurements of benchmarks/search.py and benchmarks/preview.py
(benchmarks/hooks.py). It prints a table and each target as a ratio against its limit
(benchmarks/targets.py), writes them to benchmarks/results.md (not with --quick unless --results
is given), and exits 1 when a target fails or a step fails.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import hooks
import old_main
from report import report
from synthetic import AS_OF, generate_library
from targets import ENGINE_AT, GENERATOR_SHARE_AT, OLD_MAIN_AT, TargetResult, evaluate_targets

from generator.commands.build import STAGES  # the stage names `protocols build --timings` prints

BENCHMARKS = Path(__file__).resolve().parent
REPOSITORY = BENCHMARKS.parent
DEFAULT_SIZES = (100, 300, 1000)
QUICK_SIZES = (30, 100)  # a developer's loop: a few minutes on a shared 2-core machine
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
    stages: dict[str, float] = field(default_factory=dict)  # from --timings, wall clock
    stage_cpu: dict[str, float] = field(default_factory=dict)  # from --timings, CPU time
    # generator / engine of each build at this size, when it was built more than once (the row shows the
    # build with the median ratio)
    share_ratios: list[float] = field(default_factory=list)
    pages: int | None = None  # pages the build handed to the engine
    bare_s: float | None = None  # bare Material build of the same pages (benchmarks/bare_material.py)
    bare_cpu_s: float | None = None
    bare_pages: int | None = None
    bare_search_cpu_s: float | None = None  # the same with Material's search plugin (information only)
    old_build_s: float | None = None  # the old commit's build of the same library (benchmarks/old_main.py)
    old_build_cpu_s: float | None = None
    old_build_peak_mb: float | None = None
    old_stages: dict[str, float] = field(default_factory=dict)
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


def measure(command: list[str], cwd: Path, python_path: Path = REPOSITORY) -> Measurement:
    """Run `command` under measure.py, a fresh child whose only child is the command; `python_path` is the
    generator it imports (this tree, or an old commit's unpacked package)."""
    wrapper = [sys.executable, str(BENCHMARKS / "measure.py"), "--cwd", str(cwd), "--", *command]
    environment = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONPATH": str(python_path)}
    completed = subprocess.run(wrapper, capture_output=True, text=True, check=True, env=environment)
    return Measurement(**json.loads(completed.stdout))


def median_run(command: list[str], cwd: Path, repeat: int) -> tuple[float, float, Measurement]:
    """Median wall and CPU seconds of `repeat` runs, and the last run."""
    runs = [measure(command, cwd) for _ in range(repeat)]
    return statistics.median(r.seconds for r in runs), statistics.median(r.cpu_seconds for r in runs), runs[-1]


def _stage_seconds(part: str) -> dict[str, float]:
    found = {}
    for item in part.split(", "):
        name, _, rest = item.partition(" ")
        if name in STAGES:
            found[name] = float(rest.removesuffix(" s"))
    return found


def parse_timings(stdout: str) -> dict[str, float]:
    """The stage wall seconds of `timings: load 0.05 s, check 0.12 s, render ..., engine ..., total ...; ...`."""
    for line in stdout.splitlines():
        if line.startswith("timings: "):
            return _stage_seconds(line.removeprefix("timings: ").split(";")[0])
    return {}


def parse_cpu_timings(stdout: str) -> dict[str, float]:
    """The stage CPU seconds of the `timings:` line's `; CPU load 0.04 s, ...` part (empty if it has none: an
    older generator's)."""
    for line in stdout.splitlines():
        if line.startswith("timings: "):
            for part in line.split("; ")[1:]:
                if part.startswith("CPU "):
                    return _stage_seconds(part.removeprefix("CPU "))
    return {}


_PAGES = re.compile(r"^built the .* \(([0-9]+) pages, as of ", re.M)


def parse_page_count(stdout: str) -> int | None:
    """The page count of `built the site into DIR (N pages, as of DATE)`."""
    match = _PAGES.search(stdout)
    return int(match.group(1)) if match else None


def compile_sources(folder: Path) -> None:
    """Byte-compile `folder` as `pip install` does. The bare YAML load's PyYAML and every dependency are
    compiled at install; an editable tree run under PYTHONDONTWRITEBYTECODE never is, and each measured
    process would compile the generator's ~50 modules from source (about 0.04 s CPU of check at N=100)."""
    compileall.compile_dir(folder, quiet=1)


def tail(text: str, lines: int = 5) -> str:
    return " | ".join(text.strip().splitlines()[-lines:])


def bench_size(n: int, workdir: Path, repeat: int, seed: int, build: bool,
               old: old_main.OldMain | None = None) -> SizeResult:
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
    result.pages = parse_page_count(run.stdout)
    result.stage_cpu = parse_cpu_timings(run.stdout)
    if old is not None:
        old_build(result, old, build_command, workdir)
    bare_build(result, out, workdir, repeat if n < 1000 else 1)
    if n in ENGINE_AT:
        bare_search_build(result, out, workdir)
    return result


def old_build(result: SizeResult, old: old_main.OldMain, build_command: list[str], workdir: Path) -> None:
    """The same build with the old commit's generator, right after this tree's (the machine's speed drifts)."""
    log(f"N={result.n}: protocols build with {old.rev}")
    command = [arg if arg != str(workdir / "site") else str(workdir / "site-old") for arg in build_command]
    run = measure(command, workdir, old.site_packages)
    if run.returncode != 0:
        result.problems.append(f"old main build exited {run.returncode}: {tail(run.stdout + run.stderr)}")
        return
    result.old_build_s, result.old_build_cpu_s, result.old_build_peak_mb = run.seconds, run.cpu_seconds, run.peak_mb
    result.old_stages = parse_timings(run.stdout)


def bare_build(result: SizeResult, site: Path, workdir: Path, repeat: int) -> None:
    """A bare Material build of the site's pages (median wall time of `repeat` builds)."""
    runs = []
    for index in range(repeat):
        log(f"N={result.n}: bare Material build" + (f" ({index + 1} of {repeat})" if repeat > 1 else ""))
        found = _bare_run(result, site, workdir / f"bare-{index}")
        if found is None:
            return
        runs.append(found)
    middle = sorted(runs, key=lambda found: found["seconds"])[len(runs) // 2]
    result.bare_s, result.bare_cpu_s, result.bare_pages = middle["seconds"], middle["cpu_seconds"], middle["pages"]


def bare_search_build(result: SizeResult, site: Path, workdir: Path) -> None:
    """Once: the bare build with Material's search plugin, for the information row beside the judged ratio."""
    log(f"N={result.n}: bare Material build with its search plugin")
    found = _bare_run(result, site, workdir / "bare-search", "--search")
    if found is not None:
        result.bare_search_cpu_s = found["cpu_seconds"]


def _bare_run(result: SizeResult, site: Path, folder: Path, *options: str) -> dict[str, float] | None:
    completed = subprocess.run(
        [sys.executable, str(BENCHMARKS / "bare_material.py"), str(site), str(folder), *options],
        capture_output=True, text=True, check=False,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONPATH": str(REPOSITORY)},
    )
    shutil.rmtree(folder, ignore_errors=True)
    if completed.returncode != 0:
        result.problems.append(f"bare Material build {' '.join(options)} exited {completed.returncode}: "
                               f"{tail(completed.stderr)}")
        return None
    found: dict[str, float] = json.loads(completed.stdout)
    return found


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
    parser.add_argument("--quick", action="store_true",
                        help=f"sizes {','.join(map(str, QUICK_SIZES))}, one run each, the old main at the largest;"
                        " results.md untouched unless --results is given")
    parser.add_argument("--repeat", type=int, default=None,
                        help=f"runs of YAML load, check and bare Material per size, of the build at "
                        f"N={GENERATOR_SHARE_AT} (median; default 3, 1 with --quick)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-build", action="store_true", help="measure YAML load and check only")
    parser.add_argument("--keep", type=Path, help="keep the libraries and sites under this folder")
    parser.add_argument("--results", type=Path, default=None, help="where to write the report (default "
                        "benchmarks/results.md)")
    parser.add_argument("--old-main", default=old_main.OLD_MAIN_REV, metavar="REV",
                        help=f"the commit to compare the whole build with (default {old_main.OLD_MAIN_REV})")
    parser.add_argument("--no-old-main", action="store_true", help="skip the side-by-side build of the old main")
    parser.add_argument("--old-main-at", type=int, default=None, metavar="N",
                        help=f"the size to build with the old main too (default {OLD_MAIN_AT}; with --quick the "
                        "largest size)")
    for name, what in hooks.HOOKS.items():
        parser.add_argument(f"--{name}", action="store_true",
                            help=f"also measure the {what} at each size (benchmarks/{name}.py)")
    args = parser.parse_args(argv)
    sizes = QUICK_SIZES if args.quick else args.sizes
    repeat = max(1, args.repeat if args.repeat is not None else (1 if args.quick else 3))
    old_at = args.old_main_at if args.old_main_at is not None else (max(sizes) if args.quick else OLD_MAIN_AT)
    results_file = args.results if args.results is not None else (None if args.quick else BENCHMARKS / "results.md")
    command = "python benchmarks/run.py" + (" " + " ".join(argv if argv is not None else sys.argv[1:])).rstrip()

    results: list[SizeResult] = []
    extras: list[hooks.HookResult] = []
    old: old_main.OldMain | None = None
    with tempfile.TemporaryDirectory(prefix="protocols-bench-") as scratch:
        base = args.keep or Path(scratch)
        compile_sources(REPOSITORY / "generator")
        if not args.no_old_main and not args.no_build and old_at in sizes:
            log(f"installing {args.old_main} beside this tree (benchmarks/old_main.py)")
            try:
                old = old_main.prepare(base / "old-main", args.old_main)
            except old_main.OldMainError as error:
                parser.exit(2, f"run.py: the old main could not be prepared: {error}\n")
            compile_sources(old.site_packages)
            log(f"old main: {old.proof}")
        for n in sizes:
            workdir = base / f"n{n}"
            if workdir.exists() and any(workdir.iterdir()):
                parser.error(f"{workdir} is not empty")
            workdir.mkdir(parents=True, exist_ok=True)
            results.append(bench_size(n, workdir, repeat, args.seed, not args.no_build, old if n == old_at else None))
            for name in hooks.HOOKS:
                if getattr(args, name) and results[-1].build_s is not None:
                    log(f"N={n}: {name} (benchmarks/{name}.py)")
                    extras.append(hooks.run_hook(name, n, workdir))
    targets = evaluate_targets(results, old.rev if old is not None else args.old_main)
    targets += [TargetResult(t["name"], t["value"], t["limit"], str(t.get("detail", ""))) for e in extras
                for t in e.targets]
    text = report(results, targets, dosecalc_lines(), command.strip(), old, extras)
    sys.stdout.write(text)
    if results_file is not None:
        results_file.write_text(text, encoding="utf-8")
        log(f"wrote {results_file}")
    failed = (any(t.passed is False for t in targets) or any(r.problems for r in results)
              or any(e.problem for e in extras))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
