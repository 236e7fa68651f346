"""The reviewer dashboard review/index.md: versions awaiting approval (draft, in review, approved short
of approvals), the approvals and roles each still needs, and its changes against the version in use."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from helpers import VERSION, signed_entry, write_library

from generator.approvals.versions import version_fingerprint
from generator.load.library import Library, load_library
from generator.render.families import render_site

AS_OF = dt.date(2026, 3, 10)
V1_0 = VERSION.replace("status: draft", "status: approved\neffective: 2026-01-01")
V1_1 = (
    VERSION.replace('version: "1.0"', 'version: "1.1"')
    .replace("status: draft", "status: in-review")
    .replace("changes: []", "changes: [Monitoring reworded.]")
    .replace("Monitor blood pressure.", "Monitor blood pressure and pulse.")
)
V1_2 = (
    V1_1.replace('version: "1.1"', 'version: "1.2"')
    .replace("status: in-review", "status: draft")
    .replace("dose: 0.5 mg/kg", "dose: 0.6 mg/kg")
    .replace("changes: [Monitoring reworded.]", "changes: [ketamine-iv raised.]")
)
NEW_PROTOCOL = VERSION.replace("ketamine-trd", "esketamine-trd").replace("IV ketamine", "Esketamine")
DASHBOARD = "review/index.md"
HEADER = (
    "| Protocol | Version | State | Approvals so far | Approvals still needed | Roles still needed "
    "| Dose changes against the version in use | Changes against the version in use |"
)


def ledger_entry(version: str, reviewer: str, role: str, fingerprint: str) -> str:
    return signed_entry(version, reviewer, role, fingerprint, date="2026-03-01")


@pytest.fixture
def library(tmp_path: Path) -> Library:
    files = {
        "ketamine-trd/1.0.yaml": V1_0,
        "ketamine-trd/1.1.yaml": V1_1,
        "ketamine-trd/1.2.yaml": V1_2,
        "esketamine-trd/1.0.yaml": NEW_PROTOCOL,
    }
    root = write_library(tmp_path, files)
    first = load_library(root, "protocols")
    protocol = first.protocols["ketamine-trd"]
    prints = {number: version_fingerprint(version, first) for number, version in protocol.versions.items()}
    ledger = (
        ledger_entry("1.0", "Ann Lee", "pharmacist", prints["1.0"])  # 1.0 approved by one reviewer only
        + ledger_entry("1.1", "Ann Lee", "pharmacist", prints["1.1"])
        + ledger_entry("1.1", "Bo Chan", "psychiatrist", "sha256:" + "0" * 64)  # stale: does not count
    )
    (root / "ketamine-trd" / "approvals.yaml").write_text(ledger, encoding="utf-8")
    return load_library(root, "protocols")


def rows(page: str) -> list[str]:
    table = page[page.index(HEADER) :].splitlines()
    return [line for line in table[2:] if line.startswith("|")]


def test_dashboard_lists_every_version_awaiting_approval(library: Library) -> None:
    page = render_site(library, AS_OF, reviewer=True)[DASHBOARD]
    assert page.startswith("# Review dashboard\n")
    assert "Versions awaiting approval on 2026-03-10:" in page
    assert rows(page) == [
        "| [Esketamine for treatment-resistant depression](../protocols/esketamine-trd/1.0/index.md) | 1.0 "
        "| draft, not approved for use | none | 2 | a pharmacist \\(Ann Lee, Cy Dee\\) and a psychiatrist \\(Bo Chan, "
        "Cy Dee\\) | no version in use | no version in use to compare with |",
        "| [IV ketamine for treatment-resistant depression](../protocols/ketamine-trd/1.0/index.md) | 1.0 "
        "| approved (current) | pharmacist Ann Lee (2026-03-01) | 1 | a psychiatrist \\(Bo Chan, Cy Dee\\) "
        "| no version in use | no version in use to compare with |",
        "| [IV ketamine for treatment-resistant depression](../protocols/ketamine-trd/1.1/index.md) | 1.1 "
        "| in review, not approved for use | pharmacist Ann Lee (2026-03-01) | 1 | a psychiatrist \\(Bo Chan, "
        "Cy Dee\\) | none | [changes against version 1.0](../protocols/ketamine-trd/1.1/diff/index.md) |",
        "| [IV ketamine for treatment-resistant depression](../protocols/ketamine-trd/1.2/index.md) | 1.2 "
        "| draft, not approved for use | none | 2 | a pharmacist \\(Ann Lee, Cy Dee\\) and a psychiatrist \\(Bo Chan, "
        "Cy Dee\\) | **Dose changed:** regimen ketamine-iv dose: 0.5 mg/kg to 0.6 mg/kg "
        "| [changes against version 1.0](../protocols/ketamine-trd/1.2/diff-current/index.md) |",
    ]


def test_diff_against_the_current_version_when_it_is_not_the_previous_one(library: Library) -> None:
    pages = render_site(library, AS_OF, reviewer=True)
    page = pages["protocols/ketamine-trd/1.2/diff-current/index.md"]
    assert page.startswith(
        "# IV ketamine for treatment-resistant depression: changes from version 1.0 to version 1.2\n"
    )
    assert (
        '<tr><th scope="row"><a href="../#regimen-ketamine-iv">regimen ketamine-iv</a></th>'
        "<td>dose</td><td><del>0.5 mg/kg</del> → <ins>0.6 mg/kg</ins></td></tr>"
    ) in page
    assert '<span class="pc-diff-ins">[added: <ins>pressure and pulse.</ins>]</span>' in page
    assert '!!! danger "Version 1.2: draft, not approved for use"' in page
    # the 1.1 -> 1.2 diff page is a different comparison: only the dose changed there
    assert "No text changed.\n" in pages["protocols/ketamine-trd/1.2/diff/index.md"]
    assert sorted(path for path in pages if "diff-current" in path) == [
        "protocols/ketamine-trd/1.2/diff-current/index.md"
    ]


def test_clinician_site_has_no_dashboard(library: Library) -> None:
    pages = render_site(library, AS_OF, reviewer=False)
    assert [path for path in pages if path.startswith("review/") or "diff" in path] == []


def test_nothing_awaiting_approval(tmp_path: Path) -> None:
    root = write_library(tmp_path, {"ketamine-trd/1.0.yaml": V1_0})
    library = load_library(root, "protocols")
    prints = version_fingerprint(library.protocols["ketamine-trd"].versions["1.0"], library)
    ledger = ledger_entry("1.0", "Ann Lee", "pharmacist", prints)
    ledger += ledger_entry("1.0", "Bo Chan", "psychiatrist", prints)
    (root / "ketamine-trd" / "approvals.yaml").write_text(ledger, encoding="utf-8")
    page = render_site(load_library(root, "protocols"), AS_OF, reviewer=True)[DASHBOARD]
    assert page.endswith("may fill each role.\n\nNothing is awaiting approval.\n")


def test_history_on_the_reviewer_site_shows_every_sign_off_with_its_verification_state(tmp_path: Path) -> None:
    from helpers import OTHER_KEY, REVIEWER_KEYS

    from generator.approvals.sshsig import ed25519_public_line, parse_public_key
    from generator.render.templates import plain

    root = write_library(tmp_path, {"ketamine-trd/1.0.yaml": V1_0})
    library = load_library(root, "protocols")
    prints = version_fingerprint(library.protocols["ketamine-trd"].versions["1.0"], library)
    ledger = (
        ledger_entry("1.0", "Ann Lee", "pharmacist", prints)
        + ledger_entry("1.0", "Bo Chan", "psychiatrist", prints)
        + signed_entry("1.0", "Bo Chan", "psychiatrist", prints, date="2026-03-02", withdrawn=True)
        + signed_entry("1.0", "Cy Dee", "psychiatrist", prints, date="2026-03-03", key=OTHER_KEY)
        + signed_entry("1.0", "Cy Dee", "pharmacist", "sha256:" + "1" * 64, date="2026-03-04")
    )
    (root / "ketamine-trd" / "approvals.yaml").write_text(ledger, encoding="utf-8")
    library = load_library(root, "protocols")
    key = {name: plain(parse_public_key(ed25519_public_line(REVIEWER_KEYS[name])).fingerprint)
           for name in ("Ann Lee", "Bo Chan", "Cy Dee")}
    other = plain(parse_public_key(ed25519_public_line(OTHER_KEY)).fingerprint)
    page = render_site(library, AS_OF, reviewer=True)["protocols/ketamine-trd/history/index.md"]
    shown = page[page.index("Sign-offs in the ledger"):].split("\n\n")[1].splitlines()
    assert shown == [
        f"- pharmacist: Ann Lee, 2026-03-01: **verified** (key {key['Ann Lee']})",
        "- psychiatrist: Bo Chan, 2026-03-01: **withdrawn** (cancelled by a later withdrawal)",
        f"- psychiatrist: Bo Chan, 2026-03-02, withdrawal: **verified** (key {key['Bo Chan']})",
        "- psychiatrist: Cy Dee, 2026-03-03: **not verifiable** (its signature does not verify: it was made with "
        f"key {other}, which the register does not list for this reviewer)",
        "- pharmacist: Cy Dee, 2026-03-04: **for earlier content** (signed fingerprint sha256:11111111...)",
    ]
    clinician = render_site(library, AS_OF, reviewer=False)["protocols/ketamine-trd/history/index.md"]
    assert "Sign-offs in the ledger" not in clinician
