"""The reviewer dashboard review/index.md: versions awaiting approval (draft, in review, approved short
of approvals), the approvals and roles each still needs, and its changes against the version in use."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from helpers import VERSION, shown_body, signed_entry, table_rows, write_library

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
    "<thead>\n<tr>\n<th>Protocol</th>\n<th>Version</th>\n<th>State</th>\n<th>Approvals so far</th>\n"
    "<th>Approvals still needed</th>\n<th>Roles still needed</th>\n<th>Dose changes against the version in use</th>\n"
    "<th>Changes against the version in use</th>\n</tr>\n</thead>"
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


def rows(pages: dict[str, str]) -> list[list[str]]:
    """The dashboard's table rows as the site shows them, each as its cells' HTML."""
    page = shown_body(pages, DASHBOARD)
    assert HEADER in page
    return table_rows(page[page.index(HEADER):])


def test_dashboard_lists_every_version_awaiting_approval(library: Library) -> None:
    pages = render_site(library, AS_OF, reviewer=True)
    page = pages[DASHBOARD]
    assert page.startswith("# Review dashboard\n")
    assert "Versions awaiting approval on 2026-03-10:" in page
    assert rows(pages) == [
        ['<a href="../protocols/esketamine-trd/1.0/">Esketamine for treatment-resistant depression</a>', "1.0",
         "draft, not approved for use", "none", "2", "a pharmacist (Ann Lee, Cy Dee) and a psychiatrist (Bo Chan, "
         "Cy Dee)", "no version in use", "no version in use to compare with"],
        ['<a href="../protocols/ketamine-trd/1.0/">IV ketamine for treatment-resistant depression</a>', "1.0",
         "approved (current)", "pharmacist Ann Lee (2026-03-01)", "1", "a psychiatrist (Bo Chan, Cy Dee)",
         "no version in use", "no version in use to compare with"],
        ['<a href="../protocols/ketamine-trd/1.1/">IV ketamine for treatment-resistant depression</a>', "1.1",
         "in review, not approved for use", "pharmacist Ann Lee (2026-03-01)", "1", "a psychiatrist (Bo Chan, "
         'Cy Dee)', "none", '<a href="../protocols/ketamine-trd/1.1/diff/">changes against version 1.0</a>'],
        ['<a href="../protocols/ketamine-trd/1.2/">IV ketamine for treatment-resistant depression</a>', "1.2",
         "draft, not approved for use", "none", "2", "a pharmacist (Ann Lee, Cy Dee) and a psychiatrist (Bo Chan, "
         "Cy Dee)", "<strong>Dose changed:</strong> regimen ketamine-iv dose: 0.5 mg/kg to 0.6 mg/kg",
         '<a href="../protocols/ketamine-trd/1.2/diff-current/">changes against version 1.0</a>'],
    ]


def test_diff_against_the_current_version_when_it_is_not_the_previous_one(library: Library) -> None:
    pages = render_site(library, AS_OF, reviewer=True)
    assert pages["protocols/ketamine-trd/1.2/diff-current/index.md"].startswith(
        "# IV ketamine for treatment-resistant depression: changes from version 1.0 to version 1.2\n"
    )
    page = shown_body(pages, "protocols/ketamine-trd/1.2/diff-current/index.md")
    assert (
        '<tr><th scope="row"><a href="../#regimen-ketamine-iv">regimen ketamine-iv</a></th>'
        "<td>dose</td><td><del>0.5 mg/kg</del> → <ins>0.6 mg/kg</ins></td></tr>"
    ) in page
    assert '<span class="pc-diff-ins">[added: <ins>pressure and pulse.</ins>]</span>' in page
    assert '<p class="admonition-title">Version 1.2: draft, not approved for use</p>' in page
    # the 1.1 -> 1.2 diff page is a different comparison: only the dose changed there
    assert "<p>No text changed.</p>\n" in pages["protocols/ketamine-trd/1.2/diff/index.md"]
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
    assert page.endswith("may fill each role.</p>\n<p>Nothing is awaiting approval.</p>\n")


def test_history_on_the_reviewer_site_shows_every_sign_off_with_its_verification_state(tmp_path: Path) -> None:
    from helpers import OTHER_KEY, REVIEWER_KEYS

    from generator.approvals.sshsig import ed25519_public_line, parse_public_key

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
    key = {name: parse_public_key(ed25519_public_line(REVIEWER_KEYS[name])).fingerprint
           for name in ("Ann Lee", "Bo Chan", "Cy Dee")}
    other = parse_public_key(ed25519_public_line(OTHER_KEY)).fingerprint
    page = render_site(library, AS_OF, reviewer=True)["protocols/ketamine-trd/history/index.md"]
    shown = page[page.index("Sign-offs in the ledger"):].split("<ul>\n", 1)[1].split("</ul>", 1)[0].splitlines()
    assert shown == [
        f"<li>pharmacist: Ann Lee, 2026-03-01: <strong>verified</strong> (key {key['Ann Lee']})</li>",
        "<li>psychiatrist: Bo Chan, 2026-03-01: <strong>withdrawn</strong> (cancelled by a later withdrawal)</li>",
        f"<li>psychiatrist: Bo Chan, 2026-03-02, withdrawal: <strong>verified</strong> (key {key['Bo Chan']})</li>",
        "<li>psychiatrist: Cy Dee, 2026-03-03: <strong>not verifiable</strong> (its signature does not verify: it "
        f"was made with key {other}, which the register does not list for this reviewer)</li>",
        "<li>pharmacist: Cy Dee, 2026-03-04: <strong>for earlier content</strong> (signed fingerprint "
        "sha256:11111111...)</li>",
    ]
    clinician = render_site(library, AS_OF, reviewer=False)["protocols/ketamine-trd/history/index.md"]
    assert "Sign-offs in the ledger" not in clinician


def test_the_reviewer_site_judges_each_ledger_and_the_register_once(library: Library,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from generator.approvals import signoffs

    calls: list[str] = []
    judge_ledger, build_register = signoffs.ledger, signoffs.register

    def counted_ledger(protocol, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(protocol.id)
        return judge_ledger(protocol, *args, **kwargs)

    def counted_register(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append("register")
        return build_register(*args, **kwargs)

    monkeypatch.setattr(signoffs, "ledger", counted_ledger)
    monkeypatch.setattr(signoffs, "register", counted_register)
    render_site(library, AS_OF, reviewer=True)
    assert sorted(calls) == ["esketamine-trd", "ketamine-trd", "register"]


def test_each_pair_of_versions_is_compared_once_per_build(library: Library, monkeypatch: pytest.MonkeyPatch) -> None:
    """What's new, the dashboard (planned, then rendered) and the diff pages show the same pairs' dosing
    changes: the publication compares each pair once."""
    from generator.approvals import diff, publication

    calls: list[tuple[str, str, str]] = []
    compare = diff.dosing_changes

    def counted(old, new, library=None):  # type: ignore[no-untyped-def]
        calls.append((new.id, old.version, new.version))
        return compare(old, new, library)

    monkeypatch.setattr(diff, "dosing_changes", counted)
    monkeypatch.setattr(publication, "dosing_changes", counted)
    pages = render_site(library, AS_OF, reviewer=True)
    assert sorted(calls) == [("ketamine-trd", "1.0", "1.1"), ("ketamine-trd", "1.0", "1.2"),
                             ("ketamine-trd", "1.1", "1.2")]
    assert {"protocols/ketamine-trd/1.1/diff/index.md", "protocols/ketamine-trd/1.2/diff/index.md",
            "protocols/ketamine-trd/1.2/diff-current/index.md"} <= set(pages)
    assert "0.5 mg/kg to 0.6 mg/kg" in shown_body(pages, DASHBOARD)
