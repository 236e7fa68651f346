"""The serve part of the site engine adapter (generator/site/engine.py): MkDocs' live-reloading server driven
by an incremental builder, and the banner that `protocols serve` puts at the top of every page while the
library has errors.

Incremental preview: the first build is a whole MkDocs build. After a save, the engine is handed only the
pages whose text changed (``preview_state.SiteUpdate``). Every other page is a file MkDocs knows (links to
it and its place resolve) but does not read or write (a "dirty" build); the navigation pages among them
keep the titles they were built with, as their text is unchanged. The output of removed pages is deleted,
and the search index keeps every entry but those of the pages rewritten or removed. If the navigation came
out different (a title, a page added to or gone from it) or the site's mkdocs.yml changed, the site is
built again from scratch, so no page keeps an old navigation.

The error banner is put into each HTML page as it is served (LiveReloadServer's script injection, which
the 404 page goes through too), not written into the files: errors appearing or going away rewrite no page.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.livereload import LiveReloadServer, _serve_url
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Navigation

from generator.site.mkdocs_config import merged_config, own_config_file
from generator.site.save_watch import watch_for_saves

if TYPE_CHECKING:
    from generator.site.preview_state import SiteUpdate

UpdateSource = Callable[[bool], "SiteUpdate"]  # called with full=True when every page is needed
BannerProvider = Callable[[], str]  # HTML shown at the top of every page ("" for none): serve's error list

ARTICLE_START = re.compile(r'<article class="md-content__inner md-typeset"[^>]*>')  # attributes may follow
BODY_START = re.compile(r"<body\b[^>]*>")
log = logging.getLogger("mkdocs.protocols.serve")


def insert_banner(page_html: str, banner: str) -> str:
    """The page with ``banner`` at the top of its content (of its body when it has no article)."""
    if not banner:
        return page_html
    match = ARTICLE_START.search(page_html) or BODY_START.search(page_html)
    if match is None:
        return banner + page_html
    return page_html[: match.end()] + banner + page_html[match.end():]


def serving_banner(server: Any, banner: BannerProvider) -> None:
    """Put ``banner()`` into every HTML page ``server`` serves, error pages included, and give the 404 page
    the live-reload script the other pages get, so a page missing only while the library has errors comes
    back by itself once they are fixed.

    ``server`` is MkDocs' LiveReloadServer; its script injection is private API (MkDocs is pinned exactly).
    """
    inject = server._inject_js_into_html
    serve_error = server.error_handler

    def inject_with_banner(content: bytes, epoch: int) -> bytes:
        shown = insert_banner(content.decode("utf-8", errors="surrogateescape"), banner())
        return inject(shown.encode("utf-8", errors="surrogateescape"), epoch)

    def error_page(code: int) -> bytes | None:
        content = serve_error(code)
        return None if content is None else inject_with_banner(content, getattr(server, "_visible_epoch", 0))

    server._inject_js_into_html = inject_with_banner
    server.error_handler = error_page


@dataclass
class BuildRecord:
    """What one builder keeps between builds: the navigation and configuration the pages were built with."""

    navigation: list[tuple[str, str]] | None = None  # (title, url) of every navigation entry; None: build all
    titles: dict[str, str] = field(default_factory=dict)  # title of each navigation page, by path
    config_text: str | None = None
    log: list[str] = field(default_factory=list)  # "full 583 pages", "incremental 3 pages, 0 removed", ...


class IncrementalBuilder:
    """Builds the served site from ``source``'s updates into the site_dir of ``config()``.

    ``config_text()`` is the site's merged mkdocs.yml: when it changes, every page is built. A failure is
    handed to ``failed(message)`` (the preview shows it in its banner) and the next build is a whole one.
    """

    def __init__(self, source: UpdateSource, config: Callable[[], MkDocsConfig], *, reviewer: bool,
                 config_text: Callable[[], str], serve_url: str | None, failed: Callable[[str], None]) -> None:
        self.source = source
        self.config = config
        self.reviewer = reviewer
        self.config_text = config_text
        self.serve_url = serve_url
        self.failed = failed
        self.record = BuildRecord()

    def __call__(self, config: MkDocsConfig | None = None) -> None:
        from generator.site.engine import SiteBuildError
        from generator.site.mkdocs_config import SiteConfigError

        try:
            self._rebuild(config)
        except (SiteBuildError, SiteConfigError, OSError, ValueError) as error:
            self._fail(str(error))
        except Exception as error:  # noqa: BLE001  (MkDocs and its plugins raise many kinds; shown, not a crash)
            self._fail(f"site build failed: {type(error).__name__}: {error}")

    def _fail(self, message: str) -> None:
        log.error(message)
        self.record.navigation = None
        self.record.log.append("failed")
        self.failed(message)

    def _rebuild(self, config: MkDocsConfig | None) -> None:
        text = self.config_text()
        full = self.record.navigation is None or text != self.record.config_text
        update = self.source(full)
        if not update.full and not update.pages and not update.removed:
            self.record.log.append("nothing to build")  # errors: the served site stays as it was
            return
        navigation = self._build(update, config)
        self.record.config_text = text
        if not update.full and navigation != self.record.navigation:
            log.info("The navigation changed: building every page")
            navigation = self._build(self.source(True), None)
        self.record.navigation = navigation

    def _build(self, update: SiteUpdate, config: MkDocsConfig | None) -> list[tuple[str, str]]:
        from generator.site.engine import site_inputs

        config = config or self.config()
        if not (update.full or update.added or update.removed):
            # 404.html and sitemap.xml hold the navigation and the list of pages, nothing of a page's text:
            # unchanged while no page comes or goes (a changed navigation builds every page again)
            config.theme.static_templates = set()
        watcher = _PreviewPlugin(update.unchanged, {} if update.full else self.record.titles)
        config.plugins["protocols-preview"] = watcher
        site_dir = Path(config.site_dir)
        count = len(update.pages)
        start = time.perf_counter()
        with site_inputs(_once(update.pages), self.reviewer), _quiet_dirty_warning():
            mkdocs_build(config, serve_url=self.serve_url, dirty=not update.full)
        if update.full:
            self.record.log.append(f"full {count} pages")
        else:
            for path in sorted(update.removed):
                _remove_output(site_dir, path, config.use_directory_urls)
            self.record.log.append(f"incremental {count} pages, {len(update.removed)} removed")
        log.info(f"Preview: {self.record.log[-1]} in {time.perf_counter() - start:.2f} s")
        self.record.titles = watcher.titles
        return watcher.navigation


def _once(pages: dict[str, str]) -> Callable[[], dict[str, str]]:
    handed = [pages]
    return lambda: handed.pop() if handed else {}


def _remove_output(site_dir: Path, path: str, directory_urls: bool) -> None:
    """Delete a removed page's output file, then the folders it leaves empty (never site_dir itself)."""
    output = Path(File(path, None, str(site_dir), directory_urls).abs_dest_path)
    if output.is_file() or output.is_symlink():
        output.unlink()
    folder = output.parent
    while folder != site_dir and site_dir in folder.parents:
        try:
            folder.rmdir()
        except OSError:  # not empty
            break
        folder = folder.parent


class _DirtyWarningFilter(logging.Filter):
    """MkDocs warns on every dirty build that the navigation may be inaccurate; the builder sees to it."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "A 'dirty' build is being performed" not in record.getMessage()


@contextmanager
def _quiet_dirty_warning() -> Iterator[None]:
    build_logger = logging.getLogger("mkdocs.commands.build")
    quiet = _DirtyWarningFilter()
    build_logger.addFilter(quiet)
    try:
        yield
    finally:
        build_logger.removeFilter(quiet)


class BuiltFile(File):
    """A page whose output in site_dir is current: a dirty build knows it (links and the navigation resolve)
    but neither reads nor writes it."""

    def is_modified(self) -> bool:
        return False


class _PreviewPlugin(BasePlugin):  # type: ignore[type-arg]
    """Adds the pages that are current in the served site as BuiltFiles; gives the navigation pages among
    them the titles they were built with (a page's title comes from its text, which is unchanged), so that
    no unchanged page is read; notes the navigation (titles and URLs)."""

    def __init__(self, unchanged: frozenset[str], titles: dict[str, str]) -> None:
        super().__init__()
        self.unchanged = unchanged
        self.known_titles = titles
        self.navigation: list[tuple[str, str]] = []
        self.titles: dict[str, str] = {}
        self._nav: Navigation | None = None

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        from generator.site.engine import check_page_path
        from generator.site.page_kinds import in_navigation

        for path in sorted(self.unchanged):
            check_page_path(path)
            if path in files:
                continue  # given again (a navigation page): the new text wins
            inclusion = InclusionLevel.INCLUDED if in_navigation(path) else InclusionLevel.NOT_IN_NAV
            files.append(BuiltFile(path, None, config.site_dir, config.use_directory_urls, inclusion=inclusion))
        return files

    def on_nav(self, nav: Navigation, *, config: MkDocsConfig, files: Files) -> Navigation:
        self._nav = nav
        for page in nav.pages:
            if isinstance(page.file, BuiltFile) and page.file.src_uri in self.known_titles:
                page.title = self.known_titles[page.file.src_uri]
        return nav

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        if self._nav is not None:
            self.titles = {page.file.src_uri: str(page.title) for page in self._nav.pages}
            self.navigation = [(str(page.title), page.url) for page in self._nav.pages]


def serve(
    source: UpdateSource,
    *,
    reviewer: bool,
    watch: list[Path],
    docs_dir: Path,
    config_file: Path | None = None,
    dev_addr: str | None = None,
    banner: BannerProvider | None = None,
    failed: Callable[[str], None] = lambda message: None,
) -> None:
    """MkDocs' live-reloading server over an IncrementalBuilder: ``source(full)`` gives each rebuild's
    pages, ``banner()`` the HTML put at the top of every page served, ``failed(message)`` hears of a build
    that failed. Follows mkdocs.commands.serve.serve with our builder.

    ``watch`` lists extra paths (the protocols folder) whose edits trigger a rebuild; ``docs_dir`` is an
    existing, normally empty folder.
    """
    from generator.site.engine import config_source, load_site_config

    _, config_path = config_source(config_file)
    own = own_config_file(config_file)
    site_dir = tempfile.mkdtemp(prefix="mkdocs_")

    def get_config() -> MkDocsConfig:  # the rules `protocols build` applies (plugins list, no Material search)
        config = load_site_config(config_file, site_dir=site_dir, docs_dir=str(docs_dir), dev_addr=dev_addr)
        config.site_url = _serve_url(*config.dev_addr, "/")
        return config

    console = logging.StreamHandler()
    console.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
    mkdocs_logger = logging.getLogger("mkdocs")
    previous_level = mkdocs_logger.level
    mkdocs_logger.addHandler(console)
    mkdocs_logger.setLevel(logging.INFO)
    config = None
    try:
        config = get_config()
        config.plugins.on_startup(command="serve", dirty=False)
        host, port = config.dev_addr
        builder = IncrementalBuilder(source, get_config, reviewer=reviewer, config_text=lambda: merged_config(own).text,
                                     serve_url=config.site_url, failed=failed)
        server = LiveReloadServer(builder=builder, host=host, port=port, root=site_dir)
        server.error_handler = _error_pages(site_dir)
        if banner is not None:
            serving_banner(server, banner)
        builder()  # with a configuration of its own: this one's plugins must not keep the first build's pages
        watch_for_saves(server, [str(docs_dir), config_path, *(str(path) for path in watch)])
        try:
            server.serve()
        except KeyboardInterrupt:
            log.info("Shutting down...")
        finally:
            server.shutdown()
    finally:
        if config is not None:
            config.plugins.on_shutdown()
        mkdocs_logger.removeHandler(console)
        mkdocs_logger.setLevel(previous_level)
        if os.path.isdir(site_dir):
            shutil.rmtree(site_dir)


def _error_pages(site_dir: str) -> Callable[[int], bytes | None]:
    """MkDocs serve's: the site's 404.html (or 500.html) for those codes."""

    def error_page(code: int) -> bytes | None:
        page = Path(site_dir) / f"{code}.html"
        return page.read_bytes() if code in (404, 500) and page.is_file() else None

    return error_page
