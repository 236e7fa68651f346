"""Every rule of §6 that needs more than one value: pure functions from a library to diagnostics.

Each module of this package defines `check(library, context) -> Iterable[Diagnostic]`; `run_checks`
runs them all, so a new rule family is a new module and nothing else changes.
"""

from __future__ import annotations

import datetime as dt
import importlib
import pkgutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from generator.diagnostics import Diagnostic, sorted_diagnostics
from generator.inline import shared_scans
from generator.library import Library, cycle_collection_paused


@dataclass(frozen=True)
class CheckContext:
    as_of: dt.date
    reviewer: bool = False  # checking for the reviewer site (drafts and versions in review are published)


Check = Callable[[Library, CheckContext], Iterable[Diagnostic]]


def all_checks() -> list[tuple[str, Check]]:
    found = []
    for module_info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        check = getattr(module, "check", None)
        if callable(check):
            found.append((module_info.name, check))
    return found


def run_checks(library: Library, context: CheckContext) -> list[Diagnostic]:
    """The load and schema diagnostics of the library plus every rule module's, sorted by location."""
    diagnostics = list(library.diagnostics)
    with shared_scans(), cycle_collection_paused():
        for _name, check in all_checks():
            diagnostics.extend(check(library, context))
    return sorted_diagnostics(diagnostics)
