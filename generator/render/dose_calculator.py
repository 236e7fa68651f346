"""The calculator spec of a dose table, embedded in the page for site_templates/assets/dosecalc.js.

The page carries the same spec that `protocols dose --spec` prints (dosing.calculator_spec), as JSON in
the `data-dosecalc-spec` attribute of the table's container: a data attribute, never an executable
script, so the page needs no inline JavaScript. dosecalc.js reads it and computes every dose itself,
digit for digit as dosing.evaluate_spec does.
"""

from __future__ import annotations

import json
from typing import Any

from generator import dosing

SPEC_ATTRIBUTE = "data-dosecalc-spec"
CONTAINER_CLASS = "pc-dose-table"


def calculator_spec_json(protocol_id: str, version: str, regimen: Any, table_range: Any) -> str:
    """The calculator spec of one regimen and its table range, as compact JSON (keys in spec order)."""
    spec = dosing.calculator_spec(protocol_id, version, regimen, table_range)
    return json.dumps(spec, separators=(",", ":"), ensure_ascii=False)
