"""Properties of the YAML loader on random input.

A document written by PyYAML's safe dumper loads to exactly the values PyYAML's pure-Python safe loader
reads, with a position inside the file for every value and key; random YAML-like text (tags, anchors,
indicators, odd line breaks) and the hostile cases never raise, and every diagnostic is located.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from hypothesis_profiles import examples

from generator.load.yaml_source import SourceFile, load_text

YAML_LINE_BREAK = re.compile("\r\n|[\n\r\x85\u2028\u2029]")
LOCATED = re.compile(r"^f\.yaml:\d+:\d+: (error|warning) P\d{3}: ")


def typed(value: Any) -> Any:
    """`value` with each scalar's type beside it: 1, 1.0 and True are different values here."""
    if isinstance(value, dict):
        return ("map", [(key, typed(item)) for key, item in value.items()])
    if isinstance(value, list):
        return ("seq", [typed(item) for item in value])
    if isinstance(value, float) and math.isnan(value):
        return ("float", "nan")
    return (type(value).__name__, value)


def paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            found += paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += paths(item, (*path, index))
    return found


def loaded(text: str) -> tuple[SourceFile | None, list[str]]:
    source, diagnostics = load_text(text, "f.yaml")  # raises nothing
    shown = [d.format_text() for d in diagnostics]
    assert all(LOCATED.match(line) for line in shown), shown
    return source, shown


SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)),
    st.text(max_size=30),
    st.sampled_from(
        [
            "yes",
            "no",
            "on",
            "~",
            "=",
            "<<",
            "1.10",
            "0x1F",
            "0o17",
            "1_000",
            "2026-02-30",
            "5 mg/kg",
            "&a",
            "*a",
            "!x",
            "a: b",
            "- x",
            "# c",
            "\t",
            "\u2028",
            "\u200b50 mg",
            "\x85",
            "[1]",
            "{a: 1}",
        ]
    ),
)
KEYS = st.one_of(st.sampled_from(["id", "dose", "<<", "=", "1", "true", "a b", "&a"]), st.text(min_size=1, max_size=8))
DOCUMENTS = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(KEYS, inner, max_size=4)),
    max_leaves=20,
)
STYLES = st.sampled_from([None, "'", '"', "|", ">"])
FRAGMENTS = st.sampled_from(
    [
        "a",
        "b",
        "id",
        ":",
        ": ",
        "- ",
        "? ",
        "\n",
        "\n  ",
        "\n    ",
        "  ",
        "\t",
        "[",
        "]",
        "{",
        "}",
        ", ",
        "'",
        '"',
        "|",
        ">",
        "#",
        "&x ",
        "*x",
        "!!str ",
        "!!int ",
        "!!map ",
        "!!seq ",
        "!!binary ",
        "!!bool ",
        "!!timestamp ",
        "!!float ",
        "!!null ",
        "!x ",
        "! ",
        "!!python/none ",
        "<<",
        "=",
        "---",
        "...",
        "1.5",
        "2026-01-31",
        "2026-02-30",
        "yes",
        "~",
        "\u2028",
        "\x85",
        "\u200b",
        "\\n",
        "\\u202e",
        "é",
        "%YAML 1.1\n",
        "%TAG ! tag:yaml.org,2002:\n",
        "&",
        "a&b",
        "0x",
        "1e999",
        "9" * 70,
    ]
)
FAST = settings(max_examples=examples(150), deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(DOCUMENTS, STYLES, st.booleans())
@example({"\n": None}, "|", False)  # found by Hypothesis: a key dumped as a block scalar
@example(":0", None, False)  # found by Hypothesis: a plain scalar that begins with ":"
def test_a_dumped_document_loads_back_exactly(document: Any, style: str | None, flow: bool) -> None:
    text = yaml.safe_dump(
        document, default_style=style, default_flow_style=flow, allow_unicode=True, width=40, sort_keys=False
    )
    source, shown = loaded(text)
    assert source is not None, shown
    assert all(" P110: " in line for line in shown), shown  # only invisible characters in the random text
    # PyYAML's own pure-Python loader is the reference (its dumper does not always round-trip: "\x85")
    assert typed(source.data) == typed(yaml.load(text, Loader=yaml.SafeLoader))
    lines = YAML_LINE_BREAK.split(text)
    for path in paths(source.data):
        line, col = source.values[path]
        assert 1 <= line <= len(lines) and 1 <= col <= len(lines[line - 1]) + 1
        value = source.get(path)
        if value is not None:  # a value starts at its first character, quote, bracket or (a block list) dash
            here = lines[line - 1][col - 1 :]
            first = value[:1] if isinstance(value, str) else ""  # a plain scalar may begin with ":" (":0")
            assert here[:1] not in ("", " ") and (here[:1] not in (":", ",") or here[:1] == first), (here, path)
            assert isinstance(value, list) or not here.startswith("- "), (here, path)
        if path and isinstance(path[-1], str):
            key_line, key_col = source.keys[path]
            assert str(source.key_at(path)) == f"f.yaml:{key_line}:{key_col}"
            written = lines[key_line - 1][key_col - 1 :]
            # a key starts at its first character, quote, "?" or (a block scalar key: "? |2+") its indicator
            assert written.startswith((path[-1][:1], "'", '"', "?", "|", ">")), (written, path)


@FAST
@given(DOCUMENTS, st.integers(min_value=1, max_value=3))
def test_a_repeated_line_gives_a_located_p101_or_loads(document: Any, line: int) -> None:
    lines = yaml.safe_dump(document, allow_unicode=True).splitlines(keepends=True)
    lines.insert(min(line, len(lines)), lines[line % len(lines)])
    loaded("".join(lines))


@FAST
@given(st.lists(FRAGMENTS, max_size=25))
def test_yaml_like_text(fragments: list[str]) -> None:
    loaded("".join(fragments))


@FAST
@given(st.text(alphabet=st.sampled_from(list(" -?:[]{},!&*\n\t\"'|>#ab1.")), max_size=40))
def test_random_indicator_text(text: str) -> None:
    loaded(text)


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


HOSTILE_FIRST = {  # the first diagnostic's first line (a prefix), and whether the file is refused
    "deep flow": ("f.yaml:1:67: error P502: nesting deeper than 64 levels of mappings and lists", True),
    "deep flow mappings": ("f.yaml:1:256: error P502: nesting deeper than 64 levels of mappings and lists", True),
    "deep block sequences on one line": (
        "f.yaml:1:129: error P502: nesting deeper than 64 levels of mappings and lists",
        True,
    ),
    "deep block mappings": ("f.yaml:65:65: error P502: nesting deeper than 64 levels of mappings and lists", True),
    "tags before compact sequences": (
        "f.yaml:1:9: error P100: not valid YAML: block sequence entries are not allowed in this context",
        True,
    ),
    "65 levels": ("f.yaml:1:67: error P502: nesting deeper than 64 levels of mappings and lists", True),
    "64 levels": (None, False),
    "alias bomb": ("f.yaml:1:4: error P502: anchor &a is not allowed", True),
    "anchor without alias": ("f.yaml:1:4: error P502: anchor &keep is not allowed", True),
    "anchor after a line separator": ("f.yaml:2:4: error P502: anchor &y is not allowed", True),
    "alias of nothing": ("f.yaml:1:4: error P502: alias *nothing is not allowed", True),
    "python tag": ("f.yaml:1:4: error P502: tag !!python/object/apply:os.system is not allowed", True),
    "local tag": ("f.yaml:1:4: error P502: tag !local is not allowed", True),
    "binary": ("f.yaml:1:4: error P502: tag !!binary is not allowed", True),
    "merge": ("f.yaml:3:3: error P502: merge key << is not allowed", True),
    "explicit standard tags": (None, False),
    "tag on a key": (None, False),
    "tab indent": (
        "f.yaml:2:1: error P100: a tab character at 2:1: YAML indents with spaces only; replace the tab with ",
        True,
    ),
    "duplicates": ('f.yaml:3:1: error P101: key "a" appears twice in one mapping (first at line 1)', False),
    "duplicate then refusal": ("f.yaml:3:4: error P502: tag !x is not allowed", True),
    "two documents": ("f.yaml:2:1: error P100: more than one YAML document in the file", True),
    "empty": (None, False),
    "empty document": (None, False),
    "comment only": (None, False),
    "impossible date": (
        'f.yaml:2:12: error P100: not valid YAML: "2026-02-30" is not a valid value (day is out of range for ',
        True,
    ),
    "huge int": (
        'f.yaml:1:4: error P100: not valid YAML: "99999999999999999999999999999999999999999999999999999999999',
        True,
    ),
    "control character": ("f.yaml:1:5: error P110: control character U+0007 in the text", True),
    "invisible": ("f.yaml:1:5: error P110: invisible character U+200B (ZERO WIDTH SPACE) in the text", False),
    "crlf": (None, False),
    "collection key": ("f.yaml:1:3: error P100: a mapping key must be a plain word", True),
    "literal": (None, False),
    "value and merge as values": (None, False),
}


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_cases(name: str) -> None:
    source, shown = loaded(HOSTILE[name])
    first, refused = HOSTILE_FIRST[name]
    if first is None:
        assert shown == []
    else:
        assert shown[0].startswith(first)
    assert (source is None) is refused
