"""Every Markdown field of every file type, filled in turn with each hostile payload: `protocols check`
exits 1 with the payload's code located in that field, and never prints a traceback."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest
from helpers import run
from hostile_markdown import EXPECTED, FILE_OF, LIBRARY_FIELDS, PAYLOADS, VERSION_FIELDS, write_hostile_library

from generator.diagnostics import format_path

FIELDS: list[tuple[str, tuple[Any, ...]]] = [("version", path) for path in VERSION_FIELDS] + LIBRARY_FIELDS
LOCATED = re.compile(
    r"^(?P<file>[^:]+):(?P<line>[0-9]+):(?P<col>[0-9]+): error (?P<code>P[0-9]{3}): .* \((?P<path>.*)\)$"
)


@pytest.mark.parametrize("field", FIELDS, ids=lambda field: f"{field[0]}:{format_path(field[1])}")
@pytest.mark.parametrize("payload", PAYLOADS)
def test_each_payload_in_each_markdown_field(
    tmp_path: Path, field: tuple[str, tuple[Any, ...]], payload: str
) -> None:
    library = write_hostile_library(tmp_path, {field: PAYLOADS[payload]})
    started = time.monotonic()
    status, out, err = run("check", "--as-of", "2026-06-01", str(library))
    assert time.monotonic() - started < 5
    assert "Traceback" not in out + err
    file = "ketamine-trd/1.0.yaml" if field[0] == "version" else FILE_OF[field[0]]
    found = [match.groupdict() for line in out.splitlines() if (match := LOCATED.match(line))]
    markup = [(f["file"], f["code"], f["path"]) for f in found if f["code"] in ("P501", "P305", "P503")]
    if payload not in EXPECTED:  # text to the parser, shown as text
        assert (status, markup) == (0, [])
        return
    assert status == 1
    assert markup == [(f"{library}/{file}", EXPECTED[payload][0], format_path(field[1]))]
