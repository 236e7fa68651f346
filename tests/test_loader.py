"""The loader: positions, and refusals before anything is built (P100, P101, P502)."""

from __future__ import annotations

import time
from pathlib import Path

from generator.loader import MAX_FILE_BYTES, load_text, load_yaml


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


def test_p101_duplicate_key() -> None:
    assert only("regimens:\n  - dose: 1 mg\n    dose: 2 mg\n") == (
        'f.yaml:3:5: error P101: key "dose" appears twice in one mapping (first at line 2)\n'
        "    keep one of them: YAML would silently drop the first"
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
