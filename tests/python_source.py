"""The syntax tree of a Python source text, parsed once per test process: the repository checks of
tests/project/ (one truth, import graph, hidden state) each walk every module of generator/, and parsing
them all costs 0.2 s a pass. Pure functions of the text; callers only read the tree, never change it.

`nodes` is the tree's every node in `ast.walk`'s order, walked once: a walk of every module costs as much
again as their parse, and the checks walk them a dozen times a run."""

from __future__ import annotations

import ast
import functools
import unicodedata


@functools.lru_cache(maxsize=512)
def parsed(source: str) -> ast.Module:
    return ast.parse(source)


@functools.lru_cache(maxsize=512)
def nodes(source: str) -> tuple[ast.AST, ...]:
    return tuple(ast.walk(parsed(source)))


def may_name(source: str, names: tuple[str, ...]) -> bool:
    """Whether `source` can hold an identifier among `names`: Python reads identifiers NFKC-normalized (a
    fullwidth "ｍax" is max), so a source whose normalized text holds none of them needs no parse."""
    text = source if source.isascii() else unicodedata.normalize("NFKC", source)
    return any(name in text for name in names)
