"""The loader's two paths agree: the C composer's node walk (generator.load.yaml_nodes) gives exactly the
data, positions, styles and diagnostics of the event path, on random documents, random YAML-like text and
the hostile cases; and the composed path is really taken where it can be."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.load import yaml_nodes
from generator.load.yaml_source import SourceFile, load_text, load_text_through_events

ROOT = Path(__file__).resolve().parents[1]


def typed(value: Any) -> Any:
    """`value` with each scalar's type beside it: 1, 1.0 and True are different values here."""
    if isinstance(value, dict):
        return ("map", [(key, typed(item)) for key, item in value.items()])
    if isinstance(value, list):
        return ("seq", [typed(item) for item in value])
    if isinstance(value, float) and math.isnan(value):
        return ("float", "nan")
    return (type(value).__name__, value)


def all_paths(source: SourceFile) -> set[tuple[Any, ...]]:
    paths = set(source.values) | set(source.keys)
    return paths | {(*path, "absent") for path in paths} | {(*path, 0) for path in paths}


def assert_same(text: str) -> None:
    composed, composed_found = load_text(text, "f.yaml")
    events, events_found = load_text_through_events(text, "f.yaml")
    assert [d.format_text() for d in composed_found] == [d.format_text() for d in events_found]
    assert (composed is None) == (events is None)
    if composed is None or events is None:
        return
    assert typed(composed.data) == typed(events.data)
    assert composed.values == events.values
    assert composed.keys == events.keys
    assert composed.styles == events.styles
    for path in all_paths(events):
        assert composed.at(path) == events.at(path)
        assert composed.key_at(path) == events.key_at(path)
        if isinstance(events.get(path), str):
            for offset in {0, len(events.get(path)) // 2, len(events.get(path))}:
                assert composed.text_at(path, offset) == events.text_at(path, offset)


def composed(text: str) -> bool:
    return yaml_nodes.compose(text, "f.yaml") is not None


SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)),
    st.text(max_size=30),
    st.sampled_from(["yes", "no", "on", "~", "=", "<<", "1.10", "0x1F", "0o17", "1_000", "2026-02-30", "5 mg/kg",
                     "&a", "*a", "!x", "a: b", "- x", "# c", "\t", "\u2028", "\u200b50 mg", "\x85", "[1]", "{a: 1}"]),
)
KEYS = st.one_of(st.sampled_from(["id", "dose", "<<", "=", "1", "true", "a b", "&a"]), st.text(min_size=1, max_size=8))
DOCUMENTS = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(KEYS, inner, max_size=4)),
    max_leaves=20,
)
STYLES = st.sampled_from([None, "'", '"', "|", ">"])
FRAGMENTS = st.sampled_from([
    "a", "b", "id", ":", ": ", "- ", "? ", "\n", "\n  ", "\n    ", "  ", "\t", "[", "]", "{", "}", ", ", "'", '"',
    "|", ">", "#", "&x ", "*x", "!!str ", "!!int ", "!!map ", "!!seq ", "!!binary ", "!x ", "! ", "!!python/none ",
    "<<", "=", "---", "...", "1.5", "2026-01-31", "2026-02-30", "yes", "~", "\u2028", "\x85", "\u200b", "\\n",
    "\\u202e", "é", "%YAML 1.1\n", "%TAG ! tag:yaml.org,2002:\n", "&", "a&b", "0x", "1e999", "9" * 70,
])
FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(DOCUMENTS, STYLES, st.booleans(), st.integers(min_value=0, max_value=3))
def test_dumped_documents(document: Any, style: str | None, flow: bool, duplicate: int) -> None:
    text = yaml.safe_dump(document, default_style=style, default_flow_style=flow, allow_unicode=True, width=40)
    lines = text.splitlines(keepends=True)
    if duplicate and lines:  # a repeated line: duplicate keys, or a second list item
        lines.insert(min(duplicate, len(lines)), lines[duplicate % len(lines)])
    assert_same("".join(lines))


@FAST
@given(st.lists(FRAGMENTS, max_size=25))
def test_yaml_like_text(fragments: list[str]) -> None:
    assert_same("".join(fragments))


@FAST
@given(st.text(alphabet=st.sampled_from(list(" -?:[]{},!&*\n\t\"'|>#ab1.")), max_size=40))
def test_random_indicator_text(text: str) -> None:
    assert_same(text)


HOSTILE = {
    "deep flow": "a: " + "[" * 10_000 + "]" * 10_000 + "\n",
    "deep flow mappings": "a: " + "{a: " * 5_000 + "1" + "}" * 5_000 + "\n",
    "deep block sequences on one line": "- " * 100_000 + "x\n",
    "deep block mappings": "".join(" " * level + f"k{level}:\n" for level in range(3_000)) + " " * 3_000 + "x\n",
    "tags before compact sequences": "- !!seq " * 2_000 + "x\n",
    "65 levels": "a: " + "[" * 65 + "]" * 65 + "\n",
    "64 levels": "a: " + "[" * 63 + "]" * 63 + "\n",
    "alias bomb": "a: &a [x, x]\nb: &b [*a, *a]\nc: &c [*b, *b]\n",
    "anchor without alias": "a: &keep 5\n",
    "anchor after a line separator": "a: x\u2028b: &y 1\n",
    "alias of nothing": "a: *nothing\n",
    "python tag": "a: !!python/object/apply:os.system [ls]\n",
    "local tag": "a: !local 5\n",
    "binary": "a: !!binary aGVsbG8=\n",
    "merge": "base: {x: 1}\nmerged:\n  <<: {x: 2}\n",
    "explicit standard tags": "a: !!str 5\nb: !!int '7'\nc: !!float 1\nd: !!bool yes\ne: !!null ''\nf: ! 5\n",
    "tag on a key": "!!str a: 1\n!!int 2: 3\n",
    "tab indent": "a:\n\tb: 1\n",
    "duplicates": "a: 1\nb: 2\na: 3\nc: {d: 1, d: [2]}\n",
    "duplicate then refusal": "a: 1\na: 2\nb: !x 3\n",
    "two documents": "a: 1\n---\nb: 2\n",
    "empty": "",
    "empty document": "---\n",
    "comment only": "# nothing\n",
    "impossible date": "a: 1\neffective: 2026-02-30\n",
    "huge int": "a: " + "9" * 5_000 + "\n",
    "control character": "a: b\x07\n",
    "invisible": 'a: 5\u200b0 mg\nb: "\\u202e"\n"\\u200b": 1\n',
    "crlf": "a: 1\r\nb:\r\n  - c\r\n",
    "collection key": "? [a]\n: b\n",
    "literal": "body: |\n  first\n  give 5 mg\nfolded: >\n  one\n  two\n",
    "value and merge as values": "note: =\nother: <<\nlist: [=, <<]\n",
}


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_cases(name: str) -> None:
    assert_same(HOSTILE[name])


def test_sample_files_agree_and_are_composed() -> None:
    files = sorted((ROOT / "protocols").rglob("*.yaml"))
    assert len(files) > 10
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert_same(text)
        if "&" not in text:
            assert composed(text), path


@pytest.mark.parametrize(
    ("text", "taken"),
    [
        ("a: 1\nb: [x, {c: d}]\n", True),
        ("a: A&E\n", True),  # `&` after a letter is never an anchor
        ("a: x & y\n", False),  # might be one: the event path decides
        ("a: &x 1\n", False),
        ("a: " + "[" * 63 + "]" * 63 + "\n", True),
        ("a: " + "[" * 64 + "]" * 64 + "\n", False),  # P502 comes from the event path
        ("a: " + "[" * 300 + "]" * 300 + "\n", False),  # not composed at all: the C composer has no limit
        ("- " * 300 + "x\n", False),
        ("a: !!binary aGVsbG8=\n", False),
        ("a: 2026-02-30\n", False),
        ("a: 1\n---\nb: 2\n", False),
        ("a: |\n" + "  x\n" * 70_000, False),  # over 256 KiB: no node tree
    ],
)
def test_which_path_is_taken(text: str, taken: bool) -> None:
    assert composed(text) is taken


def test_the_nesting_bound_is_above_the_real_nesting() -> None:
    for depth in (1, 10, 60):
        for text in ("a: " + "[" * depth + "]" * depth, "- " * depth + "x", "{a: " * depth + "1" + "}" * depth,
                     "".join(" " * level + f"k{level}:\n" for level in range(depth)) + " " * depth + "x"):
            assert yaml_nodes._nesting_bound(text) > depth, text[:40]
