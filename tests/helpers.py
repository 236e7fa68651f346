"""A minimal valid protocols library, written into a temporary folder, for tests that break one thing."""

from __future__ import annotations

import io
from pathlib import Path

from generator import cli

REFERENCES = """\
phillips-2019:
  type: article
  authors: [Phillips JL, Norris S]
  title: Single, repeated, and maintenance ketamine infusions for treatment-resistant depression
  journal: Am J Psychiatry
  year: 2019
  volume: 176
  issue: 5
  pages: 401-409
  doi: 10.1176/appi.ajp.2018.18070834
  pmid: 30922101
"""

DRUGS = """\
ketamine:
  name: ketamine
  class: NMDA receptor antagonist
"""

POLICY = """\
approval:
  minimum: 2
  required_roles: [pharmacist, psychiatrist]
review_interval_months: 24
"""

HANDBOOKS = """\
- id: psychiatry
  title: Psychiatry
  description: Depression protocols.
  protocols: [ketamine-trd]
"""

VERSION = """\
id: ketamine-trd
version: "1.0"
title: IV ketamine for treatment-resistant depression
status: draft
owner: Department of Psychiatry
summary: |
  Give {{ ketamine-iv.dose }} {{ ketamine-iv.route }} over {{ ketamine-iv.duration }} [@phillips-2019].
changes: []
regimens:
  - id: ketamine-iv
    drug: ketamine
    route: IV
    dose: 0.5 mg/kg
    dose_range: {min: 0.1 mg/kg, max: 0.75 mg/kg}
    duration: 40 min
    cite: [phillips-2019]
phases:
  - id: induction
    name: Induction
    regimen: ketamine-iv
    frequency: 3 per week
    length: 2 weeks
    doses: 6
dose_tables:
  - regimen: ketamine-iv
    weights: {from: 40 kg, to: 120 kg, step: 5 kg}
sections:
  - id: safety
    title: Safety
    body: Monitor blood pressure.
algorithm:
  - Screen for contraindications ([[#safety]]).
"""


def write_library(root: Path, files: dict[str, str] | None = None) -> Path:
    """Write the minimal library under root/protocols, with `files` (relative path -> text) added or replaced."""
    library = root / "protocols"
    defaults = {
        "_library/references.yaml": REFERENCES,
        "_library/drugs.yaml": DRUGS,
        "_library/policy.yaml": POLICY,
        "_library/handbooks.yaml": HANDBOOKS,
        "ketamine-trd/1.0.yaml": VERSION,
    }
    defaults.update(files or {})
    return write_files(library, defaults)


def write_files(folder: Path, files: dict[str, str]) -> Path:
    """Write `files` (path relative to `folder` -> text) into `folder`, making subfolders; returns it."""
    for relative, text in files.items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return folder


def run(*argv: str) -> tuple[int, str, str]:
    """Run the `protocols` command in-process: (exit status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    status = cli.main(list(argv), out=out, err=err)
    return status, out.getvalue(), err.getvalue()


def check_lines(library: Path, *extra: str) -> list[str]:
    """The diagnostic lines (without hints and the summary) of `protocols check` over a library."""
    _status, out, _err = run("check", "--as-of", "2026-06-01", *extra, str(library))
    return [line for line in out.splitlines() if not line.startswith("    ")][:-1]
