"""The inline-script scan of built pages (moved here from tests/end_to_end/test_content_safety.py so that
tests of other stages can use it): `scan` names every event handler, javascript:/vbscript:/data: URL, active
element and inline script but Material's own and our theme overrides' (INLINE_SCRIPTS_OF_MATERIAL) and
JSON data blocks."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import material
from browser import REPO_ROOT

URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "poster", "xlink:href", "background", "cite",
                  "srcset", "ping", "manifest", "codebase"}
UNSAFE_SCHEME = re.compile(r"^(?:javascript|vbscript|data):")
# Elements author Markdown never produces and that can load or run something.
ACTIVE_ELEMENTS = {"script", "iframe", "object", "embed", "base", "meta", "form", "style", "link", "frame",
                   "frameset", "applet", "svg", "math", "template"}
DATA_SCRIPT_TYPES = {"application/json", "application/ld+json"}


def material_inline_scripts() -> list[re.Pattern[str]]:
    """The inline scripts Material writes itself, from its partials/javascripts/*.html (local-storage scope
    and hash helpers, the announcement bar's dismissal, the tab-from-hash fix, palette, consent, outdated
    version banner): each template's <script> body, its Jinja expressions (a base URL) matched as any
    quoted text. Nothing else inline is allowed."""
    patterns = []
    for template in sorted((Path(material.__file__).parent / "templates/partials/javascripts").glob("*.html")):
        for body in re.findall(r"<script>(.*?)</script>", template.read_text(encoding="utf-8"), re.S):
            parts = re.split(r"\{\{.*?\}\}", body)
            patterns.append(re.compile('[^"]*'.join(re.escape(part) for part in parts)))
    return patterns


def theme_inline_scripts() -> list[re.Pattern[str]]:
    """The inline scripts of our own theme overrides (site_templates/overrides: the 404 page's search for
    the site root, which must run before any link is read), matched exactly like Material's."""
    patterns = []
    for template in sorted((REPO_ROOT / "site_templates/overrides").rglob("*.html")):
        for body in re.findall(r"<script>(.*?)</script>", template.read_text(encoding="utf-8"), re.S):
            parts = re.split(r"\{\{.*?\}\}", body)
            patterns.append(re.compile('[^"]*'.join(re.escape(part) for part in parts)))
    return patterns


INLINE_SCRIPTS_OF_MATERIAL = material_inline_scripts() + theme_inline_scripts()


@dataclass
class Scan(HTMLParser):
    active_elements: bool = True  # report ACTIVE_ELEMENTS (author content only: a page's head has <meta>)
    findings: list[str] = field(default_factory=list)
    _script: tuple[dict[str, str], list[str]] | None = None

    def __post_init__(self) -> None:
        super().__init__(convert_charrefs=True)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        for name, value in values.items():
            if name.startswith("on"):
                self.findings.append(f"<{tag}> event handler {name}={value!r}")
            if name in URL_ATTRIBUTES and UNSAFE_SCHEME.match(re.sub(r"[\x00-\x20\x7f]", "", value).lower()):
                self.findings.append(f"<{tag}> {name}={value!r}")
        if tag == "script":
            self._script = (values, [])
        elif self.active_elements and tag in ACTIVE_ELEMENTS:
            self.findings.append(f"<{tag}> element")

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._script[1].append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag != "script" or self._script is None:
            return
        attributes, chunks = self._script
        self._script = None
        body = "".join(chunks)
        if "src" in attributes or attributes.get("type") in DATA_SCRIPT_TYPES:
            return
        if not any(pattern.fullmatch(body) for pattern in INLINE_SCRIPTS_OF_MATERIAL):
            self.findings.append(f"inline <script> {body[:80]!r}")


def scan(text: str, active_elements: bool = True) -> list[str]:
    scanner = Scan(active_elements)
    scanner.feed(text)
    scanner.close()
    return scanner.findings
