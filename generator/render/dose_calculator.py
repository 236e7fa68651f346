"""The calculator spec of a dose table, embedded in the page for site_templates/assets/dosecalc.js.

The page carries the same spec that `protocols dose --spec` prints (dosing.calculator_spec), as JSON in
the `data-dosecalc-spec` attribute of the table's container: a data attribute, never an executable
script, so the page needs no inline JavaScript. dosecalc.js reads it and computes every dose itself,
digit for digit as dosing.evaluate_spec does.
"""

from __future__ import annotations

import json
from typing import Any

SPEC_ATTRIBUTE = "data-dosecalc-spec"
CONTAINER_CLASS = "pc-dose-table"


def spec_as_json(spec: dict[str, Any]) -> str:
    """A calculator spec as compact JSON (keys in spec order)."""
    return json.dumps(spec, separators=(",", ":"), ensure_ascii=False)
