"""What the parse of a Markdown field may not hold (format §5), decided from markdown-it's tokens:

- P501: raw HTML of any kind (a tag, a comment, a processing instruction, a declaration), inline or as
  a block: markdown-it recognises it as CommonMark does, however its attributes are quoted or split;
- P305: a link destination, inline, in a reference definition or an autolink, that is not http(s) or
  mailto, as the parser decoded it (entities, escapes) and whatever its case or control characters;
- P503: an image whose source is not a file under protocols/_assets/ (`_assets/<name>`).
"""

from __future__ import annotations

import os
import re
import stat
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from markdown_it.token import Token

from generator.diagnostics import excerpt
from generator.text.markdown import Parsed
from generator.text.prose_findings import Finding

_SAFE_DESTINATION = re.compile(r"(?:https?://[^/\\]|mailto:[^\s])", re.I)
_ASSET = re.compile(r"_assets/(?:[A-Za-z0-9_][A-Za-z0-9._-]*/)*[A-Za-z0-9_][A-Za-z0-9._-]*\.(?:png|jpe?g|gif|webp)")
_INVISIBLE = ("Cc", "Cf", "Zl", "Zp")
HTML_HINT = "use Markdown instead (**bold**, *italic*, lists, [links](https://...)); raw HTML is refused"
COMMENT_HINT = "remove it; a note for authors belongs in a YAML comment (# ...) outside the text"
LINK_HINT = ("link to an https:// (or http://, mailto:) address; a link to another protocol or a section is "
             "written [[protocol-id#section]]")
IMAGE_HINT = ("a page loads nothing from outside the site: put the image file (PNG, JPEG, GIF or WebP) in "
              "protocols/_assets/ and write ![what it shows](_assets/file-name.png)")


def shown(text: str) -> str:
    """A value quoted in a message: `diagnostics.excerpt`, the one quoting rule of §1."""
    return excerpt(text, quoted=False)


def safe_destination(url: str) -> bool:
    """An https, http or mailto URL with no control, format or line-separator character anywhere in it."""
    return bool(_SAFE_DESTINATION.match(url)) and not any(unicodedata.category(c) in _INVISIBLE for c in url)


def asset_name(source: str) -> str | None:
    """`flow.png` for the image source `_assets/flow.png`; None for any other source. Only image types a
    browser shows without running anything (PNG, JPEG, GIF, WebP: not SVG, which can hold script)."""
    return source[len("_assets/") :] if _ASSET.fullmatch(source) and "/../" not in f"/{source}/" else None


def asset_exists(root: Path, name: str) -> bool:
    """protocols/_assets/<name> is a regular file reached through real folders (no symbolic link)."""
    path = root / "_assets"
    for part in name.split("/"):
        path = path / part
        try:
            mode = os.lstat(path).st_mode
        except OSError:
            return False
        if stat.S_ISLNK(mode):
            return False
    return stat.S_ISREG(mode)


def _html_finding(raw: str, offset: int) -> Finding:
    text = " ".join(raw.split())
    if text.startswith("<!--"):
        return Finding("P501", offset, f'HTML comment "{shown(text)}" in Markdown', COMMENT_HINT)
    return Finding("P501", offset, f'raw HTML "{shown(text)}" in Markdown', HTML_HINT)


def _destination_offset(parsed: Parsed, block: Token, close: Token) -> int | None:
    """Where the destination of an inline link or image stands, from the "]" that ends its text; None for
    a reference link (its definition is judged instead)."""
    source = block.content
    after = int(close.meta.get("pos", 0)) + 1
    if source[after : after + 1] != "(":
        return None
    position = after + 1
    while position < len(source) and source[position] in " \t\n":
        position += 1
    if source[position : position + 1] == "<":
        position += 1
    return parsed.offset(block, position)


def _link_finding(url: str, offset: int) -> Finding:
    return Finding("P305", offset, f'link destination "{shown(url)}" is not https, http or mailto', LINK_HINT)


def _inline_findings(parsed: Parsed, block: Token) -> Iterator[Finding | AssetImage]:
    children = block.children or []
    for index, child in enumerate(children):
        if child.type == "html_inline":
            yield _html_finding(child.content, parsed.inline_offset(block, child))
        elif child.type == "link_open":
            url = str(child.attrs.get("href", ""))
            if safe_destination(url):
                continue
            if child.markup == "autolink":
                yield _link_finding(url, parsed.inline_offset(block, child, 1))
                continue
            depth, close = 0, None
            for later in children[index + 1 :]:
                depth += later.nesting if later.type in ("link_open", "link_close") else 0
                if later.type == "link_close" and depth < 0:
                    close = later
                    break
            where = _destination_offset(parsed, block, close) if close is not None else None
            if where is not None:
                yield _link_finding(url, where)
        elif child.type == "image":
            source = str(child.attrs.get("src", ""))
            name = asset_name(source)
            start = parsed.inline_offset(block, child)
            if name is None:
                yield Finding("P503", start, f'image "{shown(source)}" is not a file under protocols/_assets/',
                              IMAGE_HINT)
            else:
                missing = Finding("P503", start, f'image "{shown(source)}": no file {name} in protocols/_assets/',
                                  IMAGE_HINT)
                yield AssetImage(name, missing)


@dataclass(frozen=True)
class AssetImage:
    """An image whose source names a file under protocols/_assets/: P503 (`missing`) only if there is no such
    file, which the folder decides, not the text."""

    name: str
    missing: Finding


@dataclass(frozen=True)
class MarkupScan:
    """What one parsed field holds against §5, whatever folder it is in (so it can be kept per text)."""

    findings: tuple[Finding, ...]  # P501, P305, and P503 for a source outside protocols/_assets/
    assets: tuple[AssetImage, ...]

    def findings_in(self, asset_exists: Callable[[str], bool]) -> list[Finding]:
        """Every P501, P305 and P503, in text order; `asset_exists(name)` says whether protocols/_assets/<name>
        is a regular file."""
        found = [*self.findings, *(image.missing for image in self.assets if not asset_exists(image.name))]
        return sorted(found, key=lambda finding: finding.offset)


def markup_scan(parsed: Parsed) -> MarkupScan:
    """P501, P305 and the images of one parsed field."""
    found: list[Finding] = []
    assets: list[AssetImage] = []
    for block in parsed.tokens:
        if block.type == "html_block":
            content = block.content
            lead = len(content) - len(content.lstrip())
            found.append(_html_finding(content.lstrip().split("\n", 1)[0], parsed.offset(block, lead)))
        elif block.type == "inline":
            for item in _inline_findings(parsed, block):
                (assets if isinstance(item, AssetImage) else found).append(item)  # type: ignore[arg-type]
    found += [_link_finding(d.url, d.offset) for d in parsed.definitions if not safe_destination(d.url)]
    return MarkupScan(tuple(found), tuple(assets))


def markup_findings(parsed: Parsed, asset_exists: Callable[[str], bool]) -> Iterator[Finding]:
    """P501, P305 and P503 of one parsed field, in text order; `asset_exists(name)` says whether
    protocols/_assets/<name> is a regular file."""
    return iter(markup_scan(parsed).findings_in(asset_exists))
