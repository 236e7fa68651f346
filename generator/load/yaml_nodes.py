"""The fast path of the YAML loader: libyaml's C composer, then a walk of its nodes.

Building the tree from Python event objects (generator.load.yaml_source) is most of the load stage;
the C composer builds nodes without them, and each node keeps its start and end mark. Nodes cannot
show everything the loader's rules need, so this path only answers when it is sure to give exactly what
the event path gives, and otherwise returns None so that the event path decides:

- an anchor leaves no trace on its node (and an alias is the anchored node again): any `&` that is not
  preceded by an ASCII letter or digit (where an anchor token could stand) sends the file to the event path;
- the composer recurses in C without a limit, so the nesting it could meet is bounded from the text
  before composing (`_nesting_bound`); deeper than MAX_DEPTH in the walk goes to the event path too, for P502;
- a tag other than the standard scalar, `seq` and `map` tags, the merge key, a value that cannot be
  built (an impossible date), a syntax error or more than one document: the event path, for its message;
- files over _COMPOSED_CHARS characters: the event path, which builds no node tree (bounded memory).
"""

from __future__ import annotations

import functools
import re
from typing import Any

import yaml

from generator.diagnostics import DataPath, Diagnostic, Location, excerpt

MAX_DEPTH = 64  # nested mappings and lists (§1): deeper is P502, long before Python's recursion limit
CACHED_TEXT = 64  # plain scalars longer than this are resolved without the caches (bounded memory)
STR_TAG = "tag:yaml.org,2002:str"
IMMUTABLE_TAGS = {f"tag:yaml.org,2002:{name}" for name in ("int", "float", "bool", "null", "timestamp")}
STANDARD_TAGS = {STR_TAG, *IMMUTABLE_TAGS, "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}
constructor = yaml.constructor.SafeConstructor()

_COMPOSED_CHARS = 256 * 1024  # the node tree of a larger file is not built (the event path streams)
_NESTING_BOUND = 512  # the C composer recursed 10,000 levels safely and crashed at 100,000 (C stack)
_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_SCALAR_TAGS = {STR_TAG, *IMMUTABLE_TAGS}
_CSafeLoader = getattr(yaml, "CSafeLoader", None)
_POSSIBLE_ANCHOR = re.compile(r"(?<![0-9A-Za-z])&")
# what may stand before the first token of a line that opens a block collection: indentation, the
# indicators `- `, `? `, `: ` and tags (a line's lines are split as YAML splits them, and more)
_LINE_START = r"(?:^|(?<=[\n\r\x85\u2028\u2029]))"
_LEADING_UNIT = r"(?:[ \t]|[-?:](?![^ \t\n\r\x85\u2028\u2029])|![^ \t\n\r\x85\u2028\u2029]*)"


@functools.lru_cache(maxsize=4096)
def constructed(tag: str, value: str) -> Any:
    """A non-string scalar's value (numbers, booleans, null, dates: immutable, so built once per text)."""
    node = yaml.ScalarNode(tag, value)
    return constructor.yaml_constructors[tag](constructor, node)


def duplicate_key(key: str, first_line: int, display: str, line: int, col: int) -> Diagnostic:
    """P101 for the second `key` of one mapping (the first value is kept)."""
    return Diagnostic(
        "P101",
        f"key {excerpt(key)} appears twice in one mapping (first at line {first_line})",
        Location(display, line, col),
        hint="keep one of them (YAML would silently drop the first); the rest of the file was "
        "checked with the first",
    )


def _nesting_bound(text: str) -> int:
    """More than the nesting the composer can meet in `text`.

    A flow collection opens at a `[` or `{` (with at most one implicit single-pair mapping inside it); a
    block collection nested in another starts further right, or at the same column once (a sequence
    under a key), and a line opens block collections only in its leading indentation, indicators and
    tags plus one mapping after them.
    """
    flow = text.count("[") + text.count("{")
    if 2 * flow + 4 > _NESTING_BOUND:
        return _NESTING_BOUND + 1
    room = (_NESTING_BOUND - 2 * flow - 4) // 2
    longest_lead = re.compile(f"{_LINE_START}{_LEADING_UNIT}{{{room},}}", re.MULTILINE)
    return _NESTING_BOUND + 1 if longest_lead.search(text) else 2 * flow + 4 + 2 * room


class _EventPathDecides(Exception):
    """The nodes cannot show what a rule needs here: the event path gives the answer."""


class NodeWalk:
    """The values and positions of one composed document, as the event path records them."""

    def __init__(self, display: str) -> None:
        self.display = display
        self.values: dict[DataPath, tuple[int, int]] = {}
        self.styles: dict[DataPath, str] = {}
        self.keys: dict[DataPath, tuple[int, int]] = {}
        self.diagnostics: list[Diagnostic] = []
        self.quoted_spans: list[tuple[int, int]] = []

    def value(self, node: yaml.Node, path: DataPath, depth: int) -> Any:
        mark = node.start_mark
        self.values[path] = (mark.line + 1, mark.column + 1)
        kind = type(node)
        if kind is yaml.ScalarNode:
            if node.style:
                self.styles[path] = node.style
                if node.style == '"':
                    self.quoted_spans.append((mark.index, node.end_mark.index))
            return _scalar(node)
        if depth >= MAX_DEPTH:
            raise _EventPathDecides
        if kind is yaml.SequenceNode and node.tag == _SEQ_TAG:
            return [self.value(item, (*path, index), depth + 1) for index, item in enumerate(node.value)]
        if kind is yaml.MappingNode and node.tag == _MAP_TAG:
            return self._mapping(node, path, depth + 1)
        raise _EventPathDecides

    def _mapping(self, node: yaml.MappingNode, path: DataPath, depth: int) -> dict[str, Any]:
        mapping: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if type(key_node) is not yaml.ScalarNode or key_node.tag not in _SCALAR_TAGS:
                raise _EventPathDecides  # a collection as key, an unknown tag, the merge key <<
            key = key_node.value
            mark = key_node.start_mark
            if key_node.style == '"':
                self.quoted_spans.append((mark.index, key_node.end_mark.index))
            key_path = (*path, key)
            if key in mapping:
                first_line = self.keys[key_path][0]
                self.diagnostics.append(duplicate_key(key, first_line, self.display, mark.line + 1, mark.column + 1))
                self.value(value_node, (*path, f"{key} (duplicate)"), depth)
                continue
            self.keys[key_path] = (mark.line + 1, mark.column + 1)
            mapping[key] = self.value(value_node, key_path, depth)
        return mapping


def _scalar(node: yaml.ScalarNode) -> Any:
    tag = node.tag
    if tag == STR_TAG:
        return node.value
    if tag not in IMMUTABLE_TAGS:
        raise _EventPathDecides  # an unknown tag; YAML 1.1's "=" (value) and "<<" (merge) as values
    try:
        if len(node.value) > CACHED_TEXT:
            return constructed.__wrapped__(tag, node.value)
        return constructed(tag, node.value)
    except (ValueError, OverflowError, LookupError, AttributeError, yaml.YAMLError) as error:  # 2026-02-30
        raise _EventPathDecides from error  # the event path words the P100


def compose(text: str, display: str) -> tuple[Any, NodeWalk] | None:
    """The data and positions of `text` through the C composer; None when the event path must decide."""
    if _CSafeLoader is None or len(text) > _COMPOSED_CHARS or _POSSIBLE_ANCHOR.search(text):
        return None
    if _nesting_bound(text) > _NESTING_BOUND:
        return None
    loader = _CSafeLoader(text)
    try:
        node = loader.get_single_node()
    except (yaml.YAMLError, ValueError):  # syntax, a second document, a character YAML refuses
        return None
    finally:
        loader.dispose()
    if node is None:
        return None
    walk = NodeWalk(display)
    try:
        data = walk.value(node, (), 0)
    except _EventPathDecides:
        return None
    return data, walk
