"""A small library in every state the sample lacks, for the dose panel, page-dates and What's new tests:
on AS_OF, alpha-drug 1.0 is superseded, 2.0 current (capped continuous infusion with a concentration and a
table) and 3.0 upcoming (a dose change); gamma-old is retired (its 1.0 would otherwise be current);
delta-fixed is a fixed-dose protocol with devices; epsilon-two has two weight-based regimens, one of them
without a table. Sites are rendered with render_site and built with build.build_site: the states come
from status and effective dates alone, so no ledger is needed.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from helpers import write_files

from generator.load.library import Library, load_library
from generator.render.families import render_site
from generator.site import atomic_output as build

AS_OF = dt.date(2026, 6, 1)
UPCOMING_EFFECTIVE = dt.date(2026, 9, 1)
REVIEW_DUE = dt.date(2028, 3, 1)  # alpha-drug 2.0: effective 2026-03-01 + 24 months

LIBRARY = {
    "_library/references.yaml": """\
smith-2020:
  type: article
  authors: [Smith AB]
  title: Alphacaine infusions
  journal: J Test Med
  year: 2020
""",
    "_library/drugs.yaml": """\
alphacaine:
  name: alphacaine
gammadol:
  name: gammadol
deltamab:
  name: deltamab
""",
    "_library/policy.yaml": """\
approval:
  minimum: 2
  required_roles: [pharmacist, physician]
review_interval_months: 24
""",
    "_library/handbooks.yaml": """\
- id: testing
  title: Testing handbook
  description: Protocols of the panel tests.
  protocols: [alpha-drug, gamma-old, delta-fixed]
""",
}


def _alpha(version: str, effective: str, dose: str, changes: str) -> str:
    return f"""\
id: alpha-drug
version: "{version}"
title: Alpha infusion for tests
status: approved
effective: {effective}
owner: Department of Tests
summary: Infuse {{{{ alpha-infusion.dose }}}} for {{{{ alpha-infusion.duration }}}} [@smith-2020].
changes: {changes}
regimens:
  - id: alpha-infusion
    drug: alphacaine
    route: IV
    dose: {dose}
    max_dose: 25 mg/h
    duration: 4 h
    concentration: 2 mg/mL
    cite: [smith-2020]
dose_tables:
  - regimen: alpha-infusion
    weights: {{from: 40 kg, to: 120 kg, step: 5 kg}}
"""


def _gamma(version: str, status: str, effective: str, changes: str) -> str:
    return f"""\
id: gamma-old
version: "{version}"
title: Gamma bolus no longer used
status: {status}
effective: {effective}
summary: Give {{{{ gamma-iv.dose }}}} [@smith-2020].
changes: {changes}
regimens:
  - id: gamma-iv
    drug: gammadol
    route: IV
    dose: 0.5 mg/kg
    cite: [smith-2020]
dose_tables:
  - regimen: gamma-iv
    weights: {{from: 40 kg, to: 100 kg, step: 10 kg}}
"""


LIBRARY.update({
    "alpha-drug/1.0.yaml": _alpha("1.0", "2026-01-01", "0.3 mg/kg/h", "[]"),
    "alpha-drug/2.0.yaml": _alpha("2.0", "2026-03-01", "0.35 mg/kg/h", "[Raised alpha-infusion.]"),
    "alpha-drug/3.0.yaml": _alpha("3.0", UPCOMING_EFFECTIVE.isoformat(), "0.4 mg/kg/h", "[Raised alpha-infusion.]"),
    "gamma-old/1.0.yaml": _gamma("1.0", "approved", "2025-01-01", "[]"),
    "gamma-old/2.0.yaml": _gamma("2.0", "retired", "2026-02-01", "[Retired.]"),
    "epsilon-two/1.0.yaml": """\
id: epsilon-two
version: "1.0"
title: Epsilon bolus then infusion for tests
status: approved
effective: 2026-02-01
summary: Give {{ epsilon-bolus.dose }}, then infuse {{ epsilon-infusion.dose }} [@smith-2020].
changes: []
regimens:
  - id: epsilon-bolus
    drug: alphacaine
    route: IV
    dose: 0.5 mg/kg
    dose_range: {min: 0.1 mg/kg, max: 0.75 mg/kg}
    concentration: 10 mg/mL
    cite: [smith-2020]
  - id: epsilon-infusion
    drug: alphacaine
    route: IV
    dose: 2 mcg/kg/min
    cite: [smith-2020]
dose_tables:
  - regimen: epsilon-bolus
    weights: {from: 50 kg, to: 90 kg, step: 10 kg}
""",
    "delta-fixed/1.0.yaml": """\
id: delta-fixed
version: "1.0"
title: Delta fixed dose for tests
status: approved
effective: 2026-02-01
summary: Give {{ delta-in.dose }} [@smith-2020].
changes: []
regimens:
  - id: delta-in
    drug: deltamab
    route: intranasal
    dose: 56 mg
    options: [56 mg, 84 mg]
    unit_dose: 28 mg
    cite: [smith-2020]
""",
})


def write_panel_library(root: Path) -> Path:
    return write_files(root / "protocols", LIBRARY)


def panel_library(root: Path) -> Library:
    library = load_library(write_panel_library(root), "protocols")
    assert library.diagnostics == []
    return library


def build_panel_site(root: Path, reviewer: bool = False) -> Path:
    """The site of the panel library on AS_OF, built by the engine as `protocols build` builds it."""
    library = panel_library(root)
    out = root / ("site-review" if reviewer else "site")
    build.build_site(render_site(library, AS_OF, reviewer, directory_urls=True), out, reviewer=reviewer, as_of=AS_OF)
    return out
