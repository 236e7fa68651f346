"""Every diagnostic the generator can report, and the one catalog of rule codes (§6 of the format)."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Literal

Level = Literal["error", "warning"]


@dataclass(frozen=True)
class Rule:
    code: str
    level: Level
    summary: str


RULES: dict[str, Rule] = {
    rule.code: rule
    for rule in [
        Rule("P100", "error", "the file is not valid YAML"),
        Rule("P101", "error", "a key appears twice in one mapping"),
        Rule("P102", "error", "unknown key"),
        Rule("P103", "error", "required key missing"),
        Rule("P104", "error", "wrong type"),
        Rule("P105", "error", "malformed id or version, a reserved section id, or a reviewer name that mixes scripts"),
        Rule("P106", "error", "id differs from the folder name"),
        Rule("P107", "error", "version differs from the file name"),
        Rule("P108", "error", "malformed quantity or unknown unit"),
        Rule("P109", "error", "unsafe unit spelling"),
        Rule("P110", "error", "an invisible or direction-changing character in a string"),
        Rule("P111", "warning", "a file in a protocol folder that is neither a version file nor approvals.yaml"),
        Rule("P201", "error", "dose or option outside dose_range, or min above max"),
        Rule("P203", "error", "max_dose below the lowest table weight's amount, or inconsistent with dose_range"),
        Rule("P204", "error", "a dose, option, range or cap above the drug's ceiling"),
        Rule("P205", "error", "doses differs from frequency x length"),
        Rule("P206", "error", "units of different dimensions combined"),
        Rule("P207", "error", "a fixed dose that is not a whole multiple of unit_dose"),
        Rule("P208", "error", "a dose in prose that matches no quantity of the version's data"),
        Rule("P209", "error", "error-prone notation"),
        Rule("P210", "error", "a dose table that is empty, too long, or for a regimen that is not weight-based"),
        Rule("P211", "error", "a regimen, phase or drug reference that does not resolve"),
        Rule("P212", "error", "a rounding step so coarse that a table weight has no dose"),
        Rule("P301", "error", "citation of an unknown reference"),
        Rule("P302", "warning", "a reference that nothing cites"),
        Rule("P303", "error", "cross-reference to an unknown or unpublished protocol, version or section"),
        Rule("P304", "error", "unknown placeholder"),
        Rule("P305", "error", "a link destination that is not https, http or mailto"),
        Rule("P306", "error", "malformed DOI, PMID or URL"),
        Rule("P401", "error", "approved without the approvals the policy asks for"),
        Rule("P402", "error", "an approval's fingerprint differs from the version's content"),
        Rule("P403", "error", "a later version without changes"),
        Rule("P404", "error", "a dosing change not named in changes"),
        Rule("P405", "error", "approved or retired without effective date, or effective dates out of order"),
        Rule("P406", "error", "an approval by an unregistered reviewer, in a role not held, unsigned or unverified"),
        Rule("P407", "warning", "review overdue on the build date"),
        Rule("P501", "error", "raw HTML in Markdown"),
        Rule("P502", "error", "YAML anchors, aliases, non-standard tags, a file over 1 MiB, or nesting over 64 levels"),
        Rule("P503", "error", "an image whose source is not a file under protocols/_assets/"),
    ]
}


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
