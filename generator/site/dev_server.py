"""The serve part of the site engine adapter (generator/site/engine.py): MkDocs' live-reloading server, the banner
that `protocols serve` puts at the top of every page while the library has errors, and a 404 page that
reloads too. MkDocs is imported only when a server starts.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from generator.site.engine import BannerProvider, PagesProvider

ARTICLE_START = re.compile(r'<article class="md-content__inner md-typeset">')
BODY_START = re.compile(r"<body\b[^>]*>")


def insert_banner(page_html: str, banner: str) -> str:
    """The page with ``banner`` at the top of its content (of its body when it has no article)."""
    if not banner:
        return page_html
    match = ARTICLE_START.search(page_html) or BODY_START.search(page_html)
    if match is None:
        return banner + page_html
    return page_html[: match.end()] + banner + page_html[match.end():]


def reloading_error_pages(server: Any) -> None:
    """Give the 404 page MkDocs serves for a missing path the live-reload script its other pages get, so a
    page that is missing only while the library has errors comes back by itself once they are fixed.

    ``server`` is MkDocs' LiveReloadServer; its script injection is private API, hence the guard.
    """
    inject = getattr(server, "_inject_js_into_html", None)
    if inject is None:  # a MkDocs without it: the 404 page is served as it is
        return
    serve_error = server.error_handler

    def error_page(code: int) -> bytes | None:
        content = serve_error(code)
        return None if content is None else inject(content, getattr(server, "_visible_epoch", 0))

    server.error_handler = error_page


def serve(
    pages: PagesProvider,
    *,
    reviewer: bool,
    watch: list[Path],
    docs_dir: Path,
    config_file: Path | None = None,
    dev_addr: str | None = None,
    banner: BannerProvider | None = None,
) -> None:
    """MkDocs' live-reloading server; ``pages`` is called again on every rebuild, ``banner`` after it.

    ``watch`` lists extra paths (the protocols folder) whose edits trigger a rebuild; ``docs_dir`` is an
    existing, normally empty folder.
    """
    from mkdocs.commands.serve import serve as mkdocs_serve

    from generator.site.engine import config_source, site_inputs

    stream, config_path = config_source(config_file)
    # MkDocs reports the address, each rebuild and its warnings through logging, as its own CLI does.
    console = logging.StreamHandler()
    console.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
    mkdocs_logger = logging.getLogger("mkdocs")
    previous_level = mkdocs_logger.level
    mkdocs_logger.addHandler(console)
    mkdocs_logger.setLevel(logging.INFO)
    try:
        with site_inputs(pages, reviewer, banner):
            mkdocs_serve(
                stream,  # type: ignore[arg-type]  # load_config, which serve calls, reads a stream too
                config_file_path=config_path,
                watch=[str(path) for path in watch],
                docs_dir=str(docs_dir),
                dev_addr=dev_addr,
            )
    finally:
        mkdocs_logger.removeHandler(console)
        mkdocs_logger.setLevel(previous_level)
