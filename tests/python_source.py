"""The syntax tree of a Python source text, parsed once per test process: the repository checks of
tests/project/ (one truth, import graph, hidden state) each walk every module of generator/, and parsing
them all costs 0.2 s a pass. A pure function of the text; callers only read the tree, never change it."""

from __future__ import annotations

import ast
import functools


@functools.lru_cache(maxsize=512)
def parsed(source: str) -> ast.Module:
    return ast.parse(source)
