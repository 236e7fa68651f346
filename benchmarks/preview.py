"""Time from saving a protocol to the served page showing the edit, under `protocols serve` (issue 15).

    python benchmarks/preview.py [--sizes 100,300] [--edits 3] [--keep DIR]

For each size N: a synthetic library (benchmarks/synthetic.py), `protocols serve` started on a free port,
the first (whole) build awaited, then ``--edits`` saves, one at a time, each to the summary of a different
protocol's draft (a new word in its text). After each save the draft's page is fetched over HTTP until it
shows the new word: that is the time an author waits (the live-reload script reloads the page as soon as
the rebuild ends; its long poll adds no wait). The server's own log gives the split of each rebuild
(load, check, render: the `preview timings:` line; what was checked and rendered again: the `preview checked`
line; engine: the `Preview: incremental ...` line).
"""

from __future__ import annotations

import argparse
import random
import re
import signal
import statistics
import string
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from local_http import fetch_until, free_port
from synthetic import AS_OF, generate_library
from targets import PREVIEW_LIMIT_S

PROTOCOLS = [sys.executable, "-m", "generator.cli"]
START_TIMEOUT_S = 1800.0  # the first build at N = 1,000 takes minutes on a loaded 2-core machine
EDIT_TIMEOUT_S = 300.0
POLL_S = 0.05
_ENGINE = re.compile(r"Preview: (incremental|full) (\d+) pages(?:, (\d+) removed)? in ([0-9.]+) s")
_STAGES = re.compile(r"preview timings: load ([0-9.]+) s, check ([0-9.]+) s, render ([0-9.]+) s")
_REDONE = re.compile(r"preview checked (.+), rendered (.+) \((\d+) pages\)")


@dataclass
class PreviewResult:
    n: int
    first_build_s: float = 0.0
    edits_s: list[float] = field(default_factory=list)  # save -> served page shows the edit
    rebuilds: list[str] = field(default_factory=list)  # the server's lines for each edit
    problems: list[str] = field(default_factory=list)

    @property
    def median_s(self) -> float | None:
        return statistics.median(self.edits_s) if self.edits_s else None


def drafts(library: Path, count: int, seed: int) -> list[Path]:
    """``count`` draft version files of different protocols, chosen with ``seed``."""
    found = sorted(path for path in library.glob("*/1.2.yaml")
                   if "\nstatus: draft\n" in path.read_text(encoding="utf-8"))
    return random.Random(seed).sample(found, min(count, len(found)))


def new_word(rng: random.Random) -> str:
    return "Previewmark" + "".join(rng.choice(string.ascii_lowercase) for _ in range(10))


def save_edit(draft: Path, word: str) -> None:
    """A new first sentence in the draft's summary (a YAML block scalar), written as an editor saves."""
    text = draft.read_text(encoding="utf-8")
    edited = text.replace("summary: |\n", f"summary: |\n  {word} applies here.\n", 1)
    if edited == text:
        raise ValueError(f"{draft}: no block summary to edit")
    draft.write_text(edited, encoding="utf-8")


def wait_until(url: str, word: str, deadline: float) -> bool:
    def shows(status: int, text: str) -> bool:
        return status == 200 and word in text

    return shows(*fetch_until(url, shows, timeout=max(0.0, deadline - time.monotonic()), pause=POLL_S))


def bench_preview(n: int, workdir: Path, edits: int, seed: int) -> PreviewResult:
    result = PreviewResult(n)
    workdir.mkdir(parents=True, exist_ok=True)
    library = workdir / "protocols"
    log(f"N={n}: generating")
    generate_library(library, n, seed)
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    server_log = workdir / "serve.log"
    command = [*PROTOCOLS, "serve", "--as-of", AS_OF.isoformat(), "--dev-addr", f"127.0.0.1:{port}", "protocols"]
    with server_log.open("wb") as output:
        process = subprocess.Popen(command, cwd=workdir, stdout=output, stderr=subprocess.STDOUT)
    try:
        log(f"N={n}: protocols serve, first build")
        start = time.monotonic()
        if not wait_until(url, "", start + START_TIMEOUT_S):
            result.problems.append(f"no site within {START_TIMEOUT_S:.0f} s: {tail(server_log)}")
            return result
        result.first_build_s = time.monotonic() - start
        rng = random.Random(seed)
        for draft in drafts(library, edits, seed):
            page = f"{url}protocols/{draft.parent.name}/1.2/"
            word = new_word(rng)
            lines_before = len(server_log.read_text(encoding="utf-8", errors="replace").splitlines())
            time.sleep(1.0)  # the previous rebuild's file events have settled
            saved = time.monotonic()
            save_edit(draft, word)
            if not wait_until(page, word, saved + EDIT_TIMEOUT_S):
                result.problems.append(f"{page} did not show the edit within {EDIT_TIMEOUT_S:.0f} s")
                return result
            result.edits_s.append(time.monotonic() - saved)
            time.sleep(0.5)  # the server's last lines of this rebuild
            lines = server_log.read_text(encoding="utf-8", errors="replace").splitlines()[lines_before:]
            result.rebuilds.append(rebuild_summary(lines))
            log(f"N={n}: edit shown after {result.edits_s[-1]:.2f} s ({result.rebuilds[-1]})")
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return result


def rebuild_summary(lines: list[str]) -> str:
    """"load 0.05 s, check 0.4 s, render 1.2 s; checked 1 protocols, rendered 3 protocols (60 pages); engine
    incremental 7 pages 0.3 s" from the server's lines."""
    parts = []
    for line in lines:
        if stages := _STAGES.search(line):
            parts.append(f"load {stages[1]} s, check {stages[2]} s, render {stages[3]} s")
        if redone := _REDONE.search(line):
            parts.append(f"checked {redone[1]}, rendered {redone[2]} ({redone[3]} pages)")
        if engine := _ENGINE.search(line):
            parts.append(f"engine {engine[1]} {engine[2]} pages {engine[4]} s")
    return "; ".join(parts) or "no rebuild lines"


def format_results(results: list[PreviewResult]) -> str:
    lines = [
        "| N | first build (s) | save to page shown, each edit (s) | median (s) | limit (s) "
        "| rebuild split (last edit) |",
        "|---:|---:|---|---:|---:|---|",
    ]
    for r in results:
        each = ", ".join(f"{seconds:.2f}" for seconds in r.edits_s) or "-"
        median = "-" if r.median_s is None else f"{r.median_s:.2f}"
        split = r.rebuilds[-1] if r.rebuilds else "; ".join(r.problems) or "-"
        lines.append(f"| {r.n:,} | {r.first_build_s:.1f} | {each} | {median} | {PREVIEW_LIMIT_S:g} | {split} |")
    return "\n".join(lines)


def tail(path: Path, count: int = 5) -> str:
    return " | ".join(path.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-count:])


def log(message: str) -> None:
    sys.stderr.write(f"[preview] {message}\n")
    sys.stderr.flush()


def run_preview(sizes: list[int], edits: int, seed: int, keep: Path | None) -> list[PreviewResult]:
    results = []
    with tempfile.TemporaryDirectory(prefix="protocols-preview-") as scratch:
        base = keep or Path(scratch)
        for n in sizes:
            workdir = base / f"preview-n{n}"
            workdir.mkdir(parents=True, exist_ok=False)
            results.append(bench_preview(n, workdir, edits, seed))
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Time from a saved edit to the page shown by `protocols serve`.")
    parser.add_argument("--sizes", default="100", help="protocol counts, e.g. 100,300,1000")
    parser.add_argument("--edits", type=int, default=3, help="saves per size, each to another protocol")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--keep", type=Path, help="keep the libraries and server logs under this folder")
    args = parser.parse_args(argv)
    results = run_preview([int(size) for size in args.sizes.split(",")], max(1, args.edits), args.seed, args.keep)
    sys.stdout.write(format_results(results) + "\n")
    return 1 if any(r.problems for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
