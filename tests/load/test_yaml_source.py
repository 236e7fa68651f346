"""The loader: positions, and refusals before anything is built (P100, P101, P502)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis_profiles import examples

from generator.diagnostics import excerpt
from generator.load.yaml_source import MAX_FILE_BYTES, load_text, load_yaml


def only(text: str) -> str:
    source, diagnostics = load_text(text, "f.yaml")
    assert source is None
    assert len(diagnostics) == 1
    return diagnostics[0].format_text()


def test_positions_of_keys_and_values() -> None:
    source, diagnostics = load_text("id: x\nregimens:\n  - id: a\n    dose: 0.5 mg/kg\n", "f.yaml")
    assert diagnostics == []
    assert source is not None
    assert source.data == {"id": "x", "regimens": [{"id": "a", "dose": "0.5 mg/kg"}]}
    assert str(source.at(("regimens", 0, "dose"))) == "f.yaml:4:11"
    assert str(source.key_at(("regimens", 0, "dose"))) == "f.yaml:4:5"
    assert str(source.at(("regimens", 0, "missing"))) == "f.yaml:3:5"


def test_position_of_a_character_inside_a_literal_block() -> None:
    source, _ = load_text("body: |\n  first line\n  give 5 mg\n", "f.yaml")
    assert source is not None
    assert str(source.text_at(("body",), source.data["body"].index("5 mg"))) == "f.yaml:3:8"


def test_yaml_11_booleans_and_unquoted_versions_are_read_as_yaml_says() -> None:
    source, _ = load_text('route: no\nversion: 1.10\nquoted: "1.10"\n', "f.yaml")
    assert source is not None
    assert source.data == {"route": False, "version": 1.1, "quoted": "1.10"}


def test_p100_invalid_yaml() -> None:
    assert only("a: [1, 2\nb: 3\n") == (
        "f.yaml:2:2: error P100: not valid YAML: did not find expected ',' or ']'\n"
        "    check indentation and quoting near this position"
    )


def test_p100_impossible_date_is_located() -> None:
    assert only("a: 1\neffective: 2026-02-30\n").startswith(
        'f.yaml:2:12: error P100: not valid YAML: "2026-02-30" is not a valid value (day is out of range for month)'
    )


def kept(text: str) -> tuple[object, str]:
    """A file loaded in spite of its one error (P101: the first value kept): (its data, the error)."""
    source, diagnostics = load_text(text, "f.yaml")
    assert source is not None
    assert len(diagnostics) == 1
    return source.data, diagnostics[0].format_text()


def test_p101_duplicate_key_keeps_the_first_value_and_the_file() -> None:
    data, error = kept("regimens:\n  - dose: 1 mg\n    dose: {min: 2 mg}\n    route: IV\n")
    assert data == {"regimens": [{"dose": "1 mg", "route": "IV"}]}
    assert error == (
        'f.yaml:3:5: error P101: key "dose" appears twice in one mapping (first at line 2)\n'
        "    keep one of them (YAML would silently drop the first); the rest of the file was checked with the first"
    )


def test_p502_anchor_and_alias() -> None:
    assert only("a: &x 1\nb: *x\n").startswith("f.yaml:1:4: error P502: anchor &x is not allowed")


def test_p502_python_tag_is_never_constructed(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    text = f"a: !!python/object/apply:os.system ['touch {marker}']\n"
    assert only(text).startswith("f.yaml:1:4: error P502: tag !!python/object/apply:os.system is not allowed")
    assert not marker.exists()


def test_p502_local_tag_and_merge_key() -> None:
    assert only("a: !custom 1\n").startswith("f.yaml:1:4: error P502: tag !custom is not allowed")
    assert only("a:\n  <<: {b: 1}\n").startswith("f.yaml:2:3: error P502: merge key << is not allowed")


def test_p502_alias_bomb_fails_in_milliseconds() -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 12):
        name, prev = chr(97 + i), chr(96 + i)
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    start = time.perf_counter()
    message = only("\n".join(lines) + "\n")
    assert time.perf_counter() - start < 0.5
    assert message.startswith("f.yaml:1:4: error P502: anchor &a is not allowed")


def test_p502_file_over_one_mebibyte(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_text("a: " + "x" * MAX_FILE_BYTES + "\n")
    source, diagnostics = load_yaml(path, "big.yaml")
    assert source is None
    assert diagnostics[0].format_text().startswith(
        f"big.yaml:1:1: error P502: file is {MAX_FILE_BYTES + 4:,} bytes, over the 1 MiB limit"
    )


def test_p100_more_than_one_document() -> None:
    assert only("a: 1\n---\nb: 2\n").startswith("f.yaml:2:1: error P100: more than one YAML document in the file")


def test_plain_equals_and_double_angle_values_are_text() -> None:
    source, diagnostics = load_text("note: =\nother: <<\nlist: [=, <<]\n", "f.yaml")
    assert diagnostics == []
    assert source is not None
    assert source.data == {"note": "=", "other": "<<", "list": ["=", "<<"]}


def located(text: str) -> list[str]:
    """The first line of every diagnostic of a file that loads (P110 does not stop the file loading)."""
    source, diagnostics = load_text(text, "f.yaml")
    assert source is not None
    return [d.format_text().splitlines()[0] for d in diagnostics]


def test_p502_nesting_deeper_than_64_levels_in_flow_style() -> None:
    assert only("a: " + "[" * 64 + "]" * 64 + "\n").startswith(
        "f.yaml:1:67: error P502: nesting deeper than 64 levels of mappings and lists"
    )
    assert located("a: " + "[" * 63 + "]" * 63 + "\n") == []


def test_p502_nesting_in_block_style_counts_mappings_and_lists() -> None:
    lines = [" " * (2 * level) + "k:" for level in range(64)] + [" " * 128 + "- x"]
    assert only("\n".join(lines) + "\n").startswith("f.yaml:65:129: error P502: nesting deeper than 64 levels")
    assert located("\n".join(lines[:64]) + " x\n") == []


def test_p502_ten_thousand_levels_fail_fast_without_recursion_error() -> None:
    start = time.perf_counter()
    message = only("a: " + "[" * 10_000 + "]" * 10_000 + "\n")
    assert time.perf_counter() - start < 1
    assert message.startswith("f.yaml:1:67: error P502: nesting deeper than 64 levels")
    assert only("- " * 10_000 + "x\n").startswith("f.yaml:1:129: error P502: nesting deeper than 64 levels")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: 50\u200b mg\n", "f.yaml:1:6: error P110: invisible character U+200B (ZERO WIDTH SPACE) in the text"),
        (
            "title: x\nnote: give \u202e05 mg\n",
            "f.yaml:2:12: error P110: direction-changing character U+202E (RIGHT-TO-LEFT OVERRIDE) in the text",
        ),
        ("k\u200dey: 1\n", "f.yaml:1:2: error P110: invisible character U+200D (ZERO WIDTH JOINER) in the text"),
        ("a: b # \u2066 comment\n", "f.yaml:1:8: error P110: direction-changing character U+2066 (LEFT-TO-RIGHT"
         " ISOLATE) in the text"),
        ("a: |\n  one\n  t\u2060wo\n", "f.yaml:3:4: error P110: invisible character U+2060 (WORD JOINER) in the text"),
        ('a: "5\\u200B0 mg"\n', "f.yaml:1:6: error P110: invisible character U+200B (ZERO WIDTH SPACE) in the text"),
        ('a: "x\\x01"\n', "f.yaml:1:6: error P110: control character U+0001 in the text"),
        ('a: "\\e[31m"\n', "f.yaml:1:5: error P110: control character U+001B in the text"),
        (
            '"k\\uFEFF": 1\n',
            "f.yaml:1:3: error P110: invisible character U+FEFF (ZERO WIDTH NO-BREAK SPACE) in the text",
        ),
        ("a: x\u00ady\n", "f.yaml:1:5: error P110: invisible character U+00AD (SOFT HYPHEN) in the text"),
        (
            "a: x\U000e0041\n",
            "f.yaml:1:5: error P110: invisible character U+E0041 (TAG LATIN CAPITAL LETTER A) in the text",
        ),
        (
            "a: \u061c1\n",
            "f.yaml:1:4: error P110: direction-changing character U+061C (ARABIC LETTER MARK) in the text",
        ),
        ('a: "x\u2028y"\nb: \u200f\n', "f.yaml:3:4: error P110: direction-changing character U+200F (RIGHT-TO-LEFT"
         " MARK) in the text"),
    ],
)
def test_p110_exact_position_of_the_character(text: str, expected: str) -> None:
    assert located(text) == [expected]


def test_p110_every_character_of_the_format_is_refused() -> None:
    listed = [0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A), *range(0x200B, 0x200E), 0x2060]
    for code in [*listed, 0xFEFF]:
        assert [line.split(": ")[1] for line in located(f"a: x{chr(code)}\n")] == ["error P110"], hex(code)
        assert len(located(f'a: "x\\u{code:04X}"\n')) == 1, hex(code)
    for code in [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F]:
        assert len(located(f'a: "x\\x{code:02X}"\n')) == 1, hex(code)


def test_p110_tabs_line_breaks_and_visible_text_are_allowed() -> None:
    visible = 'a: "x\\ty\\nz\\N\\L\\P"\nb: "caf\u00e9 \u05e9\u05dc\u05d5\u05dd \u0661\u0662 \u00a0"\nc: |\n  x\ty\n'
    assert located(visible) == []
    assert located('a: "\\\\u200B is how you write it"\n') == []  # an escaped backslash: the text says \u200B
    assert located("\ufeffa: 1\n") == []  # a byte order mark opening the file is not in any string


def test_p110_columns_after_a_byte_order_mark_are_counted_as_libyaml_counts_them() -> None:
    expected = "f.yaml:1:6: error P110: invisible character U+200B (ZERO WIDTH SPACE) in the text"
    assert located('\ufeffa: "x\u200b"\n') == located('\ufeffa: "x\\u200B"\n') == [expected]


def test_p110_does_not_stop_the_file_loading() -> None:
    source, diagnostics = load_text("a: 5\u200b0 mg\nb: 2\n", "f.yaml")
    assert source is not None and source.data == {"a": "5\u200b0 mg", "b": 2}
    assert [d.code for d in diagnostics] == ["P110"]


def test_p110_beside_a_yaml_error_both_are_reported() -> None:
    source, diagnostics = load_text("a: [\u200b\n", "f.yaml")
    assert source is None
    assert sorted(d.code for d in diagnostics) == ["P100", "P110"]


def test_a_huge_integer_is_p100_quoting_at_most_60_characters() -> None:
    message = only("a: " + "9" * 5000 + "\n")
    assert message.startswith('f.yaml:1:4: error P100: not valid YAML: "' + "9" * 60 + '..." is not a valid value')
    assert "9" * 61 not in message


def test_a_long_duplicate_key_is_quoted_at_most_60_characters() -> None:
    key = "k" * 500
    assert kept(f"{key}: 1\n{key}: 2\n")[1].startswith(f'f.yaml:2:1: error P101: key "{"k" * 60}..." appears twice')


def test_excerpt_bounds_and_escapes_what_it_quotes() -> None:
    assert excerpt("dose") == '"dose"'
    assert excerpt("x" * 61) == '"' + "x" * 60 + '..."'
    assert excerpt("x" * 60) == '"' + "x" * 60 + '"'
    assert excerpt("a\nb\u202ec\td", quoted=False) == "a\\u000Ab\\u202Ec\\u0009d"
    assert excerpt("café 50 mg") == '"café 50 mg"'


def test_p110_a_variation_selector_is_refused_unless_it_follows_a_symbol() -> None:
    assert located("a: 5\ufe0f0 mg\n") == [
        "f.yaml:1:5: error P110: invisible character U+FE0F (VARIATION SELECTOR-16) in the text"
    ]
    assert located("a: \ufe0e\n") == [
        "f.yaml:1:4: error P110: invisible character U+FE0E (VARIATION SELECTOR-15) in the text"
    ]
    assert located("a: \u26a0\ufe0f Caution\n") == []  # the emoji form of the warning sign
    assert len(located('a: "5\\uFE0F0 mg"\n')) == 1  # written as an escape, whatever it follows


def test_p110_a_raw_control_character_is_located_where_libyaml_stops() -> None:
    assert only("a: 1\nb: x\x01y\n") == (
        "f.yaml:2:5: error P110: control character U+0001 in the text\n"
        "    delete it: it does not show on the page but changes how the text reads, is searched or is compared"
    )
    assert only('a: "x\x7f"\n').startswith("f.yaml:1:6: error P110: control character U+007F in the text")


def test_p100_a_noncharacter_is_located() -> None:
    assert only("a: 1\nb: x\ufffe\n") == (
        "f.yaml:2:5: error P100: not valid YAML: character U+FFFE is not allowed in a YAML file\n    delete it"
    )


SCALARS = st.sampled_from([
    "1", "-2", "0x1F", "0o17", "1_000", "1.5", "1e3", ".inf", "-.Inf", ".nan", "yes", "No", "true", "FALSE", "on",
    "off", "~", "null", "", "2026-02-03", "2026-02-03 10:00:00", "2026-2-3", "0.5 mg/kg", "'5'", '"x"',
    "'<<'", "!!str 5", "!!int '7'", "! 8", "abc", "3 per week", "+12", "0012", "1:30",
])


@settings(max_examples=examples(400), deadline=None)
@given(st.lists(SCALARS, min_size=1, max_size=6))
def test_scalars_have_the_value_plain_pyyaml_gives(values: list[str]) -> None:
    text = "".join(f"k{index}: {value}\n" for index, value in enumerate(values))
    source, diagnostics = load_text(text, "f.yaml")
    assert diagnostics == []
    assert source is not None
    expected = yaml.load(text, Loader=yaml.CSafeLoader)
    assert source.data == expected or str(source.data) == str(expected)  # nan != nan
    assert [type(value) for value in source.data.values()] == [type(value) for value in expected.values()]


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        ("a: !!bool maybe\n", '"maybe" is not a valid value (not a !!bool)'),
        ('a: !!int ""\n', '"" is not a valid value (not a !!int)'),
        ("a: !!timestamp x\n", '"x" is not a valid value (not a !!timestamp)'),
        ("a: !!map x\n", '"x" is not a valid value (a !!map tag on a single value)'),
        ("a: !!seq x\n", '"x" is not a valid value (a !!seq tag on a single value)'),
    ],
)
def test_p100_an_explicit_standard_tag_on_text_it_cannot_read(text: str, detail: str) -> None:
    # these raised KeyError, IndexError or AttributeError (a traceback), or built a generator as the value
    assert only(text) == (
        f"f.yaml:1:4: error P100: not valid YAML: {detail}\n    check indentation and quoting near this position"
    )


def test_an_explicit_standard_tag_on_text_it_can_read_is_kept() -> None:
    source, diagnostics = load_text("a: !!bool yes\nb: !!int '7'\nc: !!str 5\n", "f.yaml")
    assert diagnostics == []
    assert source is not None and source.data == {"a": True, "b": 7, "c": "5"}
