"""Recovery after schema errors: the parts of a file that are sound, so every other rule still runs.

A value with an error (an unknown key, a wrong type, a malformed quantity) is reported, then left out;
a mapping that then lacks a required key is left out in turn, up to the list item or optional field
that holds it. What is left validates as a partial model. Leaving out a list item shifts the items
after it, so the file is given back as a view whose positions follow the data that is left.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from generator.diagnostics import DataPath, format_path
from generator.load.yaml_source import SourceFile

MAX_PASSES = 12  # each pass leaves out one more level; the models nest far less deeply


def data_path(data: Any, loc: tuple[Any, ...]) -> DataPath:
    """The path in the data of a pydantic error location, without union member tags and "[key]"."""
    path: list[Any] = []
    node = data
    for part in loc:
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            continue  # a union member ("str", "function-after[...]") or "[key]": not in the data
        path.append(part)
    return tuple(path)


def prune(data: Any, paths: set[DataPath]) -> tuple[Any, list[tuple[DataPath, int]]]:
    """A copy of `data` without the values at `paths`; the list items removed, as (list path, index)."""
    pruned = copy.deepcopy(data)
    removed: list[tuple[DataPath, int]] = []
    # deepest and last first, so an earlier removal never moves a later one
    for path in sorted(paths, key=lambda p: (len(p), [str(part).zfill(12) if isinstance(part, int) else str(part)
                                                      for part in p]), reverse=True):
        parent = pruned
        for part in path[:-1]:
            try:
                parent = parent[part]
            except (KeyError, IndexError, TypeError):
                break
        else:
            last = path[-1]
            if isinstance(parent, dict) and last in parent:
                del parent[last]
            elif isinstance(parent, list) and isinstance(last, int) and 0 <= last < len(parent):
                del parent[last]
                removed.append((path[:-1], last))
    return pruned, removed


def view(source: SourceFile, data: Any, removed: list[tuple[DataPath, int]]) -> SourceFile:
    """`source` with `data` in place of what was parsed, positions following the removed list items."""
    values, keys, styles = dict(source.values), dict(source.keys), dict(source.styles)
    for list_path, index in removed:  # in the order removed: deepest and last first within each pass
        values, keys, styles = (_shift(table, list_path, index) for table in (values, keys, styles))
    partial = SourceFile(source.path, data, values, keys, styles, source.text)
    partial.shifts = list(removed)
    return partial


def _shift(table: dict[DataPath, Any], list_path: DataPath, index: int) -> dict[DataPath, Any]:
    depth = len(list_path)
    shifted: dict[DataPath, Any] = {}
    for path, value in table.items():
        if len(path) > depth and path[:depth] == list_path and isinstance(path[depth], int):
            item = path[depth]
            if item == index:
                continue
            if item > index:
                path = (*list_path, item - 1, *path[depth + 1 :])
        shifted[path] = value
    return shifted


def original_path(path: DataPath, shifts: list[tuple[DataPath, int]]) -> DataPath:
    """Where `path`, written after the list items `shifts` were removed, stood in the file as parsed."""
    for list_path, index in reversed(shifts):
        depth = len(list_path)
        if len(path) > depth and path[:depth] == list_path and isinstance(path[depth], int) and path[depth] >= index:
            path = (*list_path, path[depth] + 1, *path[depth + 1 :])
    return path


_PATH_PART = re.compile(r"\[(\d+)\]|\.?([^.\[]+)")


def original_path_text(text: str, shifts: list[tuple[DataPath, int]]) -> str:
    """`original_path` for a data path as shown in a message ("regimens[0].dose")."""
    parts = tuple(int(index) if index else key for index, key in _PATH_PART.findall(text))
    if not parts or not shifts:
        return text
    return format_path(original_path(parts, shifts))
