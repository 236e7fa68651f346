"""`protocols dose ID REGIMEN --weight W [--unit kg|lb] [--version V] [--spec] [DIR]` (§7).

Prints one JSON object on one line (`json.dumps` default separators, keys in the order of §7), from
the version current on the build date (--as-of, else SOURCE_DATE_EPOCH, else today) unless --version
names one (any version that validates, drafts included, as on the reviewer site). The table range is
the version's dose table for the regimen, so a weight outside it gives the dose with a warning.

Errors are printed as `{"error": "..."}` on stdout too, since scripts parse stdout:
- exit 2, and the message on stderr: a refused weight or one the rounding step leaves without a dose
  (§3.2), a missing --weight, an unknown protocol,
  version or regimen, no current version on the date, a missing folder or a bad --as-of;
- exit 1: the regimen (or its dose table) breaks a dosing rule of `protocols check`, so no dose is
  given from it.
"""

from __future__ import annotations

import argparse
import json
from typing import Any, TextIO

from generator.approvals.versions import current_version
from generator.checks.dose_rules import check_version
from generator.commands.shared import EXIT_ERRORS, EXIT_OK, EXIT_USAGE, UsageError, build_date, open_library
from generator.dosing.dose_engine import DoseError, calculator_spec, evaluate_spec
from generator.load.library import Library, NotInLibrary, Protocol, VersionFile, find_protocol, find_version
from generator.model.schema import Regimen, WeightRange

# P212 (a table weight without a dose) is about some weights, not the regimen: every other weight's dose is
# exact, and a weight without one is refused by evaluate_spec itself with exit 2, as the calculator refuses it.
WEIGHT_LEVEL_CODES = frozenset({"P212"})


class DoseRefused(Exception):
    """No dose: `message` for the JSON error, `status` the exit status."""

    def __init__(self, message: str, status: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def _listed(names: list[str]) -> str:
    return ", ".join(names) or "none"


def dosing_version(protocol: Protocol, version: str | None, as_of_text: str | None) -> VersionFile:
    """--version if given, else the version in use on the build date."""
    if version is not None:
        return find_version(protocol, version)
    as_of = build_date(as_of_text)
    current = current_version(protocol, as_of)
    if current is None:
        raise DoseRefused(
            f"protocol {protocol.id} has no current version on {as_of.isoformat()} (no approved version effective "
            f"by then): pass --version (versions: {_listed(list(protocol.versions))})"
        )
    return current


def find_regimen(version: VersionFile, regimen_id: str) -> tuple[int, Regimen]:
    for index, regimen in enumerate(version.doc.regimens):
        if regimen.id == regimen_id:
            return index, regimen
    known = _listed([r.id for r in version.doc.regimens])
    raise DoseRefused(f'version {version.version} of {version.id} has no regimen "{regimen_id}" (regimens: {known})')


def table_range(version: VersionFile, regimen: Regimen) -> tuple[int, WeightRange] | None:
    """The first dose table of the regimen in this version, with its index."""
    for index, table in enumerate(version.doc.dose_tables):
        if table.regimen == regimen.id:
            return index, table.weights
    return None


def refuse_on_dosing_errors(library: Library, version: VersionFile, index: int, table_index: int | None) -> None:
    """The dosing rules of `protocols check` must hold for the regimen and its table before any dose is given."""
    own = (f"regimens[{index}]", f"dose_tables[{table_index}]")
    errors = [d for d in check_version(version, library)
              if d.is_error and d.code not in WEIGHT_LEVEL_CODES
              and any(d.path == p or d.path.startswith((f"{p}.", f"{p}[")) for p in own)]
    if errors:
        raise DoseRefused(
            f"regimen {version.doc.regimens[index].id} of {version.id} {version.version} breaks a dosing rule; "
            f"run `protocols check`: {errors[0].code} {errors[0].message}",
            EXIT_ERRORS,
        )


def dose_result(args: argparse.Namespace) -> dict[str, Any]:
    """The spec (--spec) or the §7 dose object; DoseRefused otherwise."""
    if not args.spec and args.weight is None:
        raise DoseRefused("--weight is required: pass the body weight, e.g. --weight 70.3 (or --spec)")
    try:
        library = open_library(args.dir)
        version = dosing_version(find_protocol(library, args.id), args.version, args.as_of)
    except (UsageError, NotInLibrary) as error:
        raise DoseRefused(str(error)) from None
    index, regimen = find_regimen(version, args.regimen)
    table = table_range(version, regimen)
    refuse_on_dosing_errors(library, version, index, table[0] if table else None)
    try:
        spec = calculator_spec(version.id, version.version, regimen, table[1] if table else None)
    except DoseError as error:
        raise DoseRefused(str(error), EXIT_ERRORS) from None
    if args.spec:
        return spec
    try:
        return evaluate_spec(spec, args.weight, args.unit)
    except DoseError as error:
        raise DoseRefused(str(error)) from None


def cmd_dose(args: argparse.Namespace, out: TextIO) -> int:
    try:
        result = dose_result(args)
    except DoseRefused as refused:
        out.write(json.dumps({"error": refused.message}, ensure_ascii=False) + "\n")
        if refused.status == EXIT_USAGE:
            raise UsageError(refused.message) from None
        return refused.status
    out.write(json.dumps(result, ensure_ascii=False) + "\n")
    return EXIT_OK
