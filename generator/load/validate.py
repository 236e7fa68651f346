"""Validate loaded YAML against a model and turn every pydantic error into a located diagnostic."""

from __future__ import annotations

import dataclasses
import difflib
import functools
from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, TypeAdapter, ValidationError

from generator.diagnostics import DataPath, Diagnostic, excerpt, format_path
from generator.load.recovery import MAX_PASSES, data_path, original_path, original_path_text, prune, view
from generator.load.yaml_source import SourceFile
from generator.model.field_types import describe

M = TypeVar("M")

_TYPE_WORDS = {
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "dict_type": "a mapping",
    "list_type": "a list",
    "literal_error": None,
    "int_type": "a whole number",
    "string_type": "text",
    "bool_type": "true or false",
}


def _allowed_keys(model: Any, path: DataPath) -> list[str]:
    """The keys a mapping at `path` may hold, for a did-you-mean hint."""
    node: Any = model
    for part in path:
        if isinstance(part, int):
            continue
        fields = getattr(node, "model_fields", None)
        if not fields:
            return []
        match = next((f for name, f in fields.items() if (f.alias or name) == part), None)
        if match is None:
            return []
        node = _model_in(match.annotation)
    fields = getattr(node, "model_fields", None) or {}
    return [f.alias or name for name, f in fields.items()]


def _model_in(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def _close_key(key: str, allowed: list[str], cutoff: float = 0.6) -> list[str]:
    """`difflib.get_close_matches(key, allowed, n=1)`, without indexing `key` when no allowed key's length can
    reach the cutoff (its first test, real_quick_ratio, reads only the two lengths): an unknown key of 10,000
    characters is indexed character by character before any comparison."""
    def length_ratio(other: str) -> float:
        total = len(key) + len(other)
        return 2.0 * min(len(key), len(other)) / total if total else 1.0

    candidates = [other for other in allowed if length_ratio(other) >= cutoff]
    return difflib.get_close_matches(key, candidates, n=1, cutoff=cutoff) if candidates else []


def _diagnostic(error: Any, source: SourceFile, base: DataPath, model: Any) -> Diagnostic:
    loc = tuple(error["loc"])
    is_key = bool(loc) and loc[-1] == "[key]"
    path: DataPath = (*base, *(loc[:-1] if is_key else loc))
    kind: str = error["type"]
    ctx = error.get("ctx") or {}
    where = format_path(path)
    if kind == "missing":
        parent, key = path[:-1], path[-1]
        return Diagnostic(
            "P103", f'missing required key "{key}"', source.at(parent), format_path(parent), hint=f"add {key}: ..."
        )
    if kind == "extra_forbidden":
        key = str(path[-1])
        close = _close_key(key, _allowed_keys(model, path[len(base) : -1]))
        hint = f'did you mean "{close[0]}"?' if close else "remove it, or check the format for the keys allowed here"
        return Diagnostic("P102", f"unknown key {excerpt(key)}", source.key_at(path), where, hint)
    if kind.startswith("P") and kind[1:].isdigit():
        at = source.key_at(path) if is_key else source.at(path)
        return Diagnostic(kind, error["msg"], at, where, ctx.get("hint", ""))
    value = source.get(path)
    if kind == "literal_error":
        return Diagnostic(
            "P104",
            f"expected one of {ctx.get('expected')}, got {describe(value)}",
            source.at(path),
            where,
            "use one of the listed values",
        )
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        least, most = ctx.get("ge", ctx.get("gt")), ctx.get("le", ctx.get("lt"))
        bound = f"of at least {least}" if most is None else f"of at most {most}"
        return Diagnostic("P104", f"expected a number {bound}, got {describe(value)}", source.at(path), where)
    expected = _TYPE_WORDS.get(kind) or kind.replace("_", " ")
    return Diagnostic("P104", f"expected {expected}, got {describe(value)}", source.at(path), where)


@functools.lru_cache(maxsize=64)
def _adapter(model: Any) -> TypeAdapter[Any]:
    """One adapter per model: building one costs more than validating a small file."""
    return TypeAdapter(model)


def validate(
    model: type[M] | Any, source: SourceFile, data: Any = None, base: DataPath = ()
) -> tuple[M | None, list[Diagnostic]]:
    """Validate `data` (default: the whole file) as `model`; `base` is its path within the file."""
    data = source.data if data is None else data
    adapter = model if isinstance(model, TypeAdapter) else _adapter(model)
    try:
        return adapter.validate_python(data), []
    except ValidationError as error:
        inner = model.__args__[-1] if hasattr(model, "__args__") else model
        diagnostics = [_diagnostic(e, source, base, inner) for e in error.errors()]
        return None, diagnostics


def validate_partial(
    model: type[M] | Any, source: SourceFile, fill: Mapping[str, Any] | None = None
) -> tuple[M | None, list[Diagnostic], SourceFile]:
    """Validate the whole file as `model`, recovering what is sound (generator.load.recovery): every error is
    reported, the values with errors are left out, and the model of what is left is given back with the
    file as a view that matches it. `fill` gives top-level keys that can be known without the file
    (a version file's id and version, from its folder and name) where they are missing or wrong.
    None, when nothing usable is left (the file is not a mapping)."""
    adapter = model if isinstance(model, TypeAdapter) else _adapter(model)
    inner = model.__args__[-1] if hasattr(model, "__args__") else model
    try:
        return adapter.validate_python(source.data), [], source
    except ValidationError as error:
        errors = error.errors()
    diagnostics = [_diagnostic(e, source, (), inner) for e in errors]
    seen = {d.format_text() for d in diagnostics}
    current, shifts, partial = source.data, [], source
    left_out: list[DataPath] = []
    for _ in range(MAX_PASSES):
        paths = {data_path(current, tuple(e["loc"])) for e in errors if not _filled(e, fill)}
        if () in paths:
            break
        current, removed = prune(current, paths)
        left_out.extend(original_path((*where, index), shifts) for where, index in removed)
        shifts.extend(removed)
        for key, value in (fill or {}).items():
            if isinstance(current, dict) and key not in current:
                current[key] = value
        partial = view(source, current, shifts)
        try:
            return adapter.validate_python(current), _noting(diagnostics, left_out), partial
        except ValidationError as again:
            errors = again.errors()
        # a key missing now was left out here, as part of an error already reported; anything else was
        # hidden until now (a model's own rule runs only once its fields are sound)
        for e in errors:
            found = _diagnostic(e, partial, (), inner)
            found = dataclasses.replace(found, path=original_path_text(found.path, shifts))
            if e["type"] != "missing" and found.format_text() not in seen:
                seen.add(found.format_text())
                diagnostics.append(found)
    return None, diagnostics, source


def _filled(error: Any, fill: Mapping[str, Any] | None) -> bool:
    """A missing top-level key that `fill` gives: nothing to leave out."""
    loc = tuple(error["loc"])
    return error["type"] == "missing" and len(loc) == 1 and loc[0] in (fill or {})


def _noting(diagnostics: list[Diagnostic], left_out: list[DataPath]) -> list[Diagnostic]:
    """Each error inside a list item that had to be left out says so: what refers to that item (a phase
    naming a regimen, a placeholder) is then reported as unknown, and this is why."""
    noted = []
    for diagnostic in diagnostics:
        item = next((p for p in left_out if format_path(p) and _within(diagnostic.path, format_path(p))), None)
        if item is not None:
            note = (f"until this is fixed, {format_path(item)} is left out of the other checks, so what refers "
                    "to it is reported as unknown")
            hint = f"{diagnostic.hint}; {note}" if diagnostic.hint else note
            diagnostic = dataclasses.replace(diagnostic, hint=hint)
        noted.append(diagnostic)
    return noted


def _within(path: str, item: str) -> bool:
    return path == item or path.startswith((item + ".", item + "["))
