"""What every command shares: exit statuses, usage errors, the build date option, opening and checking a
library and reporting its diagnostics. `generator.cli` dispatches to the commands and uses these too.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from pathlib import Path
from typing import TextIO

from generator.approvals.publication import ShownSites
from generator.checks import CheckContext, run_checks
from generator.diagnostics import Diagnostic, excerpt, summary_line
from generator.load.library import FileReader, Library, LibraryNotFound, VersionValidator, load_library
from generator.load.validate import validate_partial
from generator.load.yaml_source import load_yaml
from generator.model import build_date as dates

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """Bad input from the command line: printed as one line, exit 2."""


def one_line(text: str) -> str:
    """A usage error as one visible line: line breaks and other invisible characters (from a typed weight or
    path) written as escapes, as diagnostics.excerpt writes them."""
    return excerpt(text, limit=len(text), quoted=False)


def build_date(as_of: str | None, environ: Mapping[str, str] | None = None) -> dt.date:
    """--as-of, else SOURCE_DATE_EPOCH, else today in UTC (§4; generator/model/build_date.py); UsageError if
    unusable."""
    try:
        return dates.build_date(as_of, environ)
    except dates.BuildDateError as error:
        raise UsageError(str(error)) from None


def open_library(directory: str, reader: FileReader = load_yaml,
                 validator: VersionValidator = validate_partial) -> Library:
    try:
        return load_library(Path(directory), directory.rstrip("/") or directory, reader, validator)
    except LibraryNotFound:
        raise UsageError(f"no protocols folder at {directory}: pass the folder holding your protocols") from None


def check_library(library: Library, as_of: dt.date, reviewer: bool = False,
                  sites: ShownSites | None = None) -> list[Diagnostic]:
    """`sites`: the versions each site shows, when the run goes on to render them (worked out once)."""
    return run_checks(library, CheckContext(as_of=as_of, reviewer=reviewer, sites=sites))


def report(diagnostics: list[Diagnostic], file_count: int, fmt: str, out: TextIO) -> None:
    if fmt == "json":
        errors = sum(1 for d in diagnostics if d.is_error)
        payload = {
            "diagnostics": [d.to_json() for d in diagnostics],
            "summary": {"errors": errors, "warnings": len(diagnostics) - errors, "files": file_count},
        }
        out.write(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
        return
    for diagnostic in diagnostics:
        out.write(diagnostic.format_text() + "\n")
    out.write(summary_line(diagnostics, file_count) + "\n")


def failed(diagnostics: list[Diagnostic], strict: bool) -> bool:
    return any(d.is_error or strict for d in diagnostics)
