"""render_site on a small library written into tmp_path: which pages exist on which date, in which
state, in which order, and that drafts never reach the clinician site.

Golden page: tests/golden/alpha-drug-2.0.md is the canonical page of alpha-drug on 2026-03-10.
Regenerate it after an intended change with `UPDATE_GOLDEN=1 .venv/bin/pytest tests/test_render_site.py`
and review the diff before committing it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from pathlib import Path

import pytest
from helpers import REVIEWER_KEYS, register_yaml, signed_ledger, write_files

from generator.approvals.sshsig import ed25519_public_line, parse_public_key
from generator.approvals.versions import version_fingerprint
from generator.load.library import Library, load_library
from generator.render.families import render_site
from generator.render.templates import plain

GOLDEN = Path(__file__).parent / "golden" / "alpha-drug-2.0.md"
BEFORE_2_0 = dt.date(2026, 2, 1)
AFTER_2_0 = dt.date(2026, 3, 10)

REFERENCES = """\
smith-2020:
  type: article
  authors: [Smith AB, Jones CD]
  title: Alphacaine for testing
  journal: J Test Med
  year: 2020
  volume: 12
  issue: 3
  pages: 100-110
  doi: 10.1000/test.2020.1
  pmid: 12345678
label-alphacaine:
  type: label
  title: Alphacaine prescribing information
  publisher: Example Pharma
  year: 2021
"""

DRUGS = """\
alphacaine:
  name: alphacaine
  ceiling: 1 mg/kg
"""

POLICY = """\
approval:
  minimum: 2
  required_roles: [pharmacist, physician]
review_interval_months: 24
""" + register_yaml(("Pat Pharm", "pharmacist"), ("Dr Phil Doc", "physician"))

HANDBOOKS = """\
- id: testing
  title: Testing handbook
  description: Protocols used by the render tests.
  protocols: [alpha-drug, beta-draft]
"""

ALPHA_1_0 = """\
id: alpha-drug
version: "1.0"
title: Alpha drug for tests
status: approved
effective: 2026-01-01
owner: Department of Tests
summary: |
  Give {{ alpha-iv.dose }} {{ alpha-iv.route }} [@smith-2020].
changes: []
regimens:
  - id: alpha-iv
    drug: alphacaine
    route: IV
    dose: 0.4 mg/kg
    cite: [smith-2020]
"""

ALPHA_2_0 = """\
id: alpha-drug
version: "2.0"
title: Alpha drug for tests
status: approved
effective: 2026-03-01
owner: Department of Tests
summary: |
  Give {{ alpha-iv.dose }} {{ alpha-iv.route }} over {{ alpha-iv.duration }},
  {{ course.frequency }} for {{ course.length }} [@smith-2020]. See [[#safety]].
changes:
  - Raised alpha-iv to {{ alpha-iv.dose }} and added a cap [@label-alphacaine].
regimens:
  - id: alpha-iv
    drug: alphacaine
    route: IV
    dose: 0.5 mg/kg
    dose_range: {min: 0.25 mg/kg, max: 0.75 mg/kg}
    max_dose: 40 mg
    duration: 30 min
    concentration: 10 mg/mL
    cite: [smith-2020, label-alphacaine]
    notes: Dilute before use.
phases:
  - id: course
    name: Course
    regimen: alpha-iv
    frequency: 2 per week
    length: 3 weeks
    doses: 6
dose_tables:
  - regimen: alpha-iv
    weights: {from: 60 kg, to: 100 kg, step: 10 kg}
sections:
  - id: safety
    title: Safety (read first)
    body: Monitor *blood pressure* [@label-alphacaine].
algorithm:
  - Weigh the patient.
  - Give the dose from the table ([[#dose-table]]).
"""

ALPHA_2_1 = (
    ALPHA_2_0.replace('version: "2.0"', 'version: "2.1"')
    .replace("status: approved", "status: draft")
    .replace("effective: 2026-03-01\n", "")
)

BETA_1_0 = """\
id: beta-draft
version: "1.0"
title: Beta protocol still in draft
status: draft
summary: Not yet.
regimens:
  - id: beta-po
    drug: alphacaine
    route: PO
    dose: 20 mg
"""


PAT_PRINT, PHIL_PRINT = (parse_public_key(ed25519_public_line(REVIEWER_KEYS[name])).fingerprint
                         for name in ("Pat Pharm", "Dr Phil Doc"))


def approvals(folder: Path, *versions: str) -> str:
    """A ledger approving alpha-drug's `versions` by a pharmacist and a physician, signed."""
    entries = [(version, reviewer, role, f"2025-12-{day}") for version in versions
               for reviewer, role, day in (("Pat Pharm", "pharmacist", "10"), ("Dr Phil Doc", "physician", "12"))]
    return signed_ledger(folder, "alpha-drug", entries)


def fingerprint_of(path: Path) -> str:
    """The fingerprint of protocols/<id>/<version>.yaml in its library."""
    library = load_library(path.parent.parent)
    return version_fingerprint(library.protocols[path.parent.name].versions[path.stem], library)


def write_library(root: Path, extra: dict[str, str] | None = None) -> Path:
    folder = root / "protocols"
    files = {
        "_library/references.yaml": REFERENCES,
        "_library/drugs.yaml": DRUGS,
        "_library/policy.yaml": POLICY,
        "_library/handbooks.yaml": HANDBOOKS,
        "alpha-drug/1.0.yaml": ALPHA_1_0,
        "alpha-drug/2.0.yaml": ALPHA_2_0,
        "alpha-drug/2.1.yaml": ALPHA_2_1,
        "beta-draft/1.0.yaml": BETA_1_0,
        **(extra or {}),
    }
    write_files(folder, files)
    ledger = approvals(folder, "1.0", "2.0")
    (folder / "alpha-drug" / "approvals.yaml").write_text(ledger, encoding="utf-8")
    return folder


@pytest.fixture
def library(tmp_path: Path) -> Library:
    loaded = load_library(write_library(tmp_path), "protocols")
    assert loaded.diagnostics == []
    return loaded


def test_clinician_site_has_exactly_the_published_pages(library: Library) -> None:
    pages = render_site(library, AFTER_2_0, reviewer=False)
    assert sorted(pages) == [
        "drugs/alphacaine/index.md",
        "drugs/index.md",
        "handbooks/testing/index.md",
        "handbooks/testing/print/index.md",
        "index.md",
        "protocols.json",
        "protocols/alpha-drug/1.0/index.md",
        "protocols/alpha-drug/2.0/diff/index.md",
        "protocols/alpha-drug/2.0/index.md",
        "protocols/alpha-drug/history/index.md",
        "protocols/alpha-drug/index.md",
        "references/index.md",
        "whats-new.md",
    ]


def test_drafts_never_reach_the_clinician_site(library: Library) -> None:
    pages = render_site(library, AFTER_2_0, reviewer=False)
    # handbooks.yaml names beta-draft: its handbook pages list the id, unlinked, and nothing of the draft
    unpublished = ("| 2 | beta-draft | | not yet published | |\n", "2. beta-draft: not yet published\n")
    for path, text in pages.items():
        for line in unpublished:
            text = text.replace(line, "")
        assert "2.1" not in text, path
        assert "beta" not in text.lower(), path
        assert "draft" not in text.lower(), path


def test_reviewer_site_adds_drafts_with_banners_and_missing_approvals(library: Library) -> None:
    pages = render_site(library, AFTER_2_0, reviewer=True)
    assert "protocols/alpha-drug/2.1/index.md" in pages
    assert "protocols/beta-draft/index.md" in pages
    assert "protocols/beta-draft/1.0/index.md" in pages
    draft = pages["protocols/alpha-drug/2.1/index.md"]
    assert "**Draft.** Version 2.1 is a draft: not approved for clinical use. The version in use is " \
           "[version 2.0](../index.md).\n" in draft
    assert "No approvals yet. Still needed: a pharmacist and a physician\n{: #approvals }\n" in draft
    # the canonical page still shows the version in use, not the draft
    assert pages["protocols/alpha-drug/index.md"].count("**Version 2.0**") == 1
    home = pages["index.md"]
    assert "## Drafts and versions in review {: #in-review }" in home
    assert (
        "| [Alpha drug for tests](protocols/alpha-drug/2.1/index.md) | 2.1 | draft | a pharmacist and a physician |"
        in home
    )
    beta_row = (
        "| [Beta protocol still in draft](protocols/beta-draft/1.0/index.md) | 1.0 | draft "
        "| a pharmacist and a physician |"
    )
    assert beta_row in home


def test_canonical_page_follows_the_build_date(library: Library) -> None:
    before = render_site(library, BEFORE_2_0, reviewer=False)["protocols/alpha-drug/index.md"]
    after = render_site(library, AFTER_2_0, reviewer=False)["protocols/alpha-drug/index.md"]
    assert "**Version 1.0** · current · effective 2026-01-01" in before
    assert "**Version 2.0** · current · effective 2026-03-01" in after


def test_superseded_and_upcoming_banners_link_the_version_in_use(library: Library) -> None:
    after = render_site(library, AFTER_2_0, reviewer=False)
    old = after["protocols/alpha-drug/1.0/index.md"]
    # inside the dose panel, and beside the dose table for whoever lands on #dose-table
    assert ("**Superseded.** Version 1.0 is no longer in use: use [version 2.0](../index.md), in use since "
            "2026-03-01.\n") in old
    assert ('## Dose table {: #dose-table }\n\n!!! warning "Superseded: not the dose table of the version in use"'
            "\n\n    Version 1.0 is no longer in use: use [version 2.0](../index.md), in use since "
            "2026-03-01.\n") in old
    before = render_site(library, BEFORE_2_0, reviewer=False)
    upcoming = before["protocols/alpha-drug/2.0/index.md"]
    assert ("**Upcoming.** Version 2.0 takes effect on 2026-03-01. Until then, [version 1.0](../index.md) is in "
            "use.\n") in upcoming
    assert '!!! warning "Upcoming: not the dose table of the version in use"' in upcoming


def test_review_overdue_banner_only_after_the_due_date(library: Library) -> None:
    due = dt.date(2028, 3, 1)  # effective 2026-03-01 + 24 months
    on_due = render_site(library, due, reviewer=False)["protocols/alpha-drug/index.md"]
    after_due = render_site(library, due + dt.timedelta(days=1), reviewer=False)["protocols/alpha-drug/index.md"]
    assert "Review overdue" not in on_due
    assert '!!! warning "Review overdue"' in after_due
    assert "This version was due for review on 2028-03-01." in after_due


def test_provenance_block(library: Library) -> None:
    page = render_site(library, AFTER_2_0, reviewer=False)["protocols/alpha-drug/index.md"]
    short = fingerprint_of(library.root / "alpha-drug" / "2.0.yaml")[: len("sha256:") + 8]
    assert re.fullmatch(r"sha256:[0-9a-f]{8}", short)
    # one status line under the title; the approvals and the fingerprint below the dose table
    assert "**Version 2.0** · current · effective 2026-03-01 · review due 2028-03-01 · Department of Tests\n" in page
    assert (
        '<div class="pc-provenance" markdown>\n\n'
        "Approved by pharmacist Pat Pharm (2025-12-10); physician Dr Phil Doc (2025-12-12)\n{: #approvals }\n\n"
        f"Fingerprint `{short}` · [All versions](#versions) · [History](history/index.md)\n"
    ) in page
    assert page.index("{: #dose-table-alpha-iv }") < page.index("pc-provenance") < page.index("{: #dosing }")


def test_sections_come_in_the_page_order(library: Library) -> None:
    page = render_site(library, AFTER_2_0, reviewer=False)["protocols/alpha-drug/index.md"]
    anchors = re.findall(r"^##+ .* \{: #([a-z0-9-]+) \}$", page, re.M)
    assert anchors == [
        "summary",
        "dose-table",
        "dose-table-alpha-iv",
        "dosing",
        "regimen-alpha-iv",
        "schedule",
        "phase-course",
        "safety",
        "algorithm",
        "changes",
        "references",
        "versions",
    ]
    assert (page.index("# Alpha drug for tests") < page.index("pc-status-line") < page.index("pc-dose-panel")
            < page.index("{: #summary }") < page.index("pc-provenance"))


def test_dose_block_states_every_field(library: Library) -> None:
    page = render_site(library, AFTER_2_0, reviewer=False)["protocols/alpha-drug/index.md"]
    assert '<p class="pc-dose"><strong>alphacaine 0.5 mg/kg IV (maximum 40 mg) over 30 minutes</strong></p>' in page
    for label, value in [
        ("Drug", "alphacaine"),
        ("Route", "IV"),
        ("Dose", "0.5 mg/kg (per kg of body weight)"),
        ("Range", "0.25 to 0.75 mg/kg"),
        ("Maximum per dose", "40 mg whatever the weight"),
        ("Duration", "30 minutes"),
        ("Concentration", "10 mg/mL"),
        ("Frequency", "twice per week"),
        ("Length", "3 weeks"),
        ("Doses", "6"),
    ]:
        assert f'<tr><th scope="row">{label}</th><td>{value}</td></tr>\n' in page
    regimen_link = '<a href="#regimen-alpha-iv">alphacaine 0.5 mg/kg IV (maximum 40 mg) over 30 minutes</a>'
    assert f'<tr><th scope="row">Regimen</th><td>{regimen_link}</td></tr>\n' in page


def test_dose_table_rows_mark_capped_doses_in_words(library: Library) -> None:
    page = render_site(library, AFTER_2_0, reviewer=False)["protocols/alpha-drug/index.md"]
    table = page[page.index("{: #dose-table }") : page.index("{: #dosing }")]
    rows = re.findall(r"<tr[^>]*><th scope=\"row\">.*</tr>", table)
    assert rows == [
        '<tr><th scope="row">60 kg</th><td>132.3 lb</td><td>30 mg</td><td>15 to 40 mg</td><td>3 mL</td></tr>',
        '<tr><th scope="row">70 kg</th><td>154.3 lb</td><td>35 mg</td><td>17.5 to 40 mg</td><td>3.5 mL</td></tr>',
        '<tr><th scope="row">80 kg</th><td>176.4 lb</td><td>40 mg</td><td>20 to 40 mg</td><td>4 mL</td></tr>',
        '<tr class="pc-capped"><th scope="row">90 kg</th><td>198.4 lb</td>'
        "<td>40 mg (capped at the maximum)</td><td>22.5 to 40 mg</td><td>4 mL</td></tr>",
        '<tr class="pc-capped"><th scope="row">100 kg</th><td>220.5 lb</td>'
        "<td>40 mg (capped at the maximum)</td><td>25 to 40 mg</td><td>4 mL</td></tr>",
    ]
    assert "give the maximum of 40 mg instead of the weight-based figure." in page


def test_version_switcher_lists_every_published_version(library: Library) -> None:
    pages = render_site(library, AFTER_2_0, reviewer=False)
    canonical = pages["protocols/alpha-drug/index.md"]
    assert (
        "- [Version 2.0](2.0/index.md) (current, effective 2026-03-01) · [changes from the version before]"
        "(2.0/diff/index.md)\n"
    ) in canonical
    assert "- [Version 1.0](1.0/index.md) (superseded, effective 2026-01-01)\n" in canonical
    version_page = pages["protocols/alpha-drug/1.0/index.md"]
    assert "- **Version 1.0** (superseded, effective 2026-01-01): this page\n" in version_page
    assert (
        "- [Version 2.0](../2.0/index.md) (current, effective 2026-03-01) · [changes from the version before]"
        "(../2.0/diff/index.md)\n"
    ) in version_page
    assert "[History of this protocol](../history/index.md)" in version_page
    assert "<script" not in canonical and "onclick" not in canonical


def test_home_page_lists_protocols_and_handbooks(library: Library) -> None:
    home = render_site(library, AFTER_2_0, reviewer=False)["index.md"]
    assert (
        "| Protocol | Version | Status | Effective |\n|---|---|---|---|\n"
        "| [Alpha drug for tests](protocols/alpha-drug/index.md) | 2.0 | current | 2026-03-01 |\n"
    ) in home
    assert "### Testing handbook {: #handbook-testing }" in home
    assert "1. [Alpha drug for tests](protocols/alpha-drug/index.md)\n" in home
    assert "Drafts" not in home


def test_audit_file_lists_published_versions_sorted(library: Library) -> None:
    payload = json.loads(render_site(library, AFTER_2_0, reviewer=False)["protocols.json"])
    folder = library.root / "alpha-drug"
    assert payload == {
        "as_of": "2026-03-10",
        "reviewer_site": False,
        "protocols": [
            {
                "id": "alpha-drug",
                "version": "1.0",
                "status": "approved",
                "state": "superseded",
                "effective": "2026-01-01",
                "fingerprint": fingerprint_of(folder / "1.0.yaml"),
                "signoffs": [
                    {"reviewer": "Pat Pharm", "role": "pharmacist", "date": "2025-12-10", "key": PAT_PRINT},
                    {"reviewer": "Dr Phil Doc", "role": "physician", "date": "2025-12-12", "key": PHIL_PRINT},
                ],
            },
            {
                "id": "alpha-drug",
                "version": "2.0",
                "status": "approved",
                "state": "current",
                "effective": "2026-03-01",
                "fingerprint": fingerprint_of(folder / "2.0.yaml"),
                "signoffs": [
                    {"reviewer": "Pat Pharm", "role": "pharmacist", "date": "2025-12-10", "key": PAT_PRINT},
                    {"reviewer": "Dr Phil Doc", "role": "physician", "date": "2025-12-12", "key": PHIL_PRINT},
                ],
            },
        ],
    }


def test_retired_protocol_keeps_its_page_with_a_banner(tmp_path: Path) -> None:
    retired = ALPHA_2_0.replace('version: "2.0"', 'version: "3.0"').replace("status: approved", "status: retired")
    root = write_library(tmp_path, {"alpha-drug/3.0.yaml": retired.replace("2026-03-01", "2026-03-05")})
    pages = render_site(load_library(root, "protocols"), AFTER_2_0, reviewer=False)
    canonical = pages["protocols/alpha-drug/index.md"]
    assert canonical.startswith("# Alpha drug for tests (retired)\n")
    assert "**Version 3.0** · retired · effective 2026-03-05 · Department of Tests\n" in canonical
    assert "**Retired.** This protocol has been retired and must not be used for new treatment.\n" in canonical
    # 2.0 would be current on this date: a retired protocol has no version in use
    assert "**Version 2.0** · retired · effective 2026-03-01 · Department of Tests\n" in pages[
        "protocols/alpha-drug/2.0/index.md"]
    home = pages["index.md"]
    assert ("## Retired protocols {: #retired }\n\nRetired protocols must not be used for new treatment; "
            "their pages are kept for the record and give no dose.\n\n") in home
    assert "| [Alpha drug for tests](protocols/alpha-drug/index.md) (retired) | 3.0 | retired | 2026-03-05 |" in home
    assert "## Protocols in use {: #protocols }\n\n| Protocol" not in home
    assert "No protocol is in use yet." in home


def test_text_from_data_is_shown_as_written(tmp_path: Path) -> None:
    title = "Alpha <b>drug</b> *for* [tests]"
    root = write_library(tmp_path, {"alpha-drug/1.0.yaml": ALPHA_1_0.replace("Alpha drug for tests", title)})
    pages = render_site(load_library(root, "protocols"), BEFORE_2_0, reviewer=False)
    assert "# Alpha &lt;b&gt;drug&lt;/b&gt; \\*for\\* \\[tests\\]\n" in pages["protocols/alpha-drug/1.0/index.md"]
    assert plain("a|b_c") == "a\\|b\\_c"


def test_rendering_is_deterministic(library: Library, tmp_path: Path) -> None:
    first = render_site(library, AFTER_2_0, reviewer=True)
    again = render_site(load_library(library.root, "protocols"), AFTER_2_0, reviewer=True)
    assert first == again
    assert list(first) == sorted(first)


def test_golden_protocol_page(library: Library) -> None:
    page = render_site(library, AFTER_2_0, reviewer=False)["protocols/alpha-drug/index.md"]
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(page, encoding="utf-8")
    assert page == GOLDEN.read_text(encoding="utf-8")


def test_citations_are_numbered_by_first_use_and_anchored(library: Library) -> None:
    page = render_site(library, AFTER_2_0, reviewer=False)["protocols/alpha-drug/index.md"]
    assert (
        'over 30 minutes,\ntwice per week for 3 weeks <sup class="citation"><a href="#ref-smith-2020">1</a></sup>.'
        in page
    )
    cite_list = '<sup class="citation"><a href="#ref-smith-2020">1</a>,<a href="#ref-label-alphacaine">2</a></sup>'
    assert f'<tr><th scope="row">References</th><td>{cite_list}</td></tr>\n' in page
    references = page[page.index("## References {: #references }") : page.index("## Versions")]
    assert re.findall(r"^(\d+)\. .*\n\{: #ref-([a-z0-9-]+) \}$", references, re.M) == [
        ("1", "smith-2020"),
        ("2", "label-alphacaine"),
    ]


def test_placeholders_and_links_are_rendered(library: Library) -> None:
    page = render_site(library, AFTER_2_0, reviewer=False)["protocols/alpha-drug/index.md"]
    assert "Give 0.5 mg/kg IV over 30 minutes,\ntwice per week for 3 weeks" in page
    assert 'See <a href="#safety">Safety (read first)</a>.' in page
    assert '<li>Give the dose from the table (<a href="#dose-table">Dose table</a>).</li>\n' in page
    assert "<li>Raised alpha-iv to 0.5 mg/kg and added a cap" in page
    assert "{{" not in page and "[@" not in page and "[[" not in page


def test_every_generated_anchor_exists_even_when_a_version_has_no_such_content(library: Library) -> None:
    """[[#dose-table]] or [[#schedule]] pass the checks on any version, so the anchors must always exist."""
    page = render_site(library, BEFORE_2_0, reviewer=False)["protocols/alpha-drug/1.0/index.md"]
    anchors = re.findall(r"\{: #([a-z0-9-]+) \}", page)
    generated = ["summary", "dose-table", "approvals", "dosing", "schedule", "algorithm", "changes", "references",
                 "versions"]
    assert [anchor for anchor in anchors if anchor in generated] == generated
    assert "## Schedule {: #schedule }\n\nThis version sets no schedule.\n" in page
    assert "This version has no weight-based dose table: see the doses below.\n" in page
    assert "## Algorithm {: #algorithm }\n\nThis version has no algorithm.\n" in page


def test_reviewer_site_points_published_pages_at_the_version_in_preparation(library: Library) -> None:
    reviewer = render_site(library, AFTER_2_0, reviewer=True)
    banner = (
        '!!! info "Newer version in preparation"\n\n'
        "    Not yet approved: [version 2.1](2.1/index.md) (draft, not approved for use), "
        "[its changes](2.1/diff/index.md).\n"
    )
    assert banner in reviewer["protocols/alpha-drug/index.md"]
    assert "Newer version in preparation" not in reviewer["protocols/alpha-drug/2.1/index.md"]
    clinician = render_site(library, AFTER_2_0, reviewer=False)
    assert "Newer version in preparation" not in clinician["protocols/alpha-drug/index.md"]


def test_home_links_the_indexes_that_exist_on_each_site() -> None:
    from pathlib import Path

    from generator.load.library import load_library
    from generator.render.families import render_site

    library = load_library(Path(__file__).parent.parent / "protocols")
    clinician = render_site(library, dt.date(2026, 11, 25), reviewer=False)["index.md"]
    reviewer = render_site(library, dt.date(2026, 11, 25), reviewer=True)["index.md"]
    assert ("Also: [What's new](whats-new.md) · [Drugs A to Z](drugs/index.md) · "
            "[Bibliography](references/index.md).\n") in clinician
    assert (
        "Also: [What's new](whats-new.md) · [Drugs A to Z](drugs/index.md) · "
        "[Bibliography](references/index.md) · [Review dashboard](review/index.md).\n" in reviewer
    )


def test_section_links_in_changes_point_at_their_version_page_from_the_history(tmp_path) -> None:
    import shutil
    from pathlib import Path

    from generator.load.library import load_library
    from generator.render.families import render_site

    root = tmp_path / "protocols"
    shutil.copytree(Path(__file__).parent.parent / "protocols", root)
    draft = root / "ketamine-trd" / "1.1.yaml"
    draft.write_text(draft.read_text().replace("changes:\n", 'changes:\n  - "See [[#contraindications]]."\n', 1))
    history = render_site(load_library(root), dt.date(2026, 11, 25), reviewer=True)[
        "protocols/ketamine-trd/history/index.md"
    ]
    assert 'See <a href="../1.1/#contraindications">Contraindications</a>.' in history
