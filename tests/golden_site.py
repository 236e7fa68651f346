"""The golden form of a built site: a compact text per file, so that a change to any page shows as a small,
reviewable diff (tests/end_to_end/test_golden_sites.py compares it; `make golden` rewrites tests/golden/sites/).

- An HTML page becomes its `<title>` and the inner HTML of its main `<article>` (the whole `<body>` when
  it has none), one element or text per line, indented by depth. What HTML does not give a meaning to is
  normalised, so that a change of markup style is no change here: attribute order (sorted), whitespace
  inside a class list, comments, whitespace between block elements, runs of ASCII whitespace inside text
  (one space; kept verbatim inside <pre> and <textarea>). Everything else shows: every text, number,
  attribute (links, classes, ids), element, and the space or its absence between inline elements
  ("5 mg" against "5mg"). Text is quoted so a leading or trailing space is visible; characters a reader
  cannot tell apart from a space or nothing (no-break and thin spaces, joiners, soft hyphens) are written
  as character references (&nbsp; &#x2009; ...).
- The site's other files: text files (the audit file, the sitemap, the search index) in full, JSON
  re-indented one value per line; files the generator ships (site_templates/assets) and binary files by
  their SHA-256; the theme's own files (Material's assets) and the search tool's index files only listed
  (MANIFEST.txt), since no author text reaches them and their bytes are a dependency's business.
"""

from __future__ import annotations

import difflib
import hashlib
import html
import json
import re
import unicodedata
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
                  "source", "track", "wbr"})
# Elements whose boundaries make surrounding whitespace insignificant to what a reader sees.
BLOCK = frozenset({
    "address", "article", "aside", "blockquote", "body", "caption", "col", "colgroup", "dd", "details",
    "dialog", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3",
    "h4", "h5", "h6", "head", "header", "hr", "html", "li", "link", "main", "meta", "nav", "noscript", "ol",
    "option", "p", "pre", "script", "section", "select", "style", "summary", "table", "tbody", "td",
    "template", "tfoot", "th", "thead", "title", "tr", "ul", "br", "svg", "g", "path", "rect", "line",
    "circle", "polyline", "polygon", "defs", "marker", "desc", "input",
})  # not label, button, SVG text and tspan: a space beside them shows
VERBATIM = frozenset({"pre", "textarea"})
# HTML's boolean attributes: `hidden`, `hidden=""` and `hidden="hidden"` are one and the same.
BOOLEAN = frozenset({"allowfullscreen", "async", "autofocus", "autoplay", "checked", "controls", "default", "defer",
                     "disabled", "formnovalidate", "hidden", "inert", "ismap", "itemscope", "loop", "multiple",
                     "muted", "nomodule", "novalidate", "open", "playsinline", "readonly", "required", "reversed",
                     "selected"})
RAW_TEXT = frozenset({"script", "style"})
ASCII_SPACE = re.compile(r"[ \t\n\r\f]+")
MANIFEST = "MANIFEST.txt"
DIFF_LINES = 60


@dataclass
class _Token:
    kind: str  # "start", "end", "text"
    tag: str = ""
    attrs: list[tuple[str, str | None]] = field(default_factory=list)
    text: str = ""
    verbatim: bool = False


class _Tokens(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tokens: list[_Token] = []
        self._verbatim = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tokens.append(_Token("start", tag, attrs))
        if tag in VERBATIM and tag not in VOID:
            self._verbatim += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tokens.append(_Token("start", tag, attrs))
        if tag not in VOID:
            self.tokens.append(_Token("end", tag))

    def handle_endtag(self, tag: str) -> None:
        self.tokens.append(_Token("end", tag))
        if tag in VERBATIM and self._verbatim:
            self._verbatim -= 1

    def handle_data(self, data: str) -> None:
        self.tokens.append(_Token("text", text=data, verbatim=self._verbatim > 0))


def visible(text: str, quote: str = '"') -> str:
    """`text` escaped for one line: &, <, > and `quote` as references, and every character a reader cannot
    tell from a space or nothing (no-break space, other spaces, format characters, controls) as &#x...;."""
    escaped = html.escape(text, quote=False)
    if quote == '"':
        escaped = escaped.replace('"', "&quot;")
    elif quote == "'":
        escaped = escaped.replace("'", "&#x27;")
    out = []
    for char in escaped:
        if char == "\u00a0":
            out.append("&nbsp;")
        elif char != " " and (unicodedata.category(char) in ("Zs", "Zl", "Zp", "Cf", "Cc", "Co", "Cn")):
            out.append(f"&#x{ord(char):04X};")
        else:
            out.append(char)
    return "".join(out)


def _start_tag(token: _Token) -> str:
    parts = [token.tag]
    for name, value in sorted(token.attrs, key=lambda attr: attr[0]):
        if value is None or value == "" or (name in BOOLEAN and value.lower() == name):
            parts.append(name)  # an empty value is the bare attribute in HTML
            continue
        if name == "class":
            value = " ".join(value.split())
        # JSON in an attribute reads better in single quotes than with every " as &quot;
        quote = "'" if '"' in value and "'" not in value else '"'
        parts.append(f"{name}={quote}{visible(value, quote)}{quote}")
    return "<" + " ".join(parts) + ">"


def _is_block_boundary(token: _Token | None) -> bool:
    return token is None or (token.kind in ("start", "end") and token.tag in BLOCK)


def _element(tokens: list[_Token], tag: str) -> tuple[list[_Token], bool]:
    """The tokens inside the first `tag` element, and whether it was found."""
    depth = 0
    start = None
    for index, token in enumerate(tokens):
        if token.tag != tag or token.kind == "text":
            continue
        if token.kind == "start":
            if start is None:
                start = index + 1
            depth += 1
        elif start is not None:
            depth -= 1
            if depth == 0:
                return tokens[start:index], True
    return (tokens[start:], True) if start is not None else ([], False)


def _title(tokens: list[_Token]) -> str:
    inner, _found = _element(tokens, "title")
    return ASCII_SPACE.sub(" ", "".join(token.text for token in inner if token.kind == "text")).strip()


def _lines(tokens: list[_Token]) -> list[str]:
    lines = []
    depth = 0
    # Only tokens that place something: empty text between block boundaries is dropped below.
    for index, token in enumerate(tokens):
        if token.kind == "start":
            lines.append("  " * depth + _start_tag(token))
            if token.tag not in VOID:
                depth += 1
        elif token.kind == "end":
            if token.tag not in VOID:
                depth = max(0, depth - 1)
        else:
            text = token.text
            if not token.verbatim:
                previous = tokens[index - 1] if index else None
                following = tokens[index + 1] if index + 1 < len(tokens) else None
                text = ASCII_SPACE.sub(" ", text)
                if _is_block_boundary(previous):
                    text = text.lstrip(" ")
                if _is_block_boundary(following):
                    text = text.rstrip(" ")
                if not text:
                    continue
            lines.append("  " * depth + '"' + visible(text, "") + '"')
    return lines


def _tokens(page_html: str) -> list[_Token]:
    parser = _Tokens()
    parser.feed(page_html)
    parser.close()
    return parser.tokens


def page_texts(page_html: str) -> list[str]:
    """Every text of a page as a reader gets it, character references decoded (<title> and <script> too)."""
    return [token.text for token in _tokens(page_html) if token.kind == "text"]


def page_form(page_html: str) -> str:
    """The golden form of one HTML page."""
    tokens = _tokens(page_html)
    content, found = _element(tokens, "article")
    heading = "article" if found else "body"
    if not found:
        content, _found = _element(tokens, "body")
    return "\n".join([f"title: {visible(_title(tokens))}", f"{heading}:", *_lines(content)]) + "\n"


def _text_form(path: str, data: bytes) -> str | None:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if "\x00" in text:
        return None
    if path.endswith(".json"):
        try:
            return json.dumps(json.loads(text), indent=1, ensure_ascii=False) + "\n"
        except ValueError:
            return text
    return text


@dataclass(frozen=True)
class FileRules:
    """Which files of a site are listed only, and which are the generator's own shipped files (hashed)."""

    theme_root: Path  # Material's templates folder: a site file at the same relative path is the theme's
    shipped_assets: Path  # site_templates/assets: copied as they are under assets/
    listed_prefixes: tuple[str, ...] = ("pagefind/",)

    def kind(self, relative: str) -> str:
        theme_file = not relative.endswith(".html") and (self.theme_root / relative).is_file()
        if relative.startswith(self.listed_prefixes) or theme_file:
            return "listed"
        if relative.startswith("assets/") and (self.shipped_assets / relative.removeprefix("assets/")).is_file():
            return "hash"
        return "content"


def site_form(root: Path, rules: FileRules) -> dict[str, str]:
    """{golden file path: text} for a built site: `<page>.txt` per HTML page and text file, MANIFEST.txt
    listing every file with its kind (page, text, sha256 or listed)."""
    forms: dict[str, str] = {}
    manifest = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        relative = path.relative_to(root).as_posix()
        kind = rules.kind(relative)
        data = path.read_bytes()
        if kind == "listed":
            manifest.append(f"{relative}  listed")
        elif kind == "content" and relative.endswith(".html"):
            forms[relative + ".txt"] = page_form(data.decode("utf-8"))
            manifest.append(f"{relative}  page")
        elif kind == "content" and (text := _text_form(relative, data)) is not None:
            forms[relative + ".txt"] = text
            manifest.append(f"{relative}  text")
        else:
            manifest.append(f"{relative}  sha256:{hashlib.sha256(data).hexdigest()}")
    forms[MANIFEST] = "\n".join(manifest) + "\n"
    return dict(sorted(forms.items()))


def golden_files(folder: Path) -> dict[str, str]:
    if not folder.is_dir():
        return {}
    return {path.relative_to(folder).as_posix(): path.read_text(encoding="utf-8")
            for path in sorted(folder.rglob("*")) if path.is_file()}


def write_golden(folder: Path, forms: dict[str, str]) -> None:
    for relative in golden_files(folder):
        if relative not in forms:
            (folder / relative).unlink()
    for relative, text in forms.items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    for directory in sorted((p for p in folder.rglob("*") if p.is_dir()), reverse=True):
        if not any(directory.iterdir()):
            directory.rmdir()


def first_difference(expected: dict[str, str], actual: dict[str, str], where: str) -> str:
    """"" when equal, else which files are missing or extra and the diff of the first differing file."""
    missing = sorted(set(expected) - set(actual))
    extra = sorted(set(actual) - set(expected))
    changed = [name for name in sorted(set(expected) & set(actual)) if expected[name] != actual[name]]
    if not (missing or extra or changed):
        return ""
    report = [f"the built site differs from {where} (review, then `make golden` if every change is intended)"]
    if missing:
        report.append(f"golden files the build no longer gives: {', '.join(missing)}")
    if extra:
        report.append(f"files the build gives that have no golden form: {', '.join(extra)}")
    if changed:
        report.append(f"{len(changed)} changed file(s): {', '.join(changed)}; the first:")
        diff = difflib.unified_diff(expected[changed[0]].splitlines(), actual[changed[0]].splitlines(),
                                    f"golden/{changed[0]}", f"built/{changed[0]}", lineterm="", n=2)
        lines = list(diff)
        report.extend(lines[:DIFF_LINES])
        if len(lines) > DIFF_LINES:
            report.append(f"... {len(lines) - DIFF_LINES} more diff lines")
    return "\n".join(report)
