"""generator/rules.yaml is the one catalog of rule codes; generator/rule_catalog.py reads it and refuses a
malformed catalog with the file, the place or the code, and what the entry needs (never a traceback)."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.diagnostics import RULES as DIAGNOSTIC_RULES
from generator.diagnostics import Diagnostic, Location
from generator.rule_catalog import RULES, Example, Rule, parse_catalog

REPO_ROOT = Path(__file__).resolve().parents[2]
SOURCE = "generator/rules.yaml"
EXAMPLE = "    file: a.yaml\n    line: 6\n    col: 1\n    message: unknown key\n"
ENTRY = f"P102:\n  level: error\n  summary: unknown key\n  example:\n{EXAMPLE}"
NEEDS_EXAMPLE = (
    f"{SOURCE}: the example of P102 needs file, line, col and message, and may have path and hint "
    "(numbers from 1 for line and col, text for the others)"
)
NEEDS_RULE = f"{SOURCE}: rule P102 needs level (error or warning), summary and example, and no more"


def parsed(text: str) -> dict[str, Rule]:
    return parse_catalog(text, SOURCE)


def refusal(text: str) -> str:
    with pytest.raises(ValueError) as raised:
        parsed(text)
    return str(raised.value)


def test_an_entry_reads_as_its_rule_with_its_example() -> None:
    text = ENTRY + "    path: author\n    hint: remove it\n"
    assert parsed(text) == {
        "P102": Rule("P102", "error", "unknown key", Example("a.yaml", 6, 1, "unknown key", "author", "remove it"))
    }
    assert parsed(ENTRY)["P102"].example == Example("a.yaml", 6, 1, "unknown key", "", "")


def test_the_shipped_catalog_is_the_one_diagnostics_use_in_the_file_order() -> None:
    text = (REPO_ROOT / SOURCE).read_text(encoding="utf-8")
    assert parsed(text) == RULES
    assert DIAGNOSTIC_RULES is RULES
    assert list(RULES)[:3] == ["P100", "P101", "P102"]
    assert Diagnostic("P407", "m", Location("f")).level == "warning" == RULES["P407"].level


@pytest.mark.parametrize(
    "broken",
    [
        ENTRY.replace("    message: unknown key\n", ""),  # no message
        ENTRY + "    level: error\n",  # a field an example does not have
        ENTRY.replace("line: 6", "line: '6'"),  # a line that is text
        ENTRY.replace("line: 6", "line: true"),  # a boolean is no line number
        ENTRY.replace("col: 1", "col: 0"),  # columns count from 1
        ENTRY.replace("line: 6", "line: 1e9"),  # not an integer
        ENTRY.replace("message: unknown key", "message: 40"),  # a message that is a number
        ENTRY + "    hint: [a, b]\n",
        ENTRY.replace(EXAMPLE, "    unknown key\n"),
    ],
)
def test_a_malformed_example_is_named_with_what_it_needs(broken: str) -> None:
    assert refusal(broken) == NEEDS_EXAMPLE


@pytest.mark.parametrize(
    "broken",
    [
        ENTRY.replace("level: error", "level: fatal"),
        ENTRY.replace("  level: error\n", ""),
        ENTRY.replace("summary: unknown key", "summary: ' '"),
        ENTRY.replace("summary: unknown key", "summary: [unknown, key]"),
        ENTRY + "  since: 1.0\n",
        "P102: unknown key\n",
    ],
)
def test_a_malformed_rule_is_named_with_what_it_needs(broken: str) -> None:
    assert refusal(broken) == NEEDS_RULE


@pytest.mark.parametrize(
    ("code", "shown"), [("P1000", "'P1000'"), ("p102", "'p102'"), ("P１０２", "'P１０２'"), ("102", "102")]
)
def test_a_key_that_is_not_a_rule_code_is_refused(code: str, shown: str) -> None:
    assert refusal(ENTRY.replace("P102:", f"{code}:", 1)) == (
        f"{SOURCE}: {shown} is not a rule code: write P and three digits, e.g. P100"
    )


def test_a_code_written_twice_is_refused_not_silently_replaced() -> None:
    assert refusal(ENTRY + ENTRY) == f"{SOURCE}:9:1: P102 appears twice"


def test_a_catalog_that_is_not_yaml_is_refused_with_its_place() -> None:
    assert refusal("P102: [unclosed\n") == f"{SOURCE}:2:1: did not find expected ',' or ']'"


def test_an_alias_cannot_hide_a_rule_behind_another() -> None:
    text = ENTRY.replace("  example:\n", "  example: &e\n") + "P103:\n  level: error\n  summary: s\n  example: *e\n"
    assert parsed(text)["P103"].example == parsed(text)["P102"].example  # plain YAML, read as written


@pytest.mark.parametrize("text", ["- P102\n", "", "just text\n"])
def test_a_file_that_is_not_a_mapping_of_rules_is_refused(text: str) -> None:
    assert refusal(text) == f"{SOURCE}: expected a mapping from rule code to rule"
