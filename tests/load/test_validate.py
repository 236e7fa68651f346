"""The hint of an unknown key (P102, generator/load/validate.py): the closest allowed key is difflib's, found
without indexing a key that no allowed key's length can match."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest
from helpers import VERSION, run, write_library
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis_profiles import examples

from generator.load import validate

KEYS = st.text(alphabet="aeiostrnlvy_-é", max_size=30) | st.text(max_size=4) | st.builds(lambda n: "x" * n,
                                                                                           st.integers(0, 5000))


@settings(max_examples=examples(200))
@given(KEYS, st.lists(KEYS, max_size=8))
def test_the_close_key_is_difflibs_closest_match(key: str, allowed: list[str]) -> None:
    assert validate._close_key(key, allowed) == difflib.get_close_matches(key, allowed, n=1)


def test_a_huge_unknown_key_is_compared_with_no_allowed_key(monkeypatch: pytest.MonkeyPatch) -> None:
    compared: list[str] = []
    monkeypatch.setattr(validate.difflib, "get_close_matches", lambda key, allowed, **kw: compared.append(key) or [])
    assert validate._close_key("x" * 10_000, ["title", "version"]) == []
    assert compared == []
    assert validate._close_key("titel", ["title", "version"]) == [] and compared == ["titel"]  # the stand-in answered


def test_an_unknown_key_is_located_with_the_closest_allowed_key_as_its_hint(tmp_path: Path) -> None:
    library = write_library(tmp_path, {"ketamine-trd/1.0.yaml": VERSION.replace("title:", "titel:", 1)})
    _status, out, _err = run("check", "--as-of", "2026-06-01", str(library))
    assert (f'{library}/ketamine-trd/1.0.yaml:3:1: error P102: unknown key "titel" (titel)\n'
            '    did you mean "title"?\n') in out


def test_an_unknown_key_of_10000_characters_gets_no_hint_of_a_key(tmp_path: Path) -> None:
    # an explicit key ("? "): YAML allows an implicit one 1,024 characters at most
    text = VERSION.replace("owner:", "? " + "x" * 10_000 + "\n:", 1)
    library = write_library(tmp_path, {"ketamine-trd/1.0.yaml": text})
    _status, out, _err = run("check", "--as-of", "2026-06-01", str(library))
    shown = "x" * 60 + "..."
    assert (f'{library}/ketamine-trd/1.0.yaml:5:3: error P102: unknown key "{shown}" ({shown})\n'
            "    remove it, or check the format for the keys allowed here\n") in out
