"""Fuzzing `protocols check` (issue 12): random bytes and random YAML-shaped documents in place of every
file type never make it raise; it exits 0, 1 or 2 and every line it prints is a located diagnostic.

In-process through the check command's function for speed; a few examples through the installed
command, where a traceback would be printed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from helpers import LIBRARY_FILES, VERSION, write_library
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_profiles import examples

from generator.commands import shared
from generator.commands.check import cmd_check

LOCATED = re.compile(r"^\S.*:\d+:\d+: (error|warning) P\d{3}: ")
FIELD_NAMES = [
    "id", "version", "title", "status", "effective", "review_due", "owner", "summary", "changes", "regimens",
    "phases", "dose_tables", "sections", "algorithm", "drug", "route", "dose", "dose_range", "min", "max",
    "options", "max_dose", "duration", "concentration", "unit_dose", "rounding", "cite", "notes", "name",
    "regimen", "frequency", "length", "doses", "weights", "from", "to", "step", "body", "approval", "minimum",
    "required_roles", "review_interval_months", "reviewer", "role", "date", "fingerprint", "type", "authors",
    "journal", "year", "doi", "pmid", "url", "ceiling", "class", "protocols", "description",
]
ODD_TEXT = st.sampled_from(
    [
        "0.5 mg/kg", "1000 mg", "0 mg", "5.0 mg", ".5 mg", "3 per week", "every 0 h", "2 weeks", "40 kg",
        "1e9 mg", "SC", "approved", "draft", "retired", "ketamine-trd", "ketamine-iv", "1.0", "1.00",
        "2026-02-11", "20260211", "9999-12-31", "0001-01-01", "caveats\n", "50\u200b mg", "\u202e12",
        "{{ ketamine-iv.dose }}", "[@phillips-2019]", "[[#safety]]", "99999999999999999999999999 mg",
        "0.000000000000000000001 mg/kg", "x" * 500, "", "-1 mg", "NaN mg", "1/0 mg",
    ]
)
UNITS = [
    "mg", "mcg", "g", "units", "mg/kg", "mcg/kg", "units/kg", "mcg/kg/min", "mg/kg/h", "mg/h", "mL", "mg/mL",
    "mL/h", "min", "h", "day", "week", "month", "kg", "ug", "cc", "IU",
]
QUANTITIES = st.builds(
    lambda number, unit: f"{number} {unit}",
    st.one_of(
        st.integers(min_value=0, max_value=10**40),
        st.decimals(min_value=0, max_value=10**9, allow_nan=False, allow_infinity=False),
    ),
    st.sampled_from(UNITS),
)
SCALARS = st.one_of(
    QUANTITIES,
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)),
    st.text(max_size=40),
    ODD_TEXT,
)
KEYS = st.one_of(st.sampled_from(FIELD_NAMES), st.text(min_size=1, max_size=12))
DOCUMENTS = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(KEYS, inner, max_size=6)),
    max_leaves=25,
)


def check(library: Path) -> tuple[int, str]:
    out = io.StringIO()
    args = argparse.Namespace(dir=str(library), as_of="2026-06-01", reviewer=False, format="text", strict=False)
    try:
        return cmd_check(args, out), out.getvalue()
    except shared.UsageError as error:
        return 2, str(error)


def assert_clean(status: int, output: str) -> None:
    assert status in (0, 1, 2)
    lines = [line for line in output.splitlines()[:-1] if line and not line.startswith("    ")]
    assert all(LOCATED.match(line) for line in lines), output


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_library(tmp_path_factory.mktemp("fuzz"), {"ketamine-trd/approvals.yaml": "[]\n"})


def replaced_by(library: Path, relative: str, content: bytes) -> tuple[int, str]:
    path = library / relative
    original = path.read_bytes()
    path.write_bytes(content)
    try:
        return check(library)
    finally:
        path.write_bytes(original)


FUZZ = settings(max_examples=examples(60), suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)


@FUZZ
@given(relative=st.sampled_from(LIBRARY_FILES), content=st.binary(max_size=300))
def test_random_bytes_in_any_file(library: Path, relative: str, content: bytes) -> None:
    assert_clean(*replaced_by(library, relative, content))


@FUZZ
@given(relative=st.sampled_from(LIBRARY_FILES), document=DOCUMENTS)
def test_random_yaml_documents_in_any_file(library: Path, relative: str, document: Any) -> None:
    text = yaml.dump(document, Dumper=yaml.CSafeDumper, allow_unicode=True)
    assert_clean(*replaced_by(library, relative, text.encode("utf-8")))


def _mutated(data: Any, choices: st.DataObject) -> Any:
    """The minimal version with one value somewhere in it replaced by a random document."""
    if isinstance(data, dict) and data and choices.draw(st.booleans()):
        key = choices.draw(st.sampled_from(sorted(data)))
        return {**data, key: _mutated(data[key], choices)}
    if isinstance(data, list) and data and choices.draw(st.booleans()):
        index = choices.draw(st.integers(0, len(data) - 1))
        return [*data[:index], _mutated(data[index], choices), *data[index + 1 :]]
    return choices.draw(DOCUMENTS)


@settings(max_examples=examples(150), suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(choices=st.data())
def test_the_valid_version_with_one_value_replaced(library: Path, choices: st.DataObject) -> None:
    document = _mutated(yaml.safe_load(VERSION), choices)
    text = yaml.dump(document, Dumper=yaml.CSafeDumper, allow_unicode=True, sort_keys=False)
    assert_clean(*replaced_by(library, "ketamine-trd/1.0.yaml", text.encode("utf-8")))


DOSING_FIELDS = [
    ("regimens", 0, "dose"), ("regimens", 0, "dose_range", "min"), ("regimens", 0, "dose_range", "max"),
    ("regimens", 0, "max_dose"), ("regimens", 0, "duration"), ("regimens", 0, "concentration"),
    ("regimens", 0, "unit_dose"), ("regimens", 0, "rounding"), ("dose_tables", 0, "weights", "from"),
    ("dose_tables", 0, "weights", "to"), ("dose_tables", 0, "weights", "step"), ("phases", 0, "length"),
]


def _with(data: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    if isinstance(data, dict):
        return {**data, path[0]: _with(data.get(path[0], {}), path[1:], value)}
    return [_with(item, path[1:], value) if index == path[0] else item for index, item in enumerate(data)]


@settings(max_examples=examples(100), suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(changes=st.lists(st.tuples(st.sampled_from(DOSING_FIELDS), QUANTITIES), min_size=1, max_size=4))
def test_random_quantities_in_the_dosing_fields(library: Path, changes: list[tuple[tuple[Any, ...], str]]) -> None:
    """Valid-looking numbers of any size in every dosing field, so the dose engine's rules run on them."""
    document = yaml.safe_load(VERSION)
    for path, quantity in changes:
        document = _with(document, path, quantity)
    text = yaml.dump(document, Dumper=yaml.CSafeDumper, allow_unicode=True, sort_keys=False)
    assert_clean(*replaced_by(library, "ketamine-trd/1.0.yaml", text.encode("utf-8")))


@FUZZ
@given(relative=st.sampled_from(LIBRARY_FILES), document=DOCUMENTS)
def test_json_output_of_random_documents_is_json_with_a_location_for_each(
    library: Path, relative: str, document: Any
) -> None:
    path = library / relative
    original = path.read_bytes()
    path.write_text(yaml.dump(document, Dumper=yaml.CSafeDumper, allow_unicode=True), encoding="utf-8")
    out = io.StringIO()
    args = argparse.Namespace(dir=str(library), as_of="2026-06-01", reviewer=True, format="json", strict=False)
    try:
        status = cmd_check(args, out)
    finally:
        path.write_bytes(original)
    assert status in (0, 1)
    report = json.loads(out.getvalue())
    assert all(d["file"].startswith(str(library)) and d["line"] >= 1 and d["col"] >= 1 for d in report["diagnostics"])
    assert (status == 1) == (report["summary"]["errors"] > 0)


@pytest.mark.parametrize(
    "content",
    [
        b"\xff\xfe\x00i\x00d: [" * 300,
        "id: ketamine-trd\nversion: \"1.0\"\ntitle: \u202e\nstatus: approved\neffective: 9999-01-01\n".encode(),
    ],
)
def test_the_installed_command_prints_no_traceback(tmp_path: Path, content: bytes) -> None:
    library = write_library(tmp_path, {"ketamine-trd/1.0.yaml": ""})
    (library / "ketamine-trd" / "1.0.yaml").write_bytes(content)
    command = str(Path(sys.executable).parent / "protocols")
    result = subprocess.run(
        [command, "check", "--as-of", "2026-06-01", str(library)], capture_output=True, text=True, timeout=20
    )
    assert "Traceback" not in result.stderr + result.stdout
    assert result.returncode == 1
    assert_clean(result.returncode, result.stdout)
