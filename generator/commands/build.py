"""`protocols build` (§7): check, render, then hand the pages to the site engine.

The build refuses to start on any check error, so a failed build never touches the previous site;
the engine adapter (generator/site/atomic_output.py) replaces the output folder atomically.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from generator.approvals.publication import ShownSites
from generator.commands.shared import (
    EXIT_ERRORS,
    EXIT_OK,
    UsageError,
    build_date,
    check_library,
    failed,
    open_library,
    report,
)
from generator.render.families import render_pages
from generator.site.mkdocs_config import SiteConfigError, directory_urls, own_config_file
from generator.text.text_scan import forget as forget_scans

STAGES = ("load", "check", "render", "engine")


class StageTimer:
    """Wall-clock and CPU seconds per build stage, in the order the stages ran."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.cpu_seconds: dict[str, float] = {}

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        start, cpu_start = time.perf_counter(), cpu_seconds()
        try:
            yield
        finally:
            self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - start
            self.cpu_seconds[name] = self.cpu_seconds.get(name, 0.0) + cpu_seconds() - cpu_start

    def format(self) -> str:
        """ "timings: load 0.05 s, check 0.12 s, ... total 2.41 s; peak memory 85.3 MB; CPU load 0.05 s, ...":
        wall clock, then CPU time (which other work on a shared machine disturbs far less; benchmarks/run.py)."""
        parts = [f"{name} {self.seconds[name]:.2f} s" for name in STAGES if name in self.seconds]
        total = sum(self.seconds.values())
        cpu = [f"{name} {self.cpu_seconds[name]:.2f} s" for name in STAGES if name in self.cpu_seconds]
        return (f"timings: {', '.join(parts)}, total {total:.2f} s; peak memory {peak_memory_mb():.1f} MB; "
                f"CPU {', '.join(cpu)}")


def cpu_seconds() -> float:
    """User and system CPU time of this process and of the children it has waited for (a tool the engine
    runs counts with the engine)."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def peak_memory_mb() -> float:
    """Peak resident memory of this process (Linux reports ru_maxrss in KiB)."""
    kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    divisor = 1024 * 1024 if sys.platform == "darwin" else 1024  # macOS reports bytes
    return kib / divisor


def default_out(reviewer: bool) -> Path:
    return Path("site-review" if reviewer else "site")


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
        sites = ShownSites(library, as_of)  # the xrefs check and the pages read the same shown versions
        diagnostics = check_library(library, as_of, args.reviewer, sites)
    if diagnostics:
        report(diagnostics, library.file_count, "text", out)
    if failed(diagnostics, strict=False):
        out.write(f"build refused: fix the errors above; {out_dir} was not changed\n")
        _timings(args, timer, out)
        return EXIT_ERRORS
    try:  # the site's use_directory_urls, which render writes each page's links for
        links_as_folders = directory_urls(own_config_file(None))
    except SiteConfigError as error:
        sys.stderr.write(f"protocols: error: {error}\n")
        out.write(f"build failed; {out_dir} was not changed\n")
        _timings(args, timer, out)
        return EXIT_ERRORS
    library.release_positions()
    forget_scans()  # the rules' scans of every text (about 60 MB at N = 1,000): the render needs only the syntax
    try:
        with build.staged_site(out_dir, protocols_dir) as staging:
            with timer.stage("render"):  # each page written out as it is made: no page waits in memory
                staging.add_all(render_pages(library, as_of, args.reviewer, directory_urls=links_as_folders,
                                             sites=sites))
            page_count = staging.pages.page_count()
            del library, diagnostics, sites  # the engine's peak memory is the build's: the library is not needed
            with timer.stage("engine"):
                staging.build(config_file=None, reviewer=args.reviewer, as_of=as_of)
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


def _timings(args: argparse.Namespace, timer: StageTimer, out: TextIO) -> None:
    if getattr(args, "timings", False):
        out.write(timer.format() + "\n")
