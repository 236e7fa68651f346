"""Every rule of §6 that needs more than one value: pure functions from a library to diagnostics.

Each module of this package defines `check(library, context) -> Iterable[Diagnostic]`; `run_checks`
runs them all, so a new rule family is a new module and nothing else changes.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import importlib
import pkgutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from generator.approvals.publication import ShownSites
from generator.approvals.signoffs import ApprovalFacts
from generator.diagnostics import Diagnostic, sorted_diagnostics
from generator.load.library import Library, partial_versions_included
from generator.load.recovery import original_path_text


@dataclass(frozen=True)
class CheckContext:
    as_of: dt.date
    reviewer: bool = False  # checking for the reviewer site (drafts and versions in review are published)
    approvals: ApprovalFacts | None = field(default=None, compare=False, repr=False)  # run_checks makes one
    sites: ShownSites | None = field(default=None, compare=False, repr=False)  # the build's, shared with its pages

    def approval_facts(self, library: Library) -> ApprovalFacts:
        """The run's register, ledgers and fingerprints of `library` (a fresh set for a rule family run alone)."""
        if self.approvals is not None and self.approvals.library is library:
            return self.approvals
        return ApprovalFacts(library)

    def shown_sites(self, library: Library) -> ShownSites:
        """The run's shown versions of each site (a fresh set for a check run alone)."""
        if self.sites is not None and self.sites.library is library and self.sites.as_of == self.as_of:
            return self.sites
        return ShownSites(library, self.as_of)


Check = Callable[[Library, CheckContext], Iterable[Diagnostic]]


@functools.cache
def all_checks() -> tuple[tuple[str, Check], ...]:
    """Every rule module's `check`, by module name: found once a process (the package's modules do not change
    while it runs; looking them up again cost a third of a millisecond a check)."""
    found = []
    for module_info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        check = getattr(module, "check", None)
        if callable(check):
            found.append((module_info.name, check))
    return tuple(found)


def run_checks(library: Library, context: CheckContext) -> list[Diagnostic]:
    """The load and schema diagnostics of the library plus every rule module's, sorted by location."""
    return sorted_diagnostics([*library.diagnostics, *rule_diagnostics(library, context)])


def rule_diagnostics(library: Library, context: CheckContext) -> list[Diagnostic]:
    """Every rule module's diagnostics (not the load's), unsorted: `protocols serve` keeps them per protocol."""
    found: list[Diagnostic] = []
    context = dataclasses.replace(context, approvals=ApprovalFacts(library))
    with partial_versions_included(library):
        for _name, check in all_checks():
            found.extend(check(library, context))
    return _as_in_the_files(found, library)


def _as_in_the_files(diagnostics: list[Diagnostic], library: Library) -> list[Diagnostic]:
    """Data paths as they stand in the file where list items with schema errors were left out."""
    shifted = {path: source.shifts for path, source in library.sources.items() if source.shifts}
    if not shifted:
        return diagnostics
    return [
        dataclasses.replace(d, path=original_path_text(d.path, shifted[d.location.file]))
        if d.path and d.location.file in shifted else d
        for d in diagnostics
    ]
