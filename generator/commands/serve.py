"""`protocols serve` (§7, issue 17): a live-reloading preview for authors.

By default the preview is the reviewer site (drafts and versions in review shown, and marked as such);
``--clinician`` previews exactly the clinician site. A save that introduces a check error does not take
the pages away: the last site without errors stays served and every page, the 404 page included, shows
the error list with a link to each file. SIGTERM and SIGINT stop the server and remove its temporary
folders.
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import signal
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import TextIO

from generator.checks import CheckContext
from generator.checks.incremental_check import IncrementalChecker, LibraryKeys, ProtocolFacts
from generator.commands.build import StageTimer
from generator.commands.shared import EXIT_OK, UsageError, build_date, open_library, report
from generator.diagnostics import Diagnostic
from generator.render.incremental_render import IncrementalRenderer, RenderedPages
from generator.site.mkdocs_config import SiteConfigError, directory_urls, own_config_file
from generator.site.preview_state import PageLedger, SiteUpdate, SourceCache

NO_SITE_YET = (
    "# The protocols have errors\n\n"
    "Nothing can be shown until the errors listed above are fixed; the page reloads when a file is saved.\n"
)


class ServePreview:
    """Each preview rebuild's pages, as an update of the served site, and the error banner that goes with them.

    A save costs what it changed: files are read again only when their stamp changed
    (preview_state.SourceCache); the rules run again only for the protocols whose files changed
    (checks.incremental_check.IncrementalChecker); only the pages those protocols' pages and the library-wide
    pages are rendered again (render.incremental_render.IncrementalRenderer); the engine gets only the pages whose
    text changed (preview_state.PageLedger). A change to a library file, an image, or to what a link to a
    protocol shows (its versions, statuses, dates, title or sections) checks and renders everything. While
    the library has errors no page changes: the served site stays the last one without errors (or, before
    there was one, a home page saying so) and ``banner()`` lists the errors; otherwise ``banner()`` is empty.
    """

    def __init__(self, directory: str, as_of: dt.date, reviewer: bool, out: TextIO) -> None:
        self.directory = directory
        self.as_of = as_of
        self.reviewer = reviewer
        self.out = out
        self.sources = SourceCache()
        self.checker = IncrementalChecker()
        self.renderer = IncrementalRenderer()
        self._facts: dict[str, ProtocolFacts] = {}
        self._ledger = PageLedger()
        self._banner = ""

    def update(self, full: bool = False) -> SiteUpdate:
        rendered = self._render(full or not self._ledger.built)
        if rendered is None:
            if self._ledger.built:
                return self._ledger.unchanged()
            return self._ledger.update({"index.md": NO_SITE_YET}, full=True)
        return self._ledger.update_rendered(rendered, full=full)

    def _render(self, full: bool) -> RenderedPages | None:
        """The pages this rebuild renders, or None when the library has errors (the banner lists them)."""
        timer = StageTimer()
        try:
            with timer.stage("load"):
                library = open_library(self.directory, self.sources.load, self.sources.validate)
                keys = LibraryKeys.of(library, self.as_of, self.reviewer, self._facts)
                self._facts = keys.protocols
        except UsageError as error:  # the folder went away while serving
            self.out.write(f"protocols: error: {error}\n")
            self._banner = problem_banner([html.escape(str(error))])
            return None
        self.sources.sweep()
        with timer.stage("check"):
            diagnostics = self.checker.run(library, CheckContext(as_of=self.as_of, reviewer=self.reviewer), keys)
        if diagnostics:
            report(diagnostics, library.file_count, "text", self.out)
        errors = [d for d in diagnostics if d.is_error]
        if errors:
            self._banner = error_banner(errors)
            return None
        try:  # read on every rebuild: an edit of mkdocs.yml may change it
            links_as_folders = directory_urls(own_config_file(None))
        except SiteConfigError as error:
            self.out.write(f"protocols: error: {error}\n")
            self._banner = problem_banner([html.escape(str(error))])
            return None
        self._banner = ""
        with timer.stage("render"):
            rendered = self.renderer.render(library, self.as_of, self.reviewer, keys, links_as_folders, full=full)
        self.out.write(f"preview {timer.format()}\n")
        self.out.write(f"preview checked {self.checker.log[-1]}, rendered {self.renderer.log[-1]} "
                       f"({len(rendered.pages)} pages)\n")
        self.out.flush()
        return rendered

    def engine_failed(self, message: str) -> None:
        """The site engine could not build the update: say so on every page; the next update is whole."""
        self._ledger.forget()
        self.renderer.forget()
        self._banner = problem_banner([html.escape(message)])

    def banner(self) -> str:
        return self._banner


def error_banner(errors: list[Diagnostic]) -> str:
    """The error list as HTML: location (a file: link), code, message and hint, all escaped."""
    return problem_banner([_error_item(error) for error in errors])


def problem_banner(items_html: list[str]) -> str:
    count = len(items_html)
    title = (
        f"{count} error{'s' if count != 1 else ''} in the protocols: this page shows the last version "
        "without errors, and reloads when a file is saved"
    )
    items = "".join(f"<li>{item}</li>" for item in items_html)
    return (
        '<div class="admonition failure pc-serve-errors" id="protocols-errors" role="alert">'
        f'<p class="admonition-title">{html.escape(title)}</p><ul>{items}</ul></div>'
    )


def _error_item(error: Diagnostic) -> str:
    location = html.escape(str(error.location))
    href = html.escape(_file_link(error.location.file, error.location.line), quote=True)
    text = (
        f'<a href="{href}"><code>{location}</code></a> <strong>{html.escape(error.code)}</strong>: '
        f"{html.escape(error.message)}"
    )
    if error.path:
        text += f" ({html.escape(error.path)})"
    if error.hint:
        text += f"<br><em>{html.escape(error.hint)}</em>"
    return text


def _file_link(file: str, line: int) -> str:
    """A file: URI of the file, with the line as a fragment (editors and browsers ignore what they cannot use)."""
    return f"{Path(file).resolve().as_uri()}#L{line}"


@contextmanager
def stopping_on_signals() -> Iterator[None]:
    """SIGTERM behaves as Ctrl-C (SIGINT): MkDocs stops its server and removes its folder, and the `with`
    blocks around remove ours. A second signal while that runs is ignored rather than cutting it short."""
    signals = (signal.SIGTERM, signal.SIGINT)

    def stop(signum: int, frame: FrameType | None) -> None:
        for number in signals:
            signal.signal(number, signal.SIG_IGN)
        raise KeyboardInterrupt

    previous = {number: signal.signal(number, stop) for number in signals}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def cmd_serve(args: argparse.Namespace, out: TextIO) -> int:
    from generator.site import engine as site

    as_of = build_date(args.as_of)
    directory = args.dir
    open_library(directory)  # a missing folder is a usage error before the server starts
    preview = ServePreview(directory, as_of, reviewer=not args.clinician, out=out)
    with stopping_on_signals(), tempfile.TemporaryDirectory(prefix="protocols-serve-") as docs_dir:
        try:
            site.serve(
                preview.update,
                reviewer=preview.reviewer,
                watch=[Path(directory)],
                docs_dir=Path(docs_dir),
                dev_addr=args.dev_addr,
                banner=preview.banner,
                failed=preview.engine_failed,
            )
        except site.SiteBuildError as error:  # a mkdocs.yml that cannot be read or merged: nothing served
            raise UsageError(str(error)) from None
        except KeyboardInterrupt:  # stopped before the server was up (during the first build)
            pass
    return EXIT_OK
