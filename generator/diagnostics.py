"""Every diagnostic the generator can report, each under a code of the rule catalog (generator/rules.yaml)."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from generator.rule_catalog import RULES, Level


@dataclass(frozen=True, order=True)
class Location:
    file: str
    line: int = 1
    col: int = 1

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


@dataclass(frozen=True)
class Diagnostic:
    code: str
    message: str
    location: Location
    path: str = ""
    hint: str = ""

    def __post_init__(self) -> None:
        if self.code not in RULES:
            raise ValueError(f"unregistered rule code {self.code}")

    @property
    def level(self) -> Level:
        return RULES[self.code].level

    @property
    def is_error(self) -> bool:
        return self.level == "error"

    def format_text(self) -> str:
        text = f"{self.location}: {self.level} {self.code}: {self.message}"
        if self.path:
            text += f" ({self.path})"
        if self.hint:
            text += f"\n    {self.hint}"
        return text

    def to_json(self) -> dict[str, object]:
        return {
            "file": self.location.file,
            "line": self.location.line,
            "col": self.location.col,
            "level": self.level,
            "code": self.code,
            "message": self.message,
            "path": self.path,
            "hint": self.hint,
        }

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.location.file, self.location.line, self.location.col, self.code, self.message)


DataPath = tuple[str | int, ...]


def format_path(path: DataPath) -> str:
    """("regimens", 0, "dose") -> "regimens[0].dose"."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:  # a key is author text: bounded and escaped like any value a message quotes
            shown = excerpt(part, quoted=False)
            text += f".{shown}" if text else shown
    return text


def sorted_diagnostics(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    unique = {(d.sort_key(), d.path, d.hint): d for d in diagnostics}
    return [unique[key] for key in sorted(unique)]


def summary_line(diagnostics: list[Diagnostic], file_count: int) -> str:
    errors = sum(1 for d in diagnostics if d.is_error)
    warnings = len(diagnostics) - errors

    def plural(n: int, word: str) -> str:
        return f"{n} {word}" + ("" if n == 1 else "s")

    return f"{plural(errors, 'error')}, {plural(warnings, 'warning')} in {plural(file_count, 'file')}"


_SHOWN_AS_ESCAPE = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


def excerpt(value: object, limit: int = 60, quoted: bool = True) -> str:
    """A value as a message quotes it (§1): at most `limit` characters of it, then "...", with control,
    invisible and direction-changing characters written as escapes so the message reads as it is;
    in double quotes unless `quoted` is false."""
    text = str(value)
    shown = text[:limit]
    if not shown.isascii() or not shown.isprintable():
        shown = "".join(
            f"\\u{ord(c):04X}" if c != " " and unicodedata.category(c) in _SHOWN_AS_ESCAPE else c for c in shown
        )
    if len(text) > limit:
        shown += "..."
    return f'"{shown}"' if quoted else shown
