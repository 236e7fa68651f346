"""Images of protocols/_assets/ that the site's pages show, copied into the site (format §5, P503).

A page loads nothing from outside the site, so an image of author Markdown (`![chart](_assets/chart.png)`)
is served from `assets/protocol-files/` (inline_render.ASSETS_FOLDER). Only the images that a text
shown on this site uses are copied (a draft's image does not reach the clinician site), read as bytes
from regular files reached through real folders (no symbolic link), and only image types a browser
shows without running anything (no SVG).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from generator.render.inline_render import ASSETS_FOLDER, Image, template
from generator.text.inline import library_markdown_fields, markdown_fields
from generator.text.markdown_rules import asset_exists

if TYPE_CHECKING:
    from generator.render.families import SiteContext


def _shown_texts(ctx: SiteContext) -> Iterator[str]:
    for info in ctx.publication.protocols.values():
        for version in info.versions:
            for _path, text in markdown_fields(version.file.doc):
                yield text
    for _file, _path, text in library_markdown_fields(ctx.library):
        yield text


def images_in(texts: Iterable[str], root: Path) -> set[str]:
    """Names (under protocols/_assets/ of the library at ``root``) of the existing images ``texts`` show."""
    names = set()
    for text in texts:
        for piece in template(text).pieces:
            if isinstance(piece, Image) and asset_exists(root, piece.name):
                names.add(piece.name)
    return names


def used_images(ctx: SiteContext) -> list[str]:
    """Names (under protocols/_assets/) of the existing images that the site's texts show."""
    return sorted(images_in(_shown_texts(ctx), ctx.library.root))


def plan_protocol_files(ctx: SiteContext) -> list[str]:
    return [ASSETS_FOLDER + name for name in used_images(ctx)]


def render_protocol_files(ctx: SiteContext) -> dict[str, bytes]:
    """The planned images, as bytes (MkDocs copies a page of bytes as it is)."""
    planned = sorted(path for path in ctx.site_pages if path.startswith(ASSETS_FOLDER))
    return {path: (ctx.library.root / "_assets" / path[len(ASSETS_FOLDER):]).read_bytes() for path in planned}
