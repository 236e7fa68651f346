"""The caches of the check path: each gives exactly what computing afresh gives."""

from __future__ import annotations

import datetime as dt
import gc
import re
from pathlib import Path
from types import SimpleNamespace
from unittest import mock

import pytest
import yaml
from helpers import write_files
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic_core import PydanticCustomError
from test_prose_rules import VERSION

from generator import checks as checks_module
from generator.approvals import versions
from generator.approvals.versions import version_fingerprint
from generator.checks import CheckContext, run_checks
from generator.load import library as library_module
from generator.load.library import Library, VersionFile, load_library
from generator.load.yaml_source import SourceFile, load_text
from generator.model import field_types
from generator.text import inline
from generator.text import prose_findings as prose
from generator.text.inline import Citation, CitationKey, Placeholder, shared_scans, tokenize
from generator.text.prose_findings import ABBREVIATIONS, abbreviation_findings, prose_quantities, quantities_findings
from generator.text.reader_text import plain_run

TEXT = "Give {{ r.dose }} [@a]."
TOKENS = [Placeholder(5, 17, "{{ r.dose }}", "r", "dose"), Citation(18, 22, "[@a]", (CitationKey("a", 20),))]


def test_within_shared_scans_each_text_is_scanned_once_and_each_caller_gets_its_own_list() -> None:
    with mock.patch.object(inline, "_scan", wraps=inline._scan) as scan, shared_scans():
        first = tokenize(TEXT)
        first.append(first[0])
        assert tokenize(TEXT) == TOKENS
        assert scan.call_count == 1
        with shared_scans():
            assert tokenize(TEXT) == TOKENS
        assert scan.call_count == 1


def test_outside_shared_scans_nothing_is_kept() -> None:
    with mock.patch.object(inline, "_scan", wraps=inline._scan) as scan:
        with shared_scans():
            assert tokenize(TEXT) == TOKENS
        assert inline._scans is None
        assert tokenize(TEXT) == TOKENS
        assert tokenize(TEXT) == TOKENS
        assert scan.call_count == 3


def _abbreviations_one_by_one(text: str) -> list[tuple[int, str]]:
    """The scan as it was: every pattern of prose.ABBREVIATIONS in turn."""
    return [(match.start(), match.group(0)) for pattern, _i, _w in ABBREVIATIONS for match in pattern.finditer(text)]


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from([*"sScCqQoOdDtTiIwWbBhHmL.- \n5_x", "SC", "s.c.", "qod", "Q.D.", "TIW", "b.i.w.",
                                 "h.s.", "cc", "SQ", "hs", "5 cc"]), max_size=14).map("".join))
def test_one_scan_finds_the_abbreviations_each_pattern_finds_in_the_same_order(text: str) -> None:
    expected = [start for start, written in _abbreviations_one_by_one(text)
                if not (written == "cc" and re.search(r"[0-9][ \t\u00a0]*$", text[max(0, start - 8):start]))]
    assert [finding.offset for finding in abbreviation_findings(plain_run(text))] == expected


@pytest.mark.parametrize("spellings", [spellings for spellings, _i, _w in prose._ABBREVIATION_SPELLINGS])
@given(data=st.data())
def test_every_abbreviation_starts_with_a_letter_the_one_scan_looks_for(spellings: str, data: st.DataObject) -> None:
    written = data.draw(st.from_regex(spellings, fullmatch=True))
    assert written[0] in prose.ABBREVIATION_FIRST_LETTERS


def test_abbreviations_come_pattern_by_pattern_and_cc_after_a_number_is_left_to_p109() -> None:
    assert [(f.offset, f.message) for f in abbreviation_findings(plain_run("hs, 5 cc or cc, then SC; h.s.c."))] == [
        (21, 'error-prone abbreviation "SC": write "SUBCUT"'),
        (27, 'error-prone abbreviation "s.c.": write "SUBCUT"'),
        (0, 'error-prone abbreviation "hs": write "at bedtime" or "half-strength"'),
        (12, 'error-prone abbreviation "cc": write "mL"'),
    ]


def test_a_versions_quantities_are_gathered_once_for_all_its_fields() -> None:
    first, second = SimpleNamespace(regimens=[], phases=[]), SimpleNamespace(regimens=[], phases=[])
    with mock.patch.object(prose, "data_quantities", wraps=prose.data_quantities) as gather:
        for doc in (first, first, second, first):
            [finding] = quantities_findings(prose_quantities(plain_run("Give 5 mg.")), doc)
            assert finding.message == 'dose "5 mg" matches no quantity of this version\'s data'
    assert [call.args[0] for call in gather.call_args_list] == [first, second, first]


def test_prose_shared_by_two_versions_is_judged_against_each_versions_data(tmp_path: Path) -> None:
    text = "Give 0.5 mg/kg as {{ ketamine-iv.dose }} for {{ induction.doses }} doses."
    second = VERSION.replace('version: "1.0"', 'version: "1.1"').replace("dose: 0.5 mg/kg", "dose: 0.4 mg/kg")
    second = second.replace("    doses: 6\n", "")
    files = {
        "_library/references.yaml": "{}\n",
        "_library/drugs.yaml": "ketamine:\n  name: ketamine\n",
        "_library/policy.yaml": "approval:\n  minimum: 1\n",
        "ketamine-trd/1.0.yaml": VERSION.replace("TEXT", text),
        "ketamine-trd/1.1.yaml": second.replace("TEXT", text),
    }
    write_files(tmp_path / "protocols", files)
    library = load_library(tmp_path / "protocols", "protocols")
    diagnostics = run_checks(library, CheckContext(as_of=dt.date(2026, 6, 1)))
    assert [d.format_text() for d in diagnostics if d.code in ("P208", "P304")] == [
        "protocols/ketamine-trd/1.1.yaml:24:12: error P208: dose \"0.5 mg/kg\" matches no quantity of this "
        "version's data (sections[0].body)\n    write the dose as a placeholder of this version's data, such as "
        "{{ ketamine-iv.dose }} (0.4 mg/kg), {{ ketamine-iv.dose_range }} (0.1 to 0.75 mg/kg); only a dose quoted "
        "from a study may be written as verbatim text, {{ \"0.5 mg/kg\" }}",
        "protocols/ketamine-trd/1.1.yaml:24:52: error P304: placeholder {{ induction.doses }}: phase induction "
        "has no doses (sections[0].body)\n    add doses to the phase, or remove the placeholder",
    ]


def test_a_versions_fingerprint_is_hashed_once() -> None:
    source = SourceFile("protocols/p/1.0.yaml", {"id": "p", "version": "1.0", "status": "approved"})
    doc = SimpleNamespace(id="p", version="1.0", regimens=[], phases=[], summary="", sections=[], algorithm=[],
                          changes=[])
    version = VersionFile(source, doc)  # type: ignore[arg-type]
    library = Library(Path("protocols"), "protocols")
    with mock.patch.object(versions, "fingerprint", wraps=versions.fingerprint) as hashing:
        assert version_fingerprint(version, library) == versions.fingerprint({"id": "p", "version": "1.0"})
        assert version_fingerprint(version, library) == version.fingerprint_memo
    assert hashing.call_count == 2  # the first call, and the expected value above


SCALARS = st.sampled_from([
    "1", "-2", "0x1F", "0o17", "1_000", "1.5", "1e3", ".inf", "-.Inf", ".nan", "yes", "No", "true", "FALSE", "on",
    "off", "~", "null", "", "2026-02-03", "2026-02-03 10:00:00", "2026-2-3", "0.5 mg/kg", "'5'", '"x"',
    "'<<'", "!!str 5", "!!int '7'", "! 8", "abc", "3 per week", "+12", "0012", "1:30",
])


@settings(max_examples=400, deadline=None)
@given(st.lists(SCALARS, min_size=1, max_size=6))
def test_scalars_have_the_value_plain_pyyaml_gives(values: list[str]) -> None:
    text = "".join(f"k{index}: {value}\n" for index, value in enumerate(values))
    source, diagnostics = load_text(text, "f.yaml")
    assert diagnostics == []
    assert source is not None
    expected = yaml.load(text, Loader=yaml.CSafeLoader)
    assert source.data == expected or str(source.data) == str(expected)  # nan != nan
    assert [type(value) for value in source.data.values()] == [type(value) for value in expected.values()]


def test_quantity_texts_are_parsed_once_and_errors_are_raised_each_time() -> None:
    field_types._parsed_quantity.cache_clear()
    assert field_types._quantity("0.5 mg/kg") is field_types._quantity("0.5 mg/kg")
    assert field_types._parsed_quantity.cache_info().misses == 1
    for _ in range(2):
        with pytest.raises(PydanticCustomError) as raised:
            field_types._quantity("5.0 mg")
        assert raised.value.type == "P209"


def test_the_cycle_collector_is_paused_while_reading_and_checking_and_runs_again_after(tmp_path: Path) -> None:
    seen: list[bool] = []
    real_read = library_module._read_protocol

    def read(*args: object) -> None:
        seen.append(gc.isenabled())
        real_read(*args)  # type: ignore[arg-type]

    files = {"_library/policy.yaml": "approval:\n  minimum: 1\n", "ketamine-trd/1.0.yaml": VERSION.replace("TEXT", "x")}
    write_files(tmp_path / "protocols", files)
    assert gc.isenabled()
    with mock.patch.object(library_module, "_read_protocol", read):
        loaded = load_library(tmp_path / "protocols", "protocols")
    assert seen == [False]
    assert gc.isenabled()
    def probe(*_: object) -> list[object]:
        seen.append(gc.isenabled())
        return []

    with mock.patch.object(checks_module, "all_checks", lambda: [("probe", probe)]):
        assert run_checks(loaded, CheckContext(as_of=dt.date(2026, 6, 1))) == []
    assert seen == [False, False]
    assert gc.isenabled()
    gc.disable()
    try:
        load_library(tmp_path / "protocols", "protocols")
        assert not gc.isenabled()  # a caller's own pause is left as it was
    finally:
        gc.enable()
