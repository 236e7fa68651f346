"""render.publication.site_versions (what cross-references resolve against) decides exactly what
`publication` (what the pages show) decides: the same versions, states and canonical versions."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from generator.approvals.publication import publication, site_versions
from generator.load.library import load_library

SAMPLE = Path(__file__).resolve().parents[2] / "protocols"
# before any version, between the sample's effective dates, after the upcoming one
DATES = [dt.date(2020, 1, 1), dt.date(2026, 2, 11), dt.date(2026, 6, 1), dt.date(2027, 1, 4), dt.date(2199, 12, 31)]


def _shape(site: object) -> dict[str, tuple[list[tuple[str, str]], str | None, str | None, bool]]:
    return {
        protocol_id: (
            [(info.version, info.state) for info in shown.versions],
            shown.canonical.version if shown.canonical is not None else None,
            shown.current.version if shown.current is not None else None,
            shown.retired,
        )
        for protocol_id, shown in site.protocols.items()  # type: ignore[attr-defined]
    }


@pytest.mark.parametrize("reviewer", [False, True])
@pytest.mark.parametrize("as_of", DATES)
def test_site_versions_decide_as_publication_does(as_of: dt.date, reviewer: bool) -> None:
    library = load_library(SAMPLE)
    assert _shape(site_versions(library, as_of, reviewer)) == _shape(publication(library, as_of, reviewer))


def test_the_sample_covers_every_decision() -> None:
    """The comparison above means something only if the sample has each case: superseded, current, upcoming,
    retired, and a draft (reviewer site)."""
    library = load_library(SAMPLE)
    states = {state for as_of in DATES for reviewer in (False, True)
              for shown in _shape(site_versions(library, as_of, reviewer)).values() for _v, state in shown[0]}
    assert {"superseded", "current", "upcoming", "retired", "draft"} <= states
