"""render.publication.site_versions (what cross-references resolve against) decides exactly what
`publication` (what the pages show) decides: the same versions, states and canonical versions."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from generator.approvals.publication import ShownSites, publication, site_versions
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


def test_shown_sites_keep_what_they_work_out_for_the_run(tmp_path: Path) -> None:
    from helpers import VERSION, write_library

    from generator.checks import CheckContext, run_checks

    as_of = dt.date(2026, 6, 1)
    library = load_library(SAMPLE)
    sites = ShownSites(library, as_of)
    run_checks(library, CheckContext(as_of=as_of, sites=sites))  # the sample's links: both sites
    kept = dict(sites.by_kind)
    assert sorted(kept) == [False, True]
    assert publication(library, as_of, reviewer=True, sites=sites).protocols.keys() == kept[True].protocols.keys()
    assert sites.by_kind == kept  # read, not worked out again
    with pytest.raises(ValueError, match="another library or build date"):
        publication(library, dt.date(2026, 6, 2), reviewer=True, sites=sites)

    # a version with a schema error is seen by the checks only: nothing worked out meanwhile is kept
    link = VERSION.replace("Monitor blood pressure.", "Monitor blood pressure ([[ketamine-trd]]).")
    assert link != VERSION
    broken = load_library(write_library(tmp_path, {
        "ketamine-trd/1.0.yaml": link.replace("status: draft", "status: approved\neffective: 2026-01-01"),
        "ketamine-trd/1.1.yaml": link.replace('version: "1.0"', 'version: "1.1"').replace("owner: Department",
                                                                                      "ownr: Department")}))
    broken_sites = ShownSites(broken, as_of)
    run_checks(broken, CheckContext(as_of=as_of, sites=broken_sites))
    assert broken_sites.by_kind == {}
    assert "1.1" not in broken_sites.site(True).protocols["ketamine-trd"].by_version
