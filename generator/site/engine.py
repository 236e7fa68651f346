"""The site engine adapter: the MkDocs plugin and the build (only generator/site/ imports MkDocs or Material).

Pages come from the pure render layer as ``{relative path: text}``. The ``protocols`` MkDocs plugin adds
them to the build in ``on_files`` (``.md`` pages are wrapped in the theme, every other file is copied as-is),
adds the static assets and the theme overrides that ship with the generator (``generator.resources``), and
enforces what an offline intranet needs whatever the user's ``mkdocs.yml`` says: no web fonts, no "made
with" link, no source maps, a disclaimer on every page.

Material writes the whole navigation into every page, so only the pages of NAVIGATION_PATTERNS (home,
top-level indexes such as the drug index and bibliography, handbooks) enter the navigation; protocol,
version and diff pages are reached by links only. On the clinician site, the other copies of a
protocol (permanent version pages, diffs, history, handbook print views: SEARCH_EXCLUDED_PATTERNS) stay
out of the search index, so a search lands on the canonical page, which carries the version in use; the
reviewer site indexes every page, drafts included. Search is Pagefind's (generator/site/search_index.py runs it
after the build), not Material's: the plugin marks the article of each page to index with
``data-pagefind-body`` (overrides/main.html) and the header's search box is ours (overrides/partials).

The configuration is the generator's default_mkdocs.yml with the folder's own mkdocs.yml merged over it
(``generator.site.mkdocs_config``), so a site's file names only what it changes.

The generator writes each page's body as HTML (``generator.render.html_page``): MkDocs gets only the
page's title line to convert with Python-Markdown (title, H1 and its id as for any page); the plugin puts
the body after that H1 in ``on_page_content``, hands MkDocs the headings the generator wrote as the page's
contents (``page.toc``: Material's right-hand contents, the phone menu). The body comes finished from
render (``generator.render.placed_page``: links relative to the page for the configured
``use_directory_urls``, quantities kept on one line), so the engine rewrites no page; the theme's texts
from our data are wrapped by the ``pc_nowrap`` filter (``on_env``). Pagefind indexes the written pages
afterwards (generator/site/search_index.py).

Memory: `protocols build` hands the pages over as files (``StagedPages``, written as they were rendered).
MkDocs renders every page before it writes the first, so only a staged page's title line is read when
MkDocs reads the page; its body stays in its file, BODY_MARKER standing for it in ``page.content``, until
MkDocs builds that page (on_page_context: the body is read, its headings become the contents) and takes
the marker's place when the page is written (on_post_page). Pages given as a dict (serve) keep their HTML
in ``page.content`` until written. After writing only a page's title and URL are kept.
"""

from __future__ import annotations

import io
import logging
import os
import posixpath
from collections.abc import Callable, Iterator, Mapping, MutableMapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")  # Material's end-of-life banner, printed on import

from jinja2 import Environment  # noqa: E402
from mkdocs.commands.build import build as mkdocs_build  # noqa: E402
from mkdocs.config import load_config  # noqa: E402
from mkdocs.config.defaults import MkDocsConfig  # noqa: E402
from mkdocs.exceptions import MkDocsException, PluginError  # noqa: E402
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority  # noqa: E402
from mkdocs.structure.files import File, Files, InclusionLevel  # noqa: E402
from mkdocs.structure.nav import Navigation  # noqa: E402
from mkdocs.structure.pages import Page  # noqa: E402
from mkdocs.utils import normalize_url  # noqa: E402
from mkdocs.utils.templates import TemplateContext  # noqa: E402

from generator.render.html_page import HTML_BODY, split_html_page  # noqa: E402
from generator.render.nowrap import keep_together  # noqa: E402
from generator.resources import assets_dir, overrides_dir  # noqa: E402
from generator.site import page_kinds  # noqa: E402
from generator.site.dev_server import serve  # noqa: E402, F401  (site.serve)
from generator.site.error_page import error_page_context  # noqa: E402
from generator.site.mkdocs_config import (  # noqa: E402
    ReloadingConfigStream,
    SiteConfigError,
    merged_config,
    own_config_file,
)
from generator.site.page_toc import page_contents, page_ids, without  # noqa: E402
from generator.site.search_index import PagefindViews  # noqa: E402
from generator.site.source_date import pinned_build_date  # noqa: E402
from generator.site.staged_pages import BODY_MARKER, StagedPages, put_body  # noqa: E402
from generator.site.theme_cache import ThemeCache  # noqa: E402
from generator.site.title_lines import TitleLinePage, TitleLines  # noqa: E402

PagesProvider = Callable[[], MutableMapping[str, str] | StagedPages]

SITE_CSS = "assets/site.css"
MATERIAL_SEARCH_FILES = ("assets/javascripts/lunr/", "assets/javascripts/workers/search.")
DEFAULT_DISCLAIMER = (
    "This content is for healthcare professionals. Check every dose and instruction against your "
    "local policy and the patient's clinical condition before use."
)
REVIEWER_BANNER = (
    "Reviewer site: it includes drafts and versions in review that are not approved for clinical use."
)


HTML_BODY_BYTES = HTML_BODY.encode()
TITLE_LINE_READ = 4096  # bytes: a staged page's title line and the body's marker are almost always within


class SiteBuildError(Exception):
    """The site could not be built; the message says why (MkDocs warnings included)."""


@dataclass(frozen=True)
class SiteInputs:
    pages: PagesProvider
    reviewer: bool
    search_views: PagefindViews | None = None  # where each page written is shown to Pagefind (build only)


_active_inputs: SiteInputs | None = None


@contextmanager
def site_inputs(pages: PagesProvider, reviewer: bool, search_views: PagefindViews | None = None) -> Iterator[None]:
    """Make ``pages`` the source of the ``protocols`` plugin for builds started inside the block.

    A callable rather than a dict so that ``serve`` renders afresh on every rebuild. The plugin empties
    the mapping it gets (each page's text moves into the engine, which frees it once written).
    """
    global _active_inputs
    previous = _active_inputs
    _active_inputs = SiteInputs(pages, reviewer, search_views)
    try:
        yield
    finally:
        _active_inputs = previous


def check_page_path(path: str) -> None:
    """Reject a page path that could escape the site folder or is not a plain relative POSIX path."""
    normalised = posixpath.normpath(path) if path else ""
    if (
        not path
        or path != normalised
        or path.startswith("/")
        or "\\" in path
        or normalised == ".."
        or normalised.startswith("../")
    ):
        raise SiteBuildError(f"page path {path!r} is not a plain relative path inside the site")


class ProtocolsPlugin(BasePlugin):
    """Adds the generated pages and the generator's assets and theme overrides to an MkDocs build."""

    def __init__(self) -> None:
        super().__init__()
        self._generated_pages: set[str] = set()  # src_uri of every page from the pages provider
        self._search_all = False  # a reviewer site indexes every generated page, else in_search decides
        self._bodies: dict[str, str] = {}  # HTML bodies of pages given as a dict, from reading until rendered
        # Where each staged page's body marker is in its file, where the body waits from reading until written
        self._waiting: dict[str, tuple[Path, int]] = {}
        self._ready: dict[str, str] = {}  # the body of the page being built, read for it in on_page_context
        self._search_views: PagefindViews | None = None

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        if config.theme.name != "material":
            raise PluginError(f"the protocols site needs theme 'material', not {config.theme.name!r}")
        overrides = str(overrides_dir())
        if overrides not in config.theme.dirs:
            # After the user's custom_dir (if any), before Material's own templates.
            position = 1 if config.theme.custom_dir is not None else 0
            config.theme.dirs.insert(position, overrides)
        config.theme["font"] = False  # Google Fonts: the intranet has no route out
        extra = config.extra
        extra["generator"] = False  # Material's footer link to its own web site
        disclaimer = extra.get("disclaimer", DEFAULT_DISCLAIMER)
        if not isinstance(disclaimer, str) or not disclaimer.strip():
            raise PluginError("extra.disclaimer must be a non-empty text")
        extra["disclaimer"] = disclaimer.strip()
        inputs = _active_inputs
        extra["reviewer_banner"] = REVIEWER_BANNER if inputs is not None and inputs.reviewer else ""
        if SITE_CSS not in config.extra_css:
            config.extra_css.append(SITE_CSS)
        return config

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        inputs = _active_inputs
        if inputs is None:
            raise PluginError("no pages to build: run `protocols build` or `protocols serve`, not mkdocs")
        pages = inputs.pages()
        paths = pages.paths() if isinstance(pages, StagedPages) else sorted(pages)
        own_assets = {path for path in paths if path.startswith("assets/")}
        self._generated_pages = set()
        self._search_all, self._search_views = inputs.reviewer, inputs.search_views
        self._bodies = {}
        self._waiting = {}
        self._ready = {}
        for path in paths:
            check_page_path(path)
            if path in files:
                raise PluginError(f"generated page {path!r} clashes with a file of the docs or theme")
            inclusion = InclusionLevel.INCLUDED if page_kinds.in_navigation(path) else InclusionLevel.NOT_IN_NAV
            if isinstance(pages, StagedPages):
                file = File.generated(config, path, abs_src_path=str(pages.file(path)), inclusion=inclusion)
            else:  # popped: from here on the File holds the only reference, freed once the page is read
                file = File.generated(config, path, content=pages.pop(path), inclusion=inclusion)
            files.append(file)
            self._generated_pages.add(path)
        assets = assets_dir()
        for asset in sorted(p for p in assets.rglob("*") if p.is_file() and not p.name.startswith(".")):
            src_uri = "assets/" + asset.relative_to(assets).as_posix()
            if src_uri not in files:  # a rendered page of the same path wins over the template
                files.append(File.generated(config, src_uri, abs_src_path=str(asset)))
                own_assets.add(src_uri)
        for file in list(files):
            # Source maps of Material's bundles are dead weight offline; so is Material's search (its
            # worker and lunr), which Pagefind replaces.
            if file.src_uri.endswith(".map") or file.src_uri.startswith(MATERIAL_SEARCH_FILES):
                files.remove(file)
        _link_on_every_page(sorted(own_assets), config)
        return files

    def on_nav(self, nav: Navigation, *, config: MkDocsConfig, files: Files) -> Navigation:
        # The generated pages outside the navigation convert their title line through one memo per build
        # (generator/site/title_lines.py); a page in the navigation is the nav's object and stays MkDocs' own.
        title_lines = TitleLines()
        in_nav = {page.file.src_uri for page in nav.pages}
        for file in files.documentation_pages():
            if file.src_uri in self._generated_pages and file.src_uri not in in_nav:
                TitleLinePage(file, config, title_lines)  # becomes file.page
        return nav

    def on_page_read_source(self, *, page: Page, config: MkDocsConfig) -> str | None:
        if page.file.src_uri not in self._generated_pages:
            return None
        if page.file.abs_src_path is not None:
            return self._read_title_line(page.file.src_uri, Path(page.file.abs_src_path))
        source = page.file.content_string
        page.file.content_string = ""  # MkDocs copies the text into page.markdown; keep one copy only
        html_page = split_html_page(source)
        if html_page is None:
            return source
        # Python-Markdown converts the title line only (the page's title, its H1 and the H1's id, as for
        # any page); the generator wrote the body, which takes its place in on_page_content.
        title_line, self._bodies[page.file.src_uri] = html_page
        return title_line

    def _read_title_line(self, src_uri: str, staged: Path) -> str:
        """A staged page's source as MkDocs converts it: its title line (the body's place in the file kept
        for on_page_context), or the whole page when it has no HTML body. Read as written: bytes decoded, not
        read as text (which would turn "\\r\\n" into "\\n")."""
        with staged.open("rb") as file:
            data = file.read(TITLE_LINE_READ)
            at = data.find(HTML_BODY_BYTES)
            if at < 0:  # a Markdown page, or a title line longer than the first read
                data += file.read()
                at = data.find(HTML_BODY_BYTES)
        if at < 0:
            return data.decode()
        self._waiting[src_uri] = (staged, at)
        return data[:at].decode()

    def _read_body(self, src_uri: str) -> str:
        staged, marker = self._waiting.pop(src_uri)
        with staged.open("rb") as file:
            file.seek(marker)
            data = file.read()
        if not data.startswith(HTML_BODY_BYTES):
            raise PluginError(f"page {src_uri!r}: its staged file changed while the site was built")
        return data[len(HTML_BODY_BYTES):].decode()

    def _contents_and_body(self, page: Page, body: str) -> str:
        """Hand MkDocs the headings of ``body`` as the page's contents and its ids as the page's anchors;
        the body as written, without its contents labels."""
        page.toc, labels = page_contents(page.toc, body)
        page.present_anchor_ids = (page.present_anchor_ids or set()) | page_ids(body)  # a label holds no id
        return without(body, labels)

    def on_page_context(
        self, context: TemplateContext, *, page: Page, config: MkDocsConfig, nav: Navigation
    ) -> TemplateContext:
        # overrides/main.html marks the article of a page to index with data-pagefind-body; Pagefind skips
        # every page without it (a page of the theme's or the docs folder's own included).
        src_uri = page.file.src_uri
        searched = self._search_all or page_kinds.in_search(src_uri)
        context["pagefind_body"] = src_uri in self._generated_pages and searched
        if src_uri in self._waiting:  # a staged body: read now, one page at a time, and written in on_post_page
            self._ready[src_uri] = self._contents_and_body(page, self._read_body(src_uri))
        return context

    def on_template_context(self, context: TemplateContext, *, template_name: str,
                            config: MkDocsConfig) -> TemplateContext:
        return error_page_context(context, template_name, config)

    def on_page_content(self, html: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        src_uri = page.file.src_uri
        html = keep_together(html)  # the H1 of the title line; a generated body comes wrapped from render
        if src_uri not in self._generated_pages:
            return html
        page.markdown = ""  # rendered; not None, which would blank the page title
        if src_uri not in self._waiting:
            body = self._bodies.pop(src_uri, None)  # a page given as a dict, or one without an HTML body
        elif BODY_MARKER in html:  # a title line that writes the marker's text: the body goes in now
            body = self._read_body(src_uri)
        else:
            # MkDocs renders every page before it writes the first: the body waits in the staged file, where
            # it follows the page's title line, until this page is built (on_page_context) and written.
            return f"{html}\n{BODY_MARKER}"
        if body is None:
            return html
        return f"{html}\n{self._contents_and_body(page, body)}"

    def _put_staged_body(self, output: str, *, page: Page, config: MkDocsConfig) -> str:
        src_uri = page.file.src_uri
        if src_uri in self._generated_pages:
            page.content = None  # written and indexed for search; later pages need only its title and URL
        body = self._ready.pop(src_uri, None)
        if body is not None:
            output = put_body(output, body, src_uri)
        return output

    @event_priority(-100)  # after every other plugin's: Pagefind is shown the page as MkDocs writes it
    def _show_to_pagefind(self, output: str, *, page: Page, config: MkDocsConfig) -> str:
        if self._search_views is not None and output and not output.isspace():  # else MkDocs writes nothing
            self._search_views.add(page.file.dest_uri, output)
        return output

    on_post_page = CombinedEvent(_put_staged_body, _show_to_pagefind)

    def on_env(self, env: Environment, *, config: MkDocsConfig, files: Files) -> Environment:
        # What the theme writes from our data (titles, contents labels, site name, disclaimer, copyright)
        # keeps its quantities and dates together as the bodies do: overrides/ apply it to each such text.
        # A new memo of theme HTML shared between pages for each build (generator/site/theme_cache.py).
        env.globals["pc_theme_cache"] = cache = ThemeCache(normalize_url)
        env.filters["pc_nowrap"] = cache.kept_together
        return env


def _link_on_every_page(assets: list[str], config: MkDocsConfig) -> None:
    """Link every stylesheet and script of our assets from every page (site.css first)."""
    linked_css = [str(entry) for entry in config.extra_css]
    linked_js = [str(entry) for entry in config.extra_javascript]
    for asset in assets:
        if asset.endswith(".css") and asset not in linked_css:
            config.extra_css.append(asset)
        elif asset.endswith(".js") and asset not in linked_js:
            config.extra_javascript.append(asset)


class _WarningCollector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(f"{record.levelname}: {record.getMessage()}")


def config_source(config_file: Path | None) -> tuple[io.BytesIO, str]:
    """What MkDocs loads: the merged configuration as a stream, and the path it stands for.

    ``config_file``: the site's own mkdocs.yml; None means ./mkdocs.yml when there is one. The path is that
    file's (MkDocs resolves relative paths and watches edits against it), else the generator's default.
    Raises SiteBuildError when the site's file cannot be read or merged.
    """
    own = own_config_file(config_file)
    try:
        first = merged_config(own)  # a broken file is reported here, before MkDocs starts
    except SiteConfigError as error:
        raise SiteBuildError(str(error)) from None
    return ReloadingConfigStream(lambda: merged_config(own).text), str(first.path)


def load_site_config(config_file: Path | None, **options: object) -> MkDocsConfig:
    """The MkDocs configuration of a site (see config_source), with ``options`` over it."""
    stream, path = config_source(config_file)
    config = load_config(stream, config_file_path=path, **options)
    if "protocols" not in config.plugins:
        raise SiteBuildError(f"{path}: a plugins list replaces the generator's, so it must name 'protocols'")
    if "material/search" in config.plugins:
        raise SiteBuildError(
            f"{path}: remove 'search' from plugins: the site's search is Pagefind's, built by protocols build"
        )
    return config


def build_into(
    pages: Mapping[str, str] | StagedPages,
    site_dir: Path,
    docs_dir: Path,
    config_file: Path | None,
    reviewer: bool,
    as_of: date,
    search_views: PagefindViews | None = None,
) -> None:
    """Build the site into ``site_dir`` in strict mode (a warning is an error); ``search_views``, if given,
    is shown each page as it is written (generator/site/search_index.py).

    ``docs_dir`` must be an existing folder, normally empty: every page comes from ``pages``, a mapping
    {page path: text} (left untouched: the engine works on a copy) or the pages staged as files (which the
    engine reads and rewrites).
    Raises SiteBuildError with MkDocs' warnings on failure; ``site_dir`` is then partly written.
    """
    provide = _hand_over_once(pages if isinstance(pages, StagedPages) else dict(pages))
    collector = _WarningCollector()
    mkdocs_logger = logging.getLogger("mkdocs")
    mkdocs_logger.addHandler(collector)
    try:
        with site_inputs(provide, reviewer, search_views), pinned_build_date(as_of):
            config = load_site_config(
                config_file,
                docs_dir=str(docs_dir),
                site_dir=str(site_dir),
                strict=True,
            )
            mkdocs_build(config)
    except SiteBuildError:
        raise
    except (MkDocsException, OSError) as error:
        raise SiteBuildError(_failure_message(error, collector.messages)) from error
    finally:
        mkdocs_logger.removeHandler(collector)


def _hand_over_once(pages: dict[str, str] | StagedPages) -> PagesProvider:
    """A provider that gives ``pages`` to the one build that asks and then forgets it."""
    remaining = [pages]

    def provide() -> dict[str, str] | StagedPages:
        if not remaining:
            raise PluginError("the pages were already handed to a build")
        return remaining.pop()

    return provide


def _failure_message(error: BaseException, warnings: list[str]) -> str:
    lines = [f"site build failed: {error}".rstrip()]
    lines.extend(f"  {message}" for message in warnings)
    return "\n".join(lines)
