"""Each list the generator decides by is written once: a second literal copy of it is how copies drift apart
(a status added to one list of published statuses and not to another puts a draft on the clinician site)."""

from __future__ import annotations

import ast
import datetime as dt
import json
from pathlib import Path

import pytest

from generator.model.field_types import PUBLISHED_STATUSES, UNPUBLISHED_STATUSES
from generator.text.inline import GENERATED_SECTIONS

GENERATOR = Path(__file__).resolve().parent.parent / "generator"

# name -> (the values, the one module that writes them)
TRUTHS = {
    "published statuses": (frozenset(PUBLISHED_STATUSES), "model/field_types.py"),
    "statuses in preparation": (frozenset(UNPUBLISHED_STATUSES), "model/field_types.py"),
    "generated section ids": (frozenset(GENERATED_SECTIONS), "text/inline.py"),
}
# render/ is being rewritten by another engineer, who swaps these copies for the imports
PENDING_RENDER_SWAP = {"render/version_switcher.py", "render/home.py", "render/protocol_page.py", "render/diff_page.py",
                       "render/whats_new.py"}


def literal_strings(node: ast.AST) -> frozenset[str] | None:
    """The strings of a tuple, list, set or dict-keys literal made only of strings, else None."""
    elements = node.keys if isinstance(node, ast.Dict) else getattr(node, "elts", None)
    if not isinstance(node, ast.Tuple | ast.List | ast.Set | ast.Dict) or not elements:
        return None
    if not all(isinstance(e, ast.Constant) and isinstance(e.value, str) for e in elements):
        return None
    return frozenset(e.value for e in elements if isinstance(e, ast.Constant))


def copies_of(values: frozenset[str], source: str) -> list[int]:
    """Lines of `source` holding a string literal collection with the same values."""
    return [node.lineno for node in ast.walk(ast.parse(source))
            if literal_strings(node) == values and hasattr(node, "lineno")]


@pytest.mark.parametrize("name", sorted(TRUTHS))
def test_each_list_is_written_in_one_module_only(name: str) -> None:
    values, home = TRUTHS[name]
    found = {}
    for path in sorted(GENERATOR.rglob("*.py")):
        relative = path.relative_to(GENERATOR).as_posix()
        lines = copies_of(values, path.read_text(encoding="utf-8"))
        if lines and relative != home and relative not in PENDING_RENDER_SWAP:
            found[relative] = lines
    assert found == {}
    assert copies_of(values, (GENERATOR / home).read_text(encoding="utf-8")) != []


def test_every_status_is_published_or_in_preparation() -> None:
    from generator.model.field_types import STATUSES

    assert sorted(PUBLISHED_STATUSES + UNPUBLISHED_STATUSES) == sorted(STATUSES)


def test_the_copy_finder_sees_a_copy_in_any_order_and_shape() -> None:
    source = 'x = {"retired", "approved"}\nif s in ["approved", "retired"]: pass\n'
    assert copies_of(frozenset(PUBLISHED_STATUSES), source) == [1, 2]
    assert copies_of(frozenset(PUBLISHED_STATUSES), 'x = ("approved", "retired", "draft")\n') == []


def test_range_text_is_the_same_in_placeholders_diffs_and_check_messages(tmp_path: Path) -> None:
    from helpers import VERSION, write_library

    from generator.approvals.diff import format_value
    from generator.checks import CheckContext, run_checks
    from generator.load.library import load_library
    from generator.text.inline import render_placeholder

    text = VERSION.replace("{min: 0.1 mg/kg, max: 0.75 mg/kg}", "{min: 100 mcg/kg, max: 0.75 mg/kg}")
    text = text.replace("dose: 0.5 mg/kg", "dose: 0.9 mg/kg")
    assert text.count("100 mcg/kg") == 1
    library = load_library(write_library(tmp_path, {"ketamine-trd/1.0.yaml": text}))
    doc = library.protocols["ketamine-trd"].versions["1.0"].doc
    shown = "100 mcg/kg to 0.75 mg/kg"
    assert render_placeholder(doc, "ketamine-iv", "dose_range") == shown
    assert format_value(doc.regimens[0].dose_range) == shown
    messages = [d.message for d in run_checks(library, CheckContext(as_of=dt.date(2026, 6, 1)))]
    assert f"dose 0.9 mg/kg lies outside dose_range {shown}" in messages


LOOKUPS = {  # every command that names a protocol and a version, with the version 9.9 that does not exist
    "dose": ("dose", "{id}", "ketamine-iv", "--weight", "70", "--version", "9.9"),
    "diff": ("diff", "{id}", "1.0", "9.9"),
    "approve": ("approve", "{id}", "9.9", "--role", "pharmacist"),
    "withdraw": ("withdraw", "{id}", "9.9", "--role", "pharmacist"),
    "new --from": ("new", "{id}", "--from", "9.9"),
}


@pytest.mark.parametrize("command", sorted(LOOKUPS))
def test_every_command_names_a_missing_protocol_or_version_alike(tmp_path: Path, command: str) -> None:
    from helpers import run, write_library

    root = write_library(tmp_path)
    broken = write_library(tmp_path / "second", {"ketamine-trd/9.9.yaml": "id: [\n"})

    def error(library: Path, protocol_id: str) -> str:
        status, out, err = run(*(part.format(id=protocol_id) for part in LOOKUPS[command]), str(library))
        assert status == 2
        return json.loads(out)["error"] if command == "dose" else err.removeprefix("protocols: error: ").strip()

    assert error(root, "ketamine-trd") == "protocol ketamine-trd has no version 9.9 (versions: 1.0)"
    assert error(broken, "ketamine-trd") == (
        f"version 9.9 of ketamine-trd does not validate: run `protocols check {broken}`"
    )
    if command != "new --from":  # new: an unknown protocol is a new one, copied from nothing
        assert error(root, "nothing") == f'no protocol "nothing" in {root} (protocols: ketamine-trd)'


LOCAL_TIME = ("date.today(", "datetime.today(", "datetime.now()", "localtime(", "mktime(", "fromtimestamp(seconds)")


def test_no_module_reads_the_local_clock() -> None:
    """The build date is §4's (--as-of, SOURCE_DATE_EPOCH, today in UTC: build_date.py); the local clock's
    date differs from it for hours each day, and a version would change status at local midnight."""
    found = {}
    for path in sorted(GENERATOR.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        lines = [number for number, line in enumerate(text.splitlines(), 1) if any(c in line for c in LOCAL_TIME)]
        if lines:
            found[path.relative_to(GENERATOR).as_posix()] = lines
    assert found == {}
    build_date = (GENERATOR / "model" / "build_date.py").read_text(encoding="utf-8")
    assert "dt.datetime.now(dt.UTC)" in build_date and "fromtimestamp(seconds, dt.UTC)" in build_date
