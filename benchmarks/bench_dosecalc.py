"""The dose calculator's budgets: download size and the time of one input update.

    python benchmarks/bench_dosecalc.py [--updates N]

- dosecalc.js + dosecalc.css, each gzipped (level 9) as a server would send them: at most 10 KB together.
- One input update in Node (computeDose plus the result's text, weights typed a character at a time,
  over the calculator specs of every regimen of the sample library): mean and 99th percentile under 1 ms.

Prints a table with each budget and exits 1 when one is exceeded. `measure()` returns the rows for a
harness (benchmarks/run.py).
"""

from __future__ import annotations

import argparse
import gzip
import json
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parent
REPOSITORY = BENCHMARKS.parent
ASSETS = REPOSITORY / "site_templates" / "assets"
UPDATE_SCRIPT = BENCHMARKS / "dosecalc_update.js"
SIZE_BUDGET_BYTES = 10 * 1024
UPDATE_BUDGET_US = 1000.0

sys.path.insert(0, str(REPOSITORY))


@dataclass(frozen=True)
class BudgetRow:
    what: str
    value: float
    unit: str
    budget: float

    @property
    def ok(self) -> bool:
        return self.value <= self.budget


def gzipped_size(path: Path) -> int:
    return len(gzip.compress(path.read_bytes(), compresslevel=9, mtime=0))


def sample_specs() -> list[dict[str, object]]:
    from generator.dosing.dose_engine import calculator_spec
    from generator.load.library import load_library

    library = load_library(REPOSITORY / "protocols")
    specs = []
    for protocol in library.protocols.values():
        for version_file in protocol.ordered():
            doc = version_file.doc
            tables = {table.regimen: table.weights for table in doc.dose_tables}
            specs += [calculator_spec(doc.id, doc.version, r, tables.get(r.id)) for r in doc.regimens]
    return specs


def node_update_times(updates: int) -> dict[str, float]:
    node = shutil.which("node")
    if node is None:
        raise SystemExit("bench_dosecalc: Node.js is missing: run `make test` (it installs nodejs) first")
    with tempfile.TemporaryDirectory() as folder:
        specs_file = Path(folder) / "specs.json"
        specs_file.write_text(json.dumps(sample_specs()), encoding="utf-8")
        done = subprocess.run([node, str(UPDATE_SCRIPT), str(specs_file), str(updates)], capture_output=True,
                              text=True, check=True, timeout=600)
    return json.loads(done.stdout)


def measure(updates: int = 20000) -> list[BudgetRow]:
    js, css = ASSETS / "dosecalc.js", ASSETS / "dosecalc.css"
    js_gz, css_gz = gzipped_size(js), gzipped_size(css)
    times = node_update_times(updates)
    return [
        BudgetRow("dosecalc.js gzipped", js_gz, "bytes", SIZE_BUDGET_BYTES),
        BudgetRow("dosecalc.css gzipped", css_gz, "bytes", SIZE_BUDGET_BYTES),
        BudgetRow("dosecalc.js + .css gzipped", js_gz + css_gz, "bytes", SIZE_BUDGET_BYTES),
        BudgetRow(f"input update, mean of {times['updates']:.0f} (Node)", times["mean_us"], "µs", UPDATE_BUDGET_US),
        BudgetRow("input update, 99th percentile (Node)", times["p99_us"], "µs", UPDATE_BUDGET_US),
    ]


def format_table(rows: list[BudgetRow]) -> str:
    lines = ["| measure | value | budget | |", "|---|---:|---:|---|"]
    for row in rows:
        shown = f"{row.value:,.0f} {row.unit}" if row.unit == "bytes" else f"{row.value:,.1f} {row.unit}"
        budget = f"{row.budget:,.0f} {row.unit}"
        lines.append(f"| {row.what} | {shown} | {budget} | {'ok' if row.ok else 'OVER BUDGET'} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=20000, help="input updates to time (default 20000)")
    args = parser.parse_args(argv)
    rows = measure(args.updates)
    print(format_table(rows))
    return 0 if all(row.ok for row in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
