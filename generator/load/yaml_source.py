"""YAML with the position of every key and value.

The file is read as libyaml events (C parser where present) and the tree is built from them here,
so that anchors, aliases, unknown tags and duplicate keys are refused before any value is built:
an alias bomb stops at its first anchor and a `!!python/...` tag is never constructed. Nesting is
bounded (P502) before the tree is built, files are read only as regular files (generator.load.files), and
invisible or direction-changing characters are reported where they stand (P110, generator.load.invisible).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from generator.diagnostics import DataPath, Diagnostic, Location, excerpt
from generator.load.files import MAX_FILE_BYTES, read_regular_file
from generator.load.invisible import position, refused_characters

__all__ = ["MAX_FILE_BYTES", "MAX_DEPTH", "SourceFile", "load_text", "load_yaml"]

MAX_DEPTH = 64  # nested mappings and lists (§1): deeper is P502, long before Python's recursion limit
_CACHED_TEXT = 64  # plain scalars longer than this are resolved without the caches (bounded memory)
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_STANDARD_TAGS = {
    f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp")
}
_STR_TAG = "tag:yaml.org,2002:str"
_IMMUTABLE_TAGS = {f"tag:yaml.org,2002:{name}" for name in ("int", "float", "bool", "null", "timestamp")}
_NODE_EVENTS = (yaml.ScalarEvent, yaml.SequenceStartEvent, yaml.MappingStartEvent)
_resolver = yaml.resolver.Resolver()
_constructor = yaml.constructor.SafeConstructor()


@dataclass
class SourceFile:
    path: str
    data: Any
    values: dict[DataPath, tuple[int, int]] = field(default_factory=dict)
    keys: dict[DataPath, tuple[int, int]] = field(default_factory=dict)
    styles: dict[DataPath, str] = field(default_factory=dict)  # scalar style: "", "|", ">", "'", '"'
    text: str = ""
    # list items left out after schema errors, as (list path, index) in the order removed (generator.load.recovery):
    # the data paths of this file's messages are shown as they stand in the file
    shifts: list[tuple[DataPath, int]] = field(default_factory=list)

    def at(self, path: DataPath) -> Location:
        """Where the value at `path` starts; the nearest enclosing value when it is absent."""
        for end in range(len(path), -1, -1):
            mark = self.values.get(path[:end])
            if mark:
                return Location(self.path, *mark)
        return Location(self.path)

    def key_at(self, path: DataPath) -> Location:
        mark = self.keys.get(path)
        return Location(self.path, *mark) if mark else self.at(path)

    def text_at(self, path: DataPath, offset: int) -> Location:
        """Where character `offset` of the string at `path` stands in the file.

        Exact for single-line scalars and literal blocks (`|`); for folded and multi-line plain
        scalars, whose line breaks YAML rewrites, the start of the value.
        """
        value, mark, style = self.get(path), self.values.get(path), self.styles.get(path, "")
        if not isinstance(value, str) or mark is None:
            return self.at(path)
        line, col = mark
        before = value[:offset]
        if style == "|":
            lines = self.text.splitlines()
            content = lines[line] if line < len(lines) else ""
            indent = len(content) - len(content.lstrip(" "))
            line_start = before.rfind("\n") + 1
            return Location(self.path, line + 1 + before.count("\n"), indent + 1 + offset - line_start)
        if "\n" in before or style == ">":
            return Location(self.path, line, col)
        return Location(self.path, line, col + offset + (1 if style in ("'", '"') else 0))

    def get(self, path: DataPath, default: Any = None) -> Any:
        node = self.data
        for part in path:
            try:
                node = node[part]
            except (KeyError, IndexError, TypeError):
                return default
        return node


def _mark(event: yaml.Event) -> tuple[int, int]:
    return event.start_mark.line + 1, event.start_mark.column + 1


class _Refused(Exception):
    """A file refused as a whole, at the event that breaks the rule."""

    def __init__(self, code: str, message: str, display: str, event: yaml.Event, hint: str = "") -> None:
        self.diagnostic = Diagnostic(code, message, Location(display, *_mark(event)), hint=hint)


def _check_tag(event: Any, display: str) -> None:
    tag = getattr(event, "tag", None)
    if tag and tag not in ("!", "?") and tag not in _STANDARD_TAGS:
        raise _Refused("P502", f"tag {tag.replace('tag:yaml.org,2002:', '!!')} is not allowed", display, event,
                       "remove the tag; protocol files use plain YAML values only")
    if getattr(event, "anchor", None):
        raise _Refused("P502", f"anchor &{event.anchor} is not allowed", display, event,
                       "write the value out in full: anchors and aliases are refused so that every value is visible")


@functools.lru_cache(maxsize=4096)
def _plain_tag(value: str) -> str:
    """The tag YAML gives an untagged plain scalar (resolved once per distinct text)."""
    return str(_resolver.resolve(yaml.ScalarNode, value, (True, False)))


@functools.lru_cache(maxsize=4096)
def _constructed(tag: str, value: str) -> Any:
    """A non-string scalar's value (numbers, booleans, null, dates: immutable, so built once per text)."""
    node = yaml.ScalarNode(tag, value)
    return _constructor.yaml_constructors[tag](_constructor, node)


def _scalar(event: yaml.ScalarEvent) -> Any:
    tag = event.tag
    if tag is None or tag == "!":
        # the resolver reads only the first of the implicit flags for a scalar: untagged plain scalars
        # are resolved, anything else is a string
        if not event.implicit[0]:
            tag = _STR_TAG
        elif len(event.value) <= _CACHED_TEXT:
            tag = _plain_tag(event.value)
        else:
            tag = _plain_tag.__wrapped__(event.value)
    if tag == _STR_TAG or tag not in _constructor.yaml_constructors:
        # YAML 1.1 resolves a plain "=" to its "value" type and "<<" to "merge", which the safe
        # constructor does not build: as values they are the text written
        return event.value
    short_tag = tag.replace("tag:yaml.org,2002:", "!!")
    if tag not in _IMMUTABLE_TAGS:  # an explicit !!map or !!seq on a single value would build a generator
        raise yaml.MarkedYAMLError(
            problem=f"{excerpt(event.value)} is not a valid value (a {short_tag} tag on a single value)",
            problem_mark=event.start_mark,
        )
    try:
        if len(event.value) > _CACHED_TEXT:
            return _constructed.__wrapped__(tag, event.value)
        return _constructed(tag, event.value)
    except (ValueError, OverflowError, yaml.YAMLError) as error:  # 2026-02-30; an int of 5,000 digits
        detail = excerpt(str(error), limit=200, quoted=False)
    except (LookupError, AttributeError):  # an explicit tag on text it cannot read: !!bool maybe, !!int ""
        detail = f"not a {short_tag}"
    raise yaml.MarkedYAMLError(
        problem=f"{excerpt(event.value)} is not a valid value ({detail})", problem_mark=event.start_mark
    )


class _Builder:
    """Builds plain Python values from an event stream, recording positions."""

    def __init__(self, display: str) -> None:
        self.display = display
        self.values: dict[DataPath, tuple[int, int]] = {}
        self.styles: dict[DataPath, str] = {}
        self.keys: dict[DataPath, tuple[int, int]] = {}
        self.diagnostics: list[Diagnostic] = []
        self.quoted_spans: list[tuple[int, int]] = []  # double-quoted scalars: escapes can make P110 characters

    def build(self, events: Any) -> Any:
        documents = []
        for event in events:
            if isinstance(event, yaml.DocumentStartEvent):
                if documents:
                    raise _Refused("P100", "more than one YAML document in the file", self.display, event,
                                   "keep one document per file; remove the `---` separator")
                documents.append(self._value(next(events), events, (), 0))
        return documents[0] if documents else None

    def _value(self, event: Any, events: Any, path: DataPath, depth: int) -> Any:
        kind = type(event)
        if kind is yaml.AliasEvent:
            raise _Refused("P502", f"alias *{event.anchor} is not allowed", self.display, event,
                           "write the value out in full")
        if kind not in _NODE_EVENTS or event.tag is not None or event.anchor is not None:
            _check_tag(event, self.display)
        mark = event.start_mark
        self.values[path] = (mark.line + 1, mark.column + 1)
        if kind is yaml.ScalarEvent:
            if event.style:
                self.styles[path] = event.style
                if event.style == '"':
                    self.quoted_spans.append((event.start_mark.index, event.end_mark.index))
            return _scalar(event)
        if depth >= MAX_DEPTH:
            raise _Refused("P502", f"nesting deeper than {MAX_DEPTH} levels of mappings and lists", self.display, event,
                           "protocol files need only a few levels: check the indentation and brackets here")
        if kind is yaml.SequenceStartEvent:
            items: list[Any] = []
            for item_event in events:
                if type(item_event) is yaml.SequenceEndEvent:
                    return items
                items.append(self._value(item_event, events, (*path, len(items)), depth + 1))
        if kind is yaml.MappingStartEvent:
            return self._mapping(events, path, depth + 1)
        unexpected = f"unexpected YAML event {type(event).__name__}"  # never the event itself: it holds the value
        raise _Refused("P100", unexpected, self.display, event)

    def _mapping(self, events: Any, path: DataPath, depth: int) -> dict[str, Any]:
        mapping: dict[str, Any] = {}
        for key_event in events:
            kind = type(key_event)
            if kind is yaml.MappingEndEvent:
                return mapping
            if kind is not yaml.ScalarEvent:
                raise _Refused("P100", "a mapping key must be a plain word", self.display, key_event)
            if key_event.tag is not None or key_event.anchor is not None:
                _check_tag(key_event, self.display)
            key = key_event.value
            if key_event.style == '"':
                self.quoted_spans.append((key_event.start_mark.index, key_event.end_mark.index))
            if key == "<<" and key_event.implicit[0]:  # the one plain scalar YAML resolves to a merge key
                raise _Refused("P502", "merge key << is not allowed", self.display, key_event,
                               "write the keys out in full")
            key_path = (*path, key)
            if key in mapping:
                first_line = self.keys[key_path][0]
                self.diagnostics.append(
                    Diagnostic(
                        "P101",
                        f"key {excerpt(key)} appears twice in one mapping (first at line {first_line})",
                        Location(self.display, *_mark(key_event)),
                        hint="keep one of them (YAML would silently drop the first); the rest of the file was "
                        "checked with the first",
                    )
                )
                self._value(next(events), events, (*path, f"{key} (duplicate)"), depth)
                continue
            mark = key_event.start_mark
            self.keys[key_path] = (mark.line + 1, mark.column + 1)
            mapping[key] = self._value(next(events), events, key_path, depth)
        return mapping


def load_text(text: str, display: str) -> tuple[SourceFile | None, list[Diagnostic]]:
    """Parse one YAML document; the file is None when it cannot be used, with the reasons."""
    builder = _Builder(display)
    parser = _Loader(text)
    refusal: list[Diagnostic] = []
    try:
        data = builder.build(iter(parser.get_event, None))
    except _Refused as refused:
        refusal = [refused.diagnostic]
    except yaml.reader.ReaderError as error:  # a character YAML does not allow anywhere (control characters)
        refused = list(refused_characters(text, display, parsed=False))
        return None, refused or [
            Diagnostic(
                "P100",
                f"not valid YAML: character U+{error.character:04X} is not allowed in a YAML file",
                position(text, display, error.position),
                hint="delete it",
            )
        ]
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        refusal = [_tab(text, display, line, col) or _not_yaml(error, display, line, col)]
    except (yaml.YAMLError, ValueError) as error:  # constructor errors, e.g. an impossible date
        problem = excerpt(str(error), limit=200, quoted=False)
        refusal = [Diagnostic("P100", f"not valid YAML: {problem}", Location(display))]
    finally:
        parser.dispose()
    invisible = list(refused_characters(text, display, builder.quoted_spans))
    if refusal:
        return None, [*refusal, *builder.diagnostics, *invisible]
    # duplicate keys (P101) are reported and the first value kept, so the rest of the file is still checked
    source = SourceFile(display, data, builder.values, builder.keys, builder.styles, text)
    return source, [*builder.diagnostics, *invisible]


def _not_yaml(error: yaml.MarkedYAMLError, display: str, line: int, col: int) -> Diagnostic:
    problem = error.problem or error.context or "invalid YAML"
    return Diagnostic(
        "P100",
        f"not valid YAML: {excerpt(problem, limit=200, quoted=False)}",
        Location(display, line, col),
        hint="check indentation and quoting near this position",
    )


def _tab(text: str, display: str, line: int, col: int) -> Diagnostic | None:
    """P100 naming the tab, where the parser stopped on one: libyaml's own words never say "tab"
    ("found character that cannot start any token")."""
    lines = text.split("\n")
    content = lines[line - 1] if 0 < line <= len(lines) else ""
    if content[col - 1 : col] != "\t":
        return None
    return Diagnostic(
        "P100",
        f"a tab character at {line}:{col}: YAML indents with spaces only; replace the tab with spaces",
        Location(display, line, col),
        hint="indent with spaces (most editors can be set to insert spaces for the Tab key)",
    )


def load_yaml(path: Path, display: str | None = None) -> tuple[SourceFile | None, list[Diagnostic]]:
    """Read and parse `path`, only when it is a regular file of at most 1 MiB (§1)."""
    display = display or str(path)
    raw, refused = read_regular_file(path, display)
    if raw is None:
        return None, refused
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line_start = raw.rfind(b"\n", 0, error.start) + 1
        line = raw.count(b"\n", 0, error.start) + 1
        col = len(raw[line_start : error.start].decode("utf-8", errors="replace")) + 1
        return None, [
            Diagnostic(
                "P100",
                f"not UTF-8 text: {error.reason} (byte 0x{raw[error.start]:02X})",
                Location(display, line, col),
                hint="save the file as UTF-8",
            )
        ]
    return load_text(text, display)
