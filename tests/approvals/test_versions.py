"""Versions over time (§4): fingerprint, status on a date, review dates, the approvals ledger, `new`."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from pathlib import Path

import pytest
import yaml
from helpers import VERSION, signed_entry, write_library
from hypothesis import given
from hypothesis import strategies as st

from generator.approvals import signoffs, versions
from generator.approvals.versions import VersionError
from generator.load.library import Library, Protocol, load_library

D = dt.date
FEB_2 = D(2026, 2, 2)


def version_text(number: str = "1.0", status: str = "draft", effective: str | None = None,
                 changes: str = "[]", dose: str = "0.5 mg/kg") -> str:
    dated = f"status: {status}" + (f"\neffective: {effective}" if effective else "")
    return (
        VERSION.replace('version: "1.0"', f'version: "{number}"')
        .replace("status: draft", dated)
        .replace("changes: []", f"changes: {changes}")
        .replace("dose: 0.5 mg/kg", f"dose: {dose}")
    )


def library_with(tmp_path: Path, files: dict[str, str]) -> Library:
    root = write_library(tmp_path, files)
    library = load_library(root, "protocols")
    assert [d.format_text() for d in library.diagnostics] == []
    return library


def three_versions(tmp_path: Path) -> Protocol:
    library = library_with(tmp_path, {
        "ketamine-trd/1.0.yaml": version_text("1.0", "approved", "2026-01-10"),
        "ketamine-trd/1.1.yaml": version_text(
            "1.1", "approved", "2026-03-01", "[ketamine-iv dose raised]", "0.6 mg/kg"
        ),
        "ketamine-trd/1.2.yaml": version_text("1.2", "draft", None, "[wording]", "0.6 mg/kg"),
    })
    return library.protocols["ketamine-trd"]


# --- fingerprint --------------------------------------------------------------------------------------


def sha(text: str) -> str:
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def test_fingerprint_drops_status_sorts_keys_and_writes_dates_as_iso() -> None:
    doc = {"version": "1.0", "status": "approved", "effective": D(2026, 2, 11), "a": [1, {"z": 2, "b": None}]}
    assert versions.fingerprint(doc) == sha(
        '{"drugs":{},"references":{},"version":{"a":[1,{"b":null,"z":2}],"effective":"2026-02-11","version":"1.0"}}'
    )


def test_fingerprint_keeps_non_ascii_characters_unescaped() -> None:
    assert versions.fingerprint({"title": "µ–é"}) == sha('{"drugs":{},"references":{},"version":{"title":"µ–é"}}')


_scalars = (
    st.none() | st.booleans() | st.integers() | st.text(max_size=8)
    | st.dates() | st.datetimes() | st.floats(allow_nan=False, allow_infinity=False)
)
_documents = st.recursive(_scalars, lambda inner: st.lists(inner, max_size=3)
                          | st.dictionaries(st.text(max_size=5), inner, max_size=3), max_leaves=12)


@given(st.dictionaries(st.text(max_size=6), _documents, max_size=4))
def test_fingerprint_hashes_the_document_with_dates_as_iso_text(doc: dict[str, object]) -> None:
    plain = versions._plain({key: value for key, value in doc.items() if key != "status"})
    text = json.dumps({"version": plain, "drugs": {}, "references": {}}, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False)
    assert versions.fingerprint(doc) == sha(text)


def test_fingerprint_refuses_values_a_document_cannot_hold() -> None:
    with pytest.raises(TypeError, match="Object of type set is not JSON serializable"):
        versions.fingerprint({"a": {1, 2}})


def test_fingerprint_ignores_status_but_not_content() -> None:
    base = {"version": "1.0", "dose": "0.5 mg/kg"}
    assert versions.fingerprint(base | {"status": "draft"}) == versions.fingerprint(base | {"status": "approved"})
    assert versions.fingerprint(base) != versions.fingerprint(base | {"dose": "0.6 mg/kg"})


def test_sample_library_ledger_carries_the_computed_fingerprint() -> None:
    root = Path(__file__).resolve().parents[2] / "protocols"
    library = load_library(root)
    protocol = library.protocols["ketamine-trd"]
    assert {a.fingerprint for a in protocol.approvals} == {
        versions.version_fingerprint(protocol.versions["1.0"], library)
    }


def test_fingerprint_scope_is_the_version_and_the_drug_and_reference_entries_it_uses(tmp_path: Path) -> None:
    library = library_with(tmp_path, {})
    version = library.protocols["ketamine-trd"].versions["1.0"]
    drugs = {"ketamine": {"name": "ketamine", "class": "NMDA receptor antagonist"}}
    references = {"phillips-2019": yaml.safe_load(library.sources["protocols/_library/references.yaml"].text)[
        "phillips-2019"]}
    version_data = {k: v for k, v in yaml.safe_load(VERSION).items() if k != "status"}
    text = json.dumps({"version": version_data, "drugs": drugs, "references": references}, sort_keys=True,
                      separators=(",", ":"), ensure_ascii=False)
    assert versions.version_fingerprint(version, library) == sha(text)


def test_cited_references_come_from_cite_lists_and_the_citations_the_page_shows() -> None:
    from generator.model.schema import VersionDoc
    from generator.text.inline import scan_version
    doc = VersionDoc.model_validate(yaml.safe_load(VERSION.replace(
        "body: Monitor blood pressure.", "body: Monitor blood pressure [@b-ref; @a-ref], not `[@d-ref]`.").replace(
        "cite: [phillips-2019]", "cite: [c-ref, phillips-2019]")), strict=False)
    assert scan_version(doc).cited_references == {"c-ref", "phillips-2019", "b-ref", "a-ref"}
    assert versions.cited_references(doc) == ["a-ref", "b-ref", "c-ref", "phillips-2019"]  # the fingerprint's


# --- status on a date ---------------------------------------------------------------------------------


def test_current_version_is_the_highest_approved_and_effective(tmp_path: Path) -> None:
    protocol = three_versions(tmp_path)
    assert versions.current_version(protocol, D(2026, 1, 9)) is None
    assert versions.current_version(protocol, D(2026, 1, 10)).version == "1.0"
    assert versions.current_version(protocol, D(2026, 2, 28)).version == "1.0"
    assert versions.current_version(protocol, D(2026, 3, 1)).version == "1.1"


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        (D(2026, 1, 9), ["upcoming", "upcoming", "draft"]),
        (D(2026, 2, 1), ["current", "upcoming", "draft"]),
        (D(2026, 3, 1), ["superseded", "current", "draft"]),
    ],
)
def test_state_on_a_date(tmp_path: Path, as_of: dt.date, expected: list[str]) -> None:
    protocol = three_versions(tmp_path)
    assert [versions.state(protocol, v, as_of) for v in protocol.ordered()] == expected


def test_published_hides_drafts_from_clinicians_only(tmp_path: Path) -> None:
    protocol = three_versions(tmp_path)
    assert [v.version for v in versions.published(protocol, reviewer=False)] == ["1.0", "1.1"]
    assert [v.version for v in versions.published(protocol, reviewer=True)] == ["1.0", "1.1", "1.2"]


def test_protocol_retired_when_highest_non_draft_is_retired(tmp_path: Path) -> None:
    library = library_with(tmp_path, {
        "ketamine-trd/1.0.yaml": version_text("1.0", "retired", "2026-01-10"),
        "ketamine-trd/1.1.yaml": version_text("1.1", "draft", None, "[wording]"),
    })
    protocol = library.protocols["ketamine-trd"]
    assert versions.protocol_retired(protocol) is True
    assert versions.state(protocol, protocol.versions["1.0"], D(2026, 6, 1)) == "retired"
    assert versions.current_version(protocol, D(2026, 6, 1)) is None


def test_protocol_not_retired_when_a_later_version_is_approved(tmp_path: Path) -> None:
    library = library_with(tmp_path, {
        "ketamine-trd/1.0.yaml": version_text("1.0", "retired", "2026-01-10"),
        "ketamine-trd/1.1.yaml": version_text("1.1", "approved", "2026-02-10", "[wording]"),
    })
    assert versions.protocol_retired(library.protocols["ketamine-trd"]) is False


# --- review dates -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (D(2026, 2, 11), 24, D(2028, 2, 11)),
        (D(2026, 1, 31), 1, D(2026, 2, 28)),
        (D(2024, 1, 31), 1, D(2024, 2, 29)),
        (D(2026, 11, 30), 3, D(2027, 2, 28)),
        (D(2026, 12, 15), 1, D(2027, 1, 15)),
        (D(2026, 3, 31), 12, D(2027, 3, 31)),
    ],
)
def test_add_months_clamps_to_the_month_end(start: dt.date, months: int, expected: dt.date) -> None:
    assert versions.add_months(start, months) == expected


def test_review_due_defaults_to_effective_plus_policy_interval(tmp_path: Path) -> None:
    library = library_with(tmp_path, {"ketamine-trd/1.0.yaml": version_text("1.0", "approved", "2026-08-31")})
    version = library.protocols["ketamine-trd"].versions["1.0"]
    assert versions.review_due(version, library.policy) == D(2028, 8, 31)
    assert versions.review_overdue(version, library.policy, D(2028, 8, 31)) is False
    assert versions.review_overdue(version, library.policy, D(2028, 9, 1)) is True


def test_review_due_written_in_the_file_wins(tmp_path: Path) -> None:
    text = version_text("1.0", "approved", "2026-08-31").replace("owner:", "review_due: 2027-01-01\nowner:")
    library = library_with(tmp_path, {"ketamine-trd/1.0.yaml": text})
    version = library.protocols["ketamine-trd"].versions["1.0"]
    assert versions.review_due(version, library.policy) == D(2027, 1, 1)


def test_a_draft_has_no_review_date(tmp_path: Path) -> None:
    library = library_with(tmp_path, {})
    version = library.protocols["ketamine-trd"].versions["1.0"]
    assert versions.review_due(version, library.policy) is None
    assert versions.review_overdue(version, library.policy, D(2099, 1, 1)) is False


# --- approvals ----------------------------------------------------------------------------------------


def ledger(*entries: tuple[str, str, str, str]) -> str:
    return "".join(signed_entry(v, r, role, fp) for v, r, role, fp in entries)


def missing(protocol: Protocol, library: Library, fingerprint: bool = True) -> tuple[int, list[str]]:
    version = protocol.versions["1.0"]
    found = signoffs.missing_for(protocol, version, library,
                                 versions.version_fingerprint(version, library) if fingerprint else None)
    return found.reviewers, found.roles


def test_missing_approvals_counts_distinct_reviewers_and_required_roles(tmp_path: Path) -> None:
    library = library_with(tmp_path, {})
    fp = versions.version_fingerprint(library.protocols["ketamine-trd"].versions["1.0"], library)
    cases = [
        ([], (2, ["pharmacist", "psychiatrist"])),
        ([("1.0", "Ann Lee", "pharmacist", fp)], (1, ["psychiatrist"])),
        ([("1.0", "Cy Dee", "pharmacist", fp), ("1.0", "cy  dee", "psychiatrist", fp)], (1, ["psychiatrist"])),
        ([("1.0", "Ann Lee", "pharmacist", fp), ("1.0", "Bo Chan", "Psychiatrist", fp)], (0, [])),
        ([("1.0", "Ann Lee", "pharmacist", fp), ("1.1", "Bo Chan", "psychiatrist", fp)], (1, ["psychiatrist"])),
        # Cy Dee holds both roles: with Ann Lee as pharmacist, Cy Dee fills psychiatrist
        ([("1.0", "Cy Dee", "pharmacist", fp), ("1.0", "Cy Dee", "psychiatrist", fp),
          ("1.0", "Ann Lee", "pharmacist", fp)], (0, [])),
    ]
    for entries, expected in cases:
        (tmp_path / "protocols/ketamine-trd/approvals.yaml").write_text(ledger(*entries) or "[]\n")
        library = load_library(tmp_path / "protocols")
        assert missing(library.protocols["ketamine-trd"], library) == expected, entries


def test_stale_approvals_count_as_missing_until_re_approved(tmp_path: Path) -> None:
    entries = [("1.0", "Ann Lee", "pharmacist", "sha256:old"), ("1.0", "Bo Chan", "psychiatrist", "sha256:old")]
    library = library_with(tmp_path, {"ketamine-trd/approvals.yaml": ledger(*entries)})
    protocol = library.protocols["ketamine-trd"]
    assert missing(protocol, library) == (2, ["pharmacist", "psychiatrist"])
    assert missing(protocol, library, fingerprint=False) == (0, [])
    fp = versions.version_fingerprint(protocol.versions["1.0"], library)
    reapproved = ledger(*entries, ("1.0", "Ann Lee", "pharmacist", fp))
    (tmp_path / "protocols/ketamine-trd/approvals.yaml").write_text(reapproved)
    library = load_library(tmp_path / "protocols")
    protocol = library.protocols["ketamine-trd"]
    judged = signoffs.ledger(protocol, library)
    assert [(s.index, s.entry.fingerprint) for s in judged.standing("1.0")] == [(1, "sha256:old"), (2, fp)]
    assert len(judged.for_version("1.0")) == 3
    assert missing(protocol, library) == (1, ["psychiatrist"])


def ledger_entry(reviewer: str = "Dr Ann Lee", role: str = "pharmacist", version: str = "1.0",
          date: dt.date = FEB_2, fingerprint: str = "sha256:ab") -> dict[str, object]:
    return {"version": version, "reviewer": reviewer, "role": role, "date": date, "fingerprint": fingerprint}


def test_append_approval_creates_the_ledger_with_a_header(tmp_path: Path) -> None:
    folder = write_library(tmp_path) / "ketamine-trd"
    appended = versions.append_entry(folder, ledger_entry())
    assert appended == (
        "- version: '1.0'\n  reviewer: Dr Ann Lee\n  role: pharmacist\n  date: 2026-02-02\n  fingerprint: sha256:ab\n"
    )
    assert (folder / "approvals.yaml").read_text() == versions.LEDGER_HEADER + appended
    protocol = load_library(folder.parent).protocols["ketamine-trd"]
    assert [(a.version, a.reviewer, a.role, a.date) for a in protocol.approvals] == [
        ("1.0", "Dr Ann Lee", "pharmacist", D(2026, 2, 2))
    ]


@pytest.mark.parametrize("old", [b"# hand-written header\n- version: \"1.0\"\n  reviewer: A\n  role: pharmacist\n"
                                 b"  date: 2026-01-01\n  fingerprint: sha256:x   # note\n", b"# only a comment"])
def test_append_approval_keeps_existing_bytes_exactly(tmp_path: Path, old: bytes) -> None:
    folder = write_library(tmp_path) / "ketamine-trd"
    (folder / "approvals.yaml").write_bytes(old)
    versions.append_entry(folder, ledger_entry("B", "psychiatrist", date=D(2026, 2, 3), fingerprint="sha256:y"))
    new = (folder / "approvals.yaml").read_bytes()
    assert new.startswith(old)
    assert yaml.safe_load(new)[-1] == {
        "version": "1.0", "reviewer": "B", "role": "psychiatrist", "date": D(2026, 2, 3), "fingerprint": "sha256:y"
    }


@pytest.mark.parametrize("name", ["O'Brien: Dr", "#1 reviewer", "yes", "- dash", 'Quote "q"', "Zoë Ñúñez"])
def test_append_approval_quotes_any_name_safely(tmp_path: Path, name: str) -> None:
    folder = write_library(tmp_path) / "ketamine-trd"
    versions.append_entry(folder, ledger_entry(name, version="1.10"))
    (entry,) = yaml.safe_load((folder / "approvals.yaml").read_text(encoding="utf-8"))
    assert (entry["reviewer"], entry["version"]) == (name, "1.10")


def test_append_approval_refuses_a_ledger_it_cannot_extend(tmp_path: Path) -> None:
    folder = write_library(tmp_path) / "ketamine-trd"
    (folder / "approvals.yaml").write_bytes(b"[]\n")
    with pytest.raises(VersionError, match="is not a plain block list of approvals; nothing was appended"):
        versions.append_entry(folder, ledger_entry("B"))
    assert (folder / "approvals.yaml").read_bytes() == b"[]\n"


def test_append_approval_leaves_the_old_ledger_when_the_rename_fails(tmp_path: Path, monkeypatch) -> None:
    folder = write_library(tmp_path) / "ketamine-trd"
    old = versions.LEDGER_HEADER.encode() + versions.ledger_entry_text(ledger_entry("A", "r")).encode()
    (folder / "approvals.yaml").write_bytes(old)

    def crash(*_args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="disk full"):
        versions.append_entry(folder, ledger_entry("B"))
    assert (folder / "approvals.yaml").read_bytes() == old
    assert sorted(p.name for p in folder.iterdir()) == ["1.0.yaml", "approvals.yaml"]


# --- new draft versions -------------------------------------------------------------------------------


def test_new_version_copies_the_latest_text_as_the_next_draft(tmp_path: Path) -> None:
    text = "# keep this comment\n" + version_text("1.9", "approved", "2026-01-10").replace(
        "owner:", "review_due: 2027-01-01   # reviewed early\nowner:"
    ).replace("changes: []", "changes:\n  - >-\n    raised ketamine-iv\n    dose\n# trailing comment kept\n")
    root = write_library(tmp_path, {"ketamine-trd/1.0.yaml": version_text(), "ketamine-trd/1.9.yaml": text})
    protocol = load_library(root).protocols["ketamine-trd"]
    path, new_text = versions.new_version(protocol)
    assert path == root / "ketamine-trd" / "1.10.yaml"
    assert path.read_text() == new_text
    expected = (
        text.replace('version: "1.9"', 'version: "1.10"')
        .replace("status: approved\neffective: 2026-01-10\n", "status: draft\n")
        .replace("review_due: 2027-01-01   # reviewed early\n", "")
        .replace("changes:\n  - >-\n    raised ketamine-iv\n    dose\n", "changes: []\n")
    )
    assert new_text == expected
    library = load_library(root, "protocols")
    assert [d.format_text() for d in library.diagnostics] == []
    assert library.protocols["ketamine-trd"].versions["1.10"].doc.status == "draft"


def test_new_version_from_an_earlier_version_and_without_changes_key(tmp_path: Path) -> None:
    first = version_text("1.0", "approved", "2026-01-10").replace("changes: []\n", "")
    root = write_library(tmp_path, {
        "ketamine-trd/1.0.yaml": first,
        "ketamine-trd/1.1.yaml": version_text("1.1", "draft", None, "[x]"),
    })
    plan = versions.plan_new_version(load_library(root).protocols["ketamine-trd"], "1.0")
    assert (plan.version, plan.copied_from, plan.dropped) == ("1.2", "1.0", ("effective",))
    assert plan.text == first.replace('version: "1.0"', 'version: "1.2"').replace(
        "status: approved\neffective: 2026-01-10\n", "status: draft\nchanges: []\n"
    )
    assert not plan.path.exists()


def test_new_version_refuses_unknown_source_and_existing_target(tmp_path: Path) -> None:
    root = write_library(tmp_path)
    protocol = load_library(root).protocols["ketamine-trd"]
    with pytest.raises(VersionError, match=r"^protocol ketamine-trd has no version 3.0 \(versions: 1.0\)$"):
        versions.new_version(protocol, "3.0")
    (root / "ketamine-trd" / "1.1.yaml").write_text("x: 1\n")  # appears after the library was read
    with pytest.raises(VersionError, match=r"1.1.yaml already exists$"):
        versions.new_version(protocol)
    assert (root / "ketamine-trd" / "1.1.yaml").read_text() == "x: 1\n"


def test_new_version_counts_invalid_files_when_numbering(tmp_path: Path) -> None:
    root = write_library(tmp_path, {"ketamine-trd/1.1.yaml": "id: [unclosed\n"})
    protocol = load_library(root).protocols["ketamine-trd"]
    assert versions.next_version_number(protocol) == "1.2"
    with pytest.raises(VersionError) as refused:
        versions.plan_new_version(protocol, "1.1")
    assert str(refused.value) == f"version 1.1 of ketamine-trd does not validate: run `protocols check {root}`"


def test_append_entry_refuses_a_ledger_that_is_a_symbolic_link(tmp_path: Path) -> None:
    folder = write_library(tmp_path) / "ketamine-trd"
    target = tmp_path / "elsewhere.yaml"
    target.write_bytes(b"# not a ledger of this library\n")
    (folder / "approvals.yaml").symlink_to(target)
    with pytest.raises(VersionError, match="approvals.yaml is not a regular file; nothing was appended"):
        versions.append_entry(folder, ledger_entry("B"))
    assert target.read_bytes() == b"# not a ledger of this library\n"


def test_reviewer_names_match_after_nfkc_case_folding_and_white_space(tmp_path: Path) -> None:
    first = library_with(tmp_path, {})
    fp = versions.version_fingerprint(first.protocols["ketamine-trd"].versions["1.0"], first)
    # fullwidth letters (NFKC), other case, a tab and doubled spaces: the same person as "Ann Lee"
    names = ["\uff21nn Lee", "ANN LEE", "Ann\t Lee", "ann  lee"]
    text = "".join(signed_entry("1.0", name, "pharmacist", fp, date=f"2026-01-0{n + 1}")
                   for n, name in enumerate(names))
    library = library_with(tmp_path, {"ketamine-trd/approvals.yaml": text})
    judged = signoffs.ledger(library.protocols["ketamine-trd"], library)
    assert [(s.name, s.counts) for s in judged.signoffs] == [("Ann Lee", True)] * 4
    assert [s.index for s in judged.standing("1.0")] == [3]  # one reviewer, one role: the latest stands
