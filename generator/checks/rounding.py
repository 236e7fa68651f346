"""P212 (§3.2): a rounding step so coarse that a weight of a dose table has no dose.

Called by checks/dosing.py for a weight-based regimen whose units, engine spec and dose_range are
sound (no P206 or P201) and each of its dose tables without P206/P210 (every row a weight the
calculator accepts as is). One diagnostic per table, at its `weights`: the first row without a
dose, why (the reason the engine's NoDose gives), and how many rows have none.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from generator.diagnostics import Diagnostic, format_path
from generator.dosing.dose_evaluation import PreparedSpec
from generator.load.library import VersionFile
from generator.model.quantity import format_number
from generator.model.schema import DoseTable, Regimen


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
        kg_num, w_den = missing[0].as_integer_ratio()
        shown_kg, reason = format_number(missing[0], group=False), prepared.why_no_dose(kg_num, w_den)
        step_shown = f"{spec['step']} {spec['unit']}" + (" (the default)" if regimen.rounding is None else "")
        rows = f"{len(missing)} of the table's {len(weights)} rows {'has' if len(missing) == 1 else 'have'} no dose"
        path = ("dose_tables", index, "weights")
        yield Diagnostic(
            "P212", f"regimen {regimen.id} has no dose at {shown_kg} kg in its dose table: {reason} ({rows})",
            version.source.at(path), format_path(path),
            f"the rounding step of {step_shown} is too coarse for this regimen: set a finer `rounding`, "
            "so that every weight of the table has a dose",
        )
