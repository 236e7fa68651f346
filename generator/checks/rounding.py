"""P212 (§3.2): a rounding step so coarse that a weight of a dose table has no dose.

Called by checks/dosing.py for a weight-based regimen whose units, engine spec and dose_range are
sound (no P206 or P201) and each of its dose tables without P206/P210 (every row a weight the
calculator accepts as is). One diagnostic per table, at its `weights`: the first row without a
dose, why (the engine's own NoDose reason), and how many rows have none.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from generator.diagnostics import Diagnostic, format_path
from generator.dose_rows import PreparedSpec
from generator.dosing import NoDose, evaluate_spec
from generator.library import VersionFile
from generator.quantity import format_number
from generator.schema import DoseTable, Regimen


def _no_dose(spec: dict[str, Any], weight: Decimal) -> tuple[str, str]:
    """(weight as shown, why there is no dose) from the engine's own NoDose."""
    try:
        evaluate_spec(spec, weight)
    except NoDose as no_dose:
        return no_dose.weight_kg, no_dose.reason
    # dose_rows.has_dose equals evaluate_spec (tests/test_dosing_prepared.py); should they ever differ, still refuse
    return format_number(weight, group=False), "the rounded dose is 0 or no multiple of the step lies in the range"


def table_weights(table: DoseTable) -> list[Decimal]:
    """The rows of dosing.table_rows: from, from + step, ... up to and including to when it is reached."""
    weights = []
    weight, end, step = (Decimal(getattr(table.weights, key).value) for key in ("from_", "to", "step"))
    while weight <= end:
        weights.append(weight)
        weight += step
    return weights


def rounding_leaves_a_dose(version: VersionFile, regimen: Regimen, spec: dict[str, Any],
                           tables_ok: set[int]) -> Iterator[Diagnostic]:
    """P212 for each sound dose table (`tables_ok`: their indexes) of `regimen`, whose calculator spec is `spec`."""
    if spec["kind"] == "fixed":
        return
    prepared = None
    for index, table in enumerate(version.doc.dose_tables):
        if table.regimen != regimen.id or index not in tables_ok:
            continue
        prepared = prepared or PreparedSpec(spec)
        weights = table_weights(table)
        missing = prepared.weights_without_dose(weights)
        if not missing:
            continue
        shown_kg, reason = _no_dose(spec, missing[0])
        step_shown = f"{spec['step']} {spec['unit']}" + (" (the default)" if regimen.rounding is None else "")
        rows = f"{len(missing)} of the table's {len(weights)} rows {'has' if len(missing) == 1 else 'have'} no dose"
        path = ("dose_tables", index, "weights")
        yield Diagnostic(
            "P212", f"regimen {regimen.id} has no dose at {shown_kg} kg in its dose table: {reason} ({rows})",
            version.source.at(path), format_path(path),
            f"the rounding step of {step_shown} is too coarse for this regimen: set a finer `rounding`, "
            "so that every weight of the table has a dose",
        )
