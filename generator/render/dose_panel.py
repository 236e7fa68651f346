"""The "Dose for this patient" panel at the top of every protocol page (issue 16).

Right under the title and the status line: one weight field for every weight-based regimen of the
version, each regimen's headline (dose, cap, time frame) and, once a weight is typed, its figures as
site_templates/assets/dose-panel.js computes them with dosecalc.js's computeDose (the spec is data in
`data-dose-panel-spec`, never script). Fixed-dose regimens show their doses and devices.

The panel carries the version's status: superseded, upcoming, draft and in-review versions say so inside
it (with a link to the version in use); a retired version or protocol gives no dose at all.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from generator.dosing import dose_engine as dosing
from generator.model.quantity import Quantity, format_length, format_quantity
from generator.model.schema import Drug, Regimen, VersionDoc
from generator.render.dose_calculator import spec_as_json
from generator.render.dose_card import devices_text
from generator.render.fields import drug_name
from generator.text.inline import anchor, word_list

PANEL_ANCHOR = "dose_calculator"  # an underscore: no author id (^[a-z][a-z0-9-]*$) can take it
SPEC_ATTRIBUTE = "data-dose-panel-spec"
LABELS_ATTRIBUTE = "data-dose-panel-labels"

# The status word shown inside the panel, by VersionInfo.state; "current" needs none.
STATUS_WORDS = {
    "superseded": "Superseded",
    "upcoming": "Upcoming",
    "retired": "Retired",
    "draft": "Draft",
    "in-review": "In review",
}
# States whose page must give no dose in the panel.
NO_DOSE_STATES = frozenset({"retired"})


# Beside every figure the panel computes on a page whose version is not the one in use.
_CAUTIONS = {
    "superseded": "Superseded: this is the dose of version {version}, not of the version in use.",
    "upcoming": "Upcoming: this is the dose of version {version}, not yet in use.",
    "draft": "Draft: this dose is not approved for clinical use.",
    "in-review": "In review: this dose is not approved for clinical use.",
}


@dataclass(frozen=True)
class PanelStatus:
    state: str  # "superseded", "upcoming", "retired", "draft", "in-review"
    word: str  # STATUS_WORDS[state]
    message_html: Markup  # HTML after the word, its links root-relative
    caution: str  # shown with each computed dose ("" for retired: no dose)


@dataclass(frozen=True)
class PanelRegimen:
    id: str
    name: str  # "ketamine IV"
    headline: str  # "0.35 mg/kg/h, maximum 25 mg/h, for 4 hours"
    spec_json: str  # weight-based: the calculator spec; fixed: ""
    labels_json: str  # weight-based: the figure labels dose-panel.js shows ("Total over 4 hours")
    fixed_lines: tuple[str, ...]  # fixed: "Dose: 56 mg: 2 devices of 28 mg", ...
    table_anchor: str  # "dose-table-<id>" when the version has a dose table for it, else ""


@dataclass(frozen=True)
class DosePanel:
    status: PanelStatus | None
    gives_dose: bool  # False on retired pages: no weight field, no figures
    regimens: tuple[PanelRegimen, ...]

    @property
    def weight_based(self) -> bool:
        return self.gives_dose and any(regimen.spec_json for regimen in self.regimens)


def headline(regimen: Regimen) -> str:
    """The dose with its cap and time frame: "0.35 mg/kg/h, maximum 25 mg/h, for 4 hours"."""
    words = format_quantity(regimen.dose)
    if regimen.max_dose is not None:
        words += f", maximum {format_quantity(regimen.max_dose)}"
    if regimen.duration is not None:
        continuous = _kind(regimen) == "continuous"
        words += (", for " if continuous else ", over ") + format_length(regimen.duration)
    return words


def figure_labels(regimen: Regimen) -> dict[str, str]:
    """What each figure of computeDose's result is called in the panel; the total names its time frame."""
    total = f"Total over {format_length(regimen.duration)}" if regimen.duration is not None else "Total"
    return {"dose": "Dose", "rate": "Rate", "range": "Range", "volume": "Volume", "total": total,
            "pump_rate": "Pump rate"}


def _kind(regimen: Regimen) -> str:
    try:
        return dosing.kind(regimen)
    except dosing.DoseError:  # a unit that computes nothing: the checks report it (P206)
        return ""


def _with_devices(dose: Quantity, regimen: Regimen) -> str:
    """ "56 mg (2 devices of 28 mg)"."""
    devices = devices_text(dose, regimen)
    return f"{format_quantity(dose)} ({devices})" if devices else format_quantity(dose)


def _fixed_lines(regimen: Regimen) -> tuple[str, ...]:
    lines = [f"Dose: {_with_devices(regimen.dose, regimen)}"]
    if regimen.options:
        lines.append("Allowed doses: " + word_list([_with_devices(option, regimen) for option in regimen.options]))
    return tuple(lines)


def _panel_regimen(protocol_id: str, doc: VersionDoc, regimen: Regimen, drugs: Mapping[str, Drug]) -> PanelRegimen:
    name = f"{drug_name(regimen, drugs)} {regimen.route}"
    table = next((table for table in doc.dose_tables if table.regimen == regimen.id), None)
    kind = _kind(regimen)
    if kind in ("bolus", "continuous"):
        spec = dosing.calculator_spec(protocol_id, doc.version, regimen, table.weights if table else None)
        return PanelRegimen(regimen.id, name, headline(regimen), spec_as_json(spec),
                            json.dumps(figure_labels(regimen), separators=(",", ":")), (),
                            anchor("dose_table", regimen.id) if table else "")
    fixed = _fixed_lines(regimen) if kind == "fixed" else ()
    return PanelRegimen(regimen.id, name, headline(regimen), "", "", fixed, "")


def dose_panel(protocol_id: str, doc: VersionDoc, drugs: Mapping[str, Drug], state: str,
               protocol_retired: bool, status_html: str) -> DosePanel:
    """The panel of one version's page. `state` is VersionInfo.state; `status_html` what the panel says
    after the status word (links root-relative), "" for the version in use."""
    shown_state = "retired" if protocol_retired else state
    status = None
    if shown_state in STATUS_WORDS:
        caution = _CAUTIONS.get(shown_state, "").format(version=doc.version)
        status = PanelStatus(shown_state, STATUS_WORDS[shown_state], Markup(status_html), caution)
    if shown_state in NO_DOSE_STATES:
        return DosePanel(status, False, ())
    regimens = tuple(_panel_regimen(protocol_id, doc, regimen, drugs) for regimen in doc.regimens)
    return DosePanel(status, True, regimens)


def panel_context(panel: DosePanel) -> dict[str, Any]:
    """The template's view of a panel (site_templates/dose_panel.html.j2)."""
    return {"status": panel.status, "gives_dose": panel.gives_dose, "weight_based": panel.weight_based,
            "regimens": panel.regimens, "anchor": PANEL_ANCHOR}
