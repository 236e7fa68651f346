"""The one catalog of rule codes (§6 of the format), read from generator/rules.yaml (package data).

Each code has its level, the summary docs/rules.md lists, and an example of its message. The catalog is data,
one entry per code, so that a new rule is one entry in one place; this module only reads and checks it, and
refuses a malformed entry with the file, the code and what the entry needs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib.resources import files
from typing import Literal

import yaml

Level = Literal["error", "warning"]
CATALOG_FILE = "rules.yaml"
CODE = re.compile(r"P[0-9]{3}")  # ASCII digits only: \d also matches other scripts' digits
EXAMPLE_REQUIRED = {"file", "line", "col", "message"}
EXAMPLE_OPTIONAL = {"path", "hint"}


@dataclass(frozen=True)
class Example:
    """A message of the rule as `protocols check` prints it: where, what, where in the data, what to do."""

    file: str
    line: int
    col: int
    message: str
    path: str = ""
    hint: str = ""


@dataclass(frozen=True)
class Rule:
    code: str
    level: Level
    summary: str
    example: Example


class _UniqueKeyLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """A safe YAML loader that refuses a repeated key (PyYAML would keep the last one and drop a rule unseen).

    Not load/yaml_source.py's reader: that one is a later stage and reports P101 as a Diagnostic, whose level
    comes from this catalog, so this base module importing it would reverse the stage order and be a cycle."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen: set[object] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    problem=f"{key} appears twice", problem_mark=key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def parse_catalog(text: str, source: str) -> dict[str, Rule]:
    """The rules of a rules.yaml text, by code in the file's order; a malformed one is a ValueError naming it."""
    try:
        entries = yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 (a SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        where = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark else source
        raise ValueError(f"{where}: {error.problem}") from None
    if not isinstance(entries, dict):
        raise ValueError(f"{source}: expected a mapping from rule code to rule")
    return {str(code): _rule(code, entry, source) for code, entry in entries.items()}


def _rule(code: object, entry: object, source: str) -> Rule:
    if not isinstance(code, str) or not CODE.fullmatch(code):
        raise ValueError(f"{source}: {code!r} is not a rule code: write P and three digits, e.g. P100")
    if (
        not isinstance(entry, dict)
        or entry.keys() != {"level", "summary", "example"}
        or entry["level"] not in ("error", "warning")
        or not isinstance(entry["summary"], str)
        or not entry["summary"].strip()
    ):
        raise ValueError(f"{source}: rule {code} needs level (error or warning), summary and example, and no more")
    example = entry["example"]
    if not _is_example(example):
        raise ValueError(
            f"{source}: the example of {code} needs file, line, col and message, and may have path and hint "
            "(numbers from 1 for line and col, text for the others)"
        )
    return Rule(code, entry["level"], entry["summary"], Example(**example))


def _is_example(example: object) -> bool:
    if not isinstance(example, dict) or not EXAMPLE_REQUIRED <= example.keys() <= EXAMPLE_REQUIRED | EXAMPLE_OPTIONAL:
        return False
    numbers = [example["line"], example["col"]]
    texts = [value for key, value in example.items() if key not in ("line", "col")]
    return all(type(number) is int and number > 0 for number in numbers) and all(isinstance(t, str) for t in texts)


RULES: dict[str, Rule] = parse_catalog(
    files("generator").joinpath(CATALOG_FILE).read_text(encoding="utf-8"), f"generator/{CATALOG_FILE}"
)
