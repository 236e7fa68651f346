"""The build date (§4, §1, §7) from --as-of, SOURCE_DATE_EPOCH or today in UTC, and no traceback for any of
them on check, build or dose; --weight extremes on dose."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import shutil
import time
from pathlib import Path

import pytest
from helpers import SAMPLE_LIBRARY
from hypothesis import given
from hypothesis import strategies as st

from generator import cli
from generator.commands import shared
from generator.model import build_date
from generator.site import atomic_output as build

DOSE = ["dose", "ketamine-trd", "ketamine-iv", "--weight", "70"]


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = cli.main(list(argv), out=out, err=err)
    return status, out.getvalue(), err.getvalue()


@pytest.fixture
def library(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    copy = tmp_path / "protocols"
    shutil.copytree(SAMPLE_LIBRARY, copy)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    return copy


BAD_AS_OF = [
    ("0001-01-01", "--as-of 0001-01-01 is 0001-01-01: the build date must be from 1900 to 2199"),
    ("9999-12-31", "--as-of 9999-12-31 is 9999-12-31: the build date must be from 1900 to 2199"),
    ("1899-12-31", "--as-of 1899-12-31 is 1899-12-31: the build date must be from 1900 to 2199"),
    ("2200-01-01", "--as-of 2200-01-01 is 2200-01-01: the build date must be from 1900 to 2199"),
    ("garbage", '--as-of "garbage" is not a date; write YYYY-MM-DD'),
    ("20260211", '--as-of "20260211" is not a date; write YYYY-MM-DD'),
    ("2026-W50-3", '--as-of "2026-W50-3" is not a date; write YYYY-MM-DD'),
    ("2026-2-11", '--as-of "2026-2-11" is not a date; write YYYY-MM-DD'),
    ("", '--as-of "" is not a date; write YYYY-MM-DD'),
    ("٢٠٢٦-٠٢-١١", '--as-of "٢٠٢٦-٠٢-١١" is not a date; write YYYY-MM-DD'),
    ("2026-02-30", '--as-of "2026-02-30" is not a day of the calendar; write YYYY-MM-DD'),
    ("2026-02-11T00:00", '--as-of "2026-02-11T00:00" is not a date; write YYYY-MM-DD'),
    ("9" * 100, f'--as-of "{"9" * 60}..." is not a date; write YYYY-MM-DD'),
]


@pytest.mark.parametrize("command", ["check", "build", "dose"])
@pytest.mark.parametrize(("as_of", "message"), BAD_AS_OF)
def test_a_bad_as_of_is_a_usage_error_on_every_command(library: Path, tmp_path: Path, command: str, as_of: str,
                                                       message: str) -> None:
    argv = {"check": ["check"], "build": ["build"], "dose": DOSE}[command]
    status, out, err = run(*argv, f"--as-of={as_of}", str(library))
    assert status == 2
    assert err == f"protocols: error: {message}\n"
    assert out == ("" if command != "dose" else json.dumps({"error": message}, ensure_ascii=False) + "\n")
    assert not (tmp_path / "site").exists()


BAD_EPOCHS = [
    ("-1", 'SOURCE_DATE_EPOCH "-1" is not a whole number of seconds since 1970-01-01 UTC; unset it or give e.g. '
           "1770768000"),
    ("abc", 'SOURCE_DATE_EPOCH "abc" is not a whole number of seconds since 1970-01-01 UTC; unset it or give e.g. '
            "1770768000"),
    ("1.5", 'SOURCE_DATE_EPOCH "1.5" is not a whole number of seconds since 1970-01-01 UTC; unset it or give e.g. '
            "1770768000"),
    (" 17", 'SOURCE_DATE_EPOCH " 17" is not a whole number of seconds since 1970-01-01 UTC; unset it or give e.g. '
            "1770768000"),
    ("9" * 20, f"SOURCE_DATE_EPOCH {'9' * 20} is after 2199-12-31; the build date must be from 1900 to 2199"),
    ("7258118400", "SOURCE_DATE_EPOCH 7258118400 is after 2199-12-31; the build date must be from 1900 to 2199"),
    ("9" * 400, f'SOURCE_DATE_EPOCH "{"9" * 60}..." is not a whole number of seconds since 1970-01-01 UTC; '
                "unset it or give e.g. 1770768000"),
]


@pytest.mark.parametrize("command", ["check", "build", "dose"])
@pytest.mark.parametrize(("epoch", "message"), BAD_EPOCHS)
def test_a_bad_source_date_epoch_is_a_usage_error_on_every_command(
    library: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str, epoch: str, message: str
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
    argv = {"check": ["check"], "build": ["build"], "dose": DOSE}[command]
    status, out, err = run(*argv, str(library))
    assert (status, err) == (2, f"protocols: error: {message}\n")
    assert not (tmp_path / "site").exists()


def test_the_last_second_of_2199_is_accepted_and_the_next_is_not() -> None:
    last = int(dt.datetime(2199, 12, 31, 23, 59, 59, tzinfo=dt.UTC).timestamp())
    assert build_date.build_date(None, {"SOURCE_DATE_EPOCH": str(last)}) == dt.date(2199, 12, 31)
    with pytest.raises(build_date.BuildDateError, match="is after 2199-12-31"):
        build_date.build_date(None, {"SOURCE_DATE_EPOCH": str(last + 1)})
    assert build_date.build_date(None, {"SOURCE_DATE_EPOCH": "0"}) == dt.date(1970, 1, 1)


def test_order_as_of_then_epoch_then_today() -> None:
    assert build_date.build_date("2026-02-11", {"SOURCE_DATE_EPOCH": "0"}) == dt.date(2026, 2, 11)
    assert build_date.build_date(None, {"SOURCE_DATE_EPOCH": "1770768000"}) == dt.date(2026, 2, 11)
    assert build_date.build_date(None, {"SOURCE_DATE_EPOCH": ""}) == build_date.today_utc()  # empty: unset


def test_today_is_the_utc_date_whatever_the_local_time_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    # UTC-12 and UTC+14 are 26 hours apart: at any moment one of them is on another day than UTC
    local_days = []
    try:
        for zone in ("Etc/GMT+12", "Etc/GMT-14"):
            monkeypatch.setenv("TZ", zone)
            time.tzset()
            utc_today = dt.datetime.now(dt.UTC).date()
            local_days.append(dt.date.today() != utc_today)
            assert build_date.build_date(None, {}) == utc_today
            assert shared.build_date(None, {}) == utc_today
    finally:
        monkeypatch.undo()
        time.tzset()
    assert any(local_days)  # the test could tell local time from UTC


def test_the_build_adapter_and_the_command_line_use_the_same_date(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1770768000")
    assert build.default_as_of() == shared.build_date(None) == dt.date(2026, 2, 11)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "-1")
    with pytest.raises(build_date.BuildDateError):
        build.default_as_of()


@pytest.mark.parametrize("as_of", ["1900-01-01", "2199-12-31"])
def test_the_first_and_last_build_dates_build_a_site(library: Path, tmp_path: Path, as_of: str) -> None:
    status, out, err = run("build", "--as-of", as_of, str(library))
    assert (status, err) == (0, "")
    assert out.endswith(f"as of {as_of})\n")
    gz = (tmp_path / "site" / "sitemap.xml.gz").read_bytes()
    assert int.from_bytes(gz[4:8], "little") == 0  # RFC 1952: no time stamp; the header cannot hold these dates


@pytest.mark.parametrize("as_of", ["1900-01-01", "2199-12-31"])
def test_the_first_and_last_build_dates_check(library: Path, as_of: str) -> None:
    status, out, err = run("check", "--as-of", as_of, str(library))
    assert (status, err) == (0, "")
    assert re.fullmatch(r"0 errors, \d+ warnings? in \d+ files", out.splitlines()[-1])
    assert ("warning P407" in out) is (as_of == "2199-12-31")  # every review is overdue by then


def test_the_first_and_last_build_dates_dose(library: Path) -> None:
    status, out, err = run(*DOSE, "--as-of", "1900-01-01", str(library))
    assert status == 2
    assert json.loads(out)["error"].startswith("protocol ketamine-trd has no current version on 1900-01-01 ")
    status, out, err = run(*DOSE, "--as-of", "2199-12-31", str(library))
    assert (status, err) == (0, "")
    assert json.loads(out)["dose"] == {"value": "35", "unit": "mg"}


WEIGHTS = ["1e309", "-inf", "inf", "nan", "NaN", "9" * 20, "9" * 21, "9" * 5000, "0", "-0", "0.04", "500.05",
           "0x1F", "١٠٠", "70\u200b", "70,5", "", " ", "--", "1_000", "+70", "1e2"]


@pytest.mark.parametrize("weight", WEIGHTS)
def test_extreme_weights_are_json_errors_with_exit_2(library: Path, weight: str) -> None:
    status, out, err = run("dose", "ketamine-trd", "ketamine-iv", f"--weight={weight}", "--as-of", "2026-06-01",
                           str(library))
    assert status == 2
    message = json.loads(out)["error"]
    assert err == f"protocols: error: {shared.one_line(message)}\n"  # the JSON keeps the calculator's exact text
    assert len(message) < 200  # a huge weight is never echoed whole


def test_a_weight_with_a_line_break_is_one_line_on_stderr_and_exact_in_the_json(library: Path) -> None:
    status, out, err = run("dose", "ketamine-trd", "ketamine-iv", "--weight", "70\n3", "--as-of", "2026-06-01",
                           str(library))
    message = 'weight "70\n3" is not a number: use digits and a decimal point, e.g. 70.3'
    assert (status, json.loads(out)) == (2, {"error": message})
    assert err == 'protocols: error: weight "70\\u000A3" is not a number: use digits and a decimal point, e.g. 70.3\n'


@given(st.text(max_size=30) | st.from_regex(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", fullmatch=True))
def test_any_as_of_text_is_a_date_in_range_or_a_build_date_error(text: str) -> None:
    try:
        day = build_date.parse_as_of(text)
    except build_date.BuildDateError as error:
        assert "\n" not in str(error) and len(str(error)) < 60 * 10 + 200  # 60 characters, each at most an escape
    else:
        assert 1900 <= day.year <= 2199 and day.isoformat() == text


@given(st.text(max_size=30) | st.integers(min_value=-(10**30), max_value=10**30).map(str))
def test_any_source_date_epoch_is_a_date_in_range_or_a_build_date_error(text: str) -> None:
    try:
        day = build_date.build_date(None, {"SOURCE_DATE_EPOCH": text})
    except build_date.BuildDateError as error:
        assert "\n" not in str(error) and len(str(error)) < 60 * 10 + 200  # 60 characters, each at most an escape
    else:
        assert 1900 <= day.year <= 2199


def test_line_breaks_and_invisible_characters_in_a_date_are_shown_as_escapes() -> None:
    with pytest.raises(build_date.BuildDateError) as refused:
        build_date.parse_as_of("2026-02-11\n\u202e")
    assert str(refused.value) == '--as-of "2026-02-11\\u000A\\u202E" is not a date; write YYYY-MM-DD'
