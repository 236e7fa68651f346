"""`protocols build` (§7): check, render, then hand the pages to the site engine.

The build refuses to start on any check error, so a failed build never touches the previous site;
the engine adapter (generator/site/atomic_output.py) replaces the output folder atomically.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from generator.commands.shared import EXIT_ERRORS, EXIT_OK, UsageError, build_date, check_library, open_library, report
from generator.diagnostics import Diagnostic
from generator.render.families import render_site

STAGES = ("load", "check", "render", "engine")


class StageTimer:
    """Wall-clock seconds per build stage, in the order the stages ran."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - start

    def format(self) -> str:
        """ "timings: load 0.05 s, check 0.12 s, ... total 2.41 s; peak memory 85.3 MB"."""
        parts = [f"{name} {self.seconds[name]:.2f} s" for name in STAGES if name in self.seconds]
        total = sum(self.seconds.values())
        return f"timings: {', '.join(parts)}, total {total:.2f} s; peak memory {peak_memory_mb():.1f} MB"


def peak_memory_mb() -> float:
    """Peak resident memory of this process (Linux reports ru_maxrss in KiB)."""
    kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    divisor = 1024 * 1024 if sys.platform == "darwin" else 1024  # macOS reports bytes
    return kib / divisor


def default_out(reviewer: bool) -> Path:
    return Path("site-review" if reviewer else "site")


def has_errors(diagnostics: list[Diagnostic]) -> bool:
    return any(d.is_error for d in diagnostics)


def cmd_build(args: argparse.Namespace, out: TextIO) -> int:
    from generator.site import atomic_output as build  # imports MkDocs: only when a site is really built

    timer = StageTimer()
    as_of = build_date(args.as_of)
    out_dir = Path(args.out) if args.out else default_out(args.reviewer)
    protocols_dir = Path(args.dir)
    try:  # before any work: an output folder that may not be replaced is a usage error, and nothing changes
        build.check_output(out_dir, protocols_dir)
    except build.OutputRefused as error:
        raise UsageError(str(error)) from None
    with timer.stage("load"):
        library = open_library(args.dir)
    with timer.stage("check"):
        diagnostics = check_library(library, as_of, args.reviewer)
    if diagnostics:
        report(diagnostics, library.file_count, "text", out)
    if has_errors(diagnostics):
        out.write(f"build refused: fix the errors above; {out_dir} was not changed\n")
        _timings(args, timer, out)
        return EXIT_ERRORS
    library.release_positions()
    with timer.stage("render"):
        pages = render_site(library, as_of, args.reviewer)
    page_count = _page_count(pages)
    del library, diagnostics  # the engine's peak memory is the build's: keep only the pages
    with timer.stage("engine"):
        try:
            build.build_site(pages, out_dir, config_file=None, reviewer=args.reviewer, as_of=as_of,
                             release_pages=True, protocols_dir=protocols_dir)
        except build.OutputRefused as error:
            raise UsageError(str(error)) from None
        except build.SiteBuildError as error:
            sys.stderr.write(f"protocols: error: {error}\n")
            out.write(f"build failed; {out_dir} was not changed\n")
            _timings(args, timer, out)
            return EXIT_ERRORS
    kind = "reviewer site" if args.reviewer else "site"
    out.write(f"built the {kind} into {out_dir} ({page_count} pages, as of {as_of.isoformat()})\n")
    _timings(args, timer, out)
    return EXIT_OK


def _page_count(pages: dict[str, str]) -> int:
    return sum(1 for path in pages if path.endswith(".md"))


def _timings(args: argparse.Namespace, timer: StageTimer, out: TextIO) -> None:
    if getattr(args, "timings", False):
        out.write(timer.format() + "\n")
