"""Saves an author makes to a copy of the sample library, for the tests of `protocols serve`'s incremental
check and render (tests/checks/test_incremental_check.py, tests/render/test_incremental_render.py): each kind of edit
named in issue 15, and a session that checks and renders after each save as serve does."""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
from collections.abc import Callable
from pathlib import Path

from helpers import SAMPLE_LIBRARY

from generator.checks import CheckContext, run_checks
from generator.checks.incremental_check import IncrementalChecker, LibraryKeys
from generator.diagnostics import Diagnostic
from generator.load.library import load_library
from generator.render.families import render_site
from generator.render.incremental_render import IncrementalRenderer
from generator.site.preview_state import SourceCache

AS_OF = dt.date(2026, 6, 1)
DRAFT = "ketamine-trd/1.1.yaml"  # the sample's draft
Edit = Callable[[Path], None]


def replace(relative: str, old: str, new: str) -> Edit:
    def edit(root: Path) -> None:
        path = root / relative
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{relative} holds no {old!r}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return edit


def remove(relative: str) -> Edit:
    return lambda root: (root / relative).unlink()


def rename(relative: str, to: str, old: str, new: str) -> Edit:
    def edit(root: Path) -> None:
        (root / relative).rename(root / to)
        replace(to, old, new)(root)
    return edit


def copy_version(relative: str, to: str, old: str, new: str) -> Edit:
    def edit(root: Path) -> None:
        shutil.copyfile(root / relative, root / to)
        replace(to, old, new)(root)
    return edit


def append(relative: str, text: str) -> Edit:
    def edit(root: Path) -> None:
        with (root / relative).open("a", encoding="utf-8") as file:
            file.write(text)
    return edit


SUMMARY = "summary: |\n"
EDITS: dict[str, Edit] = {
    "dose value": replace(DRAFT, "dose: 0.5 mg/kg", "dose: 0.6 mg/kg"),
    "summary sentence": replace(DRAFT, SUMMARY, SUMMARY + "  A new first sentence for the preview.\n"),
    "title": replace(DRAFT, "title: IV ketamine for", "title: Intravenous ketamine for"),
    "new version file": copy_version("ketamine-crps/1.1.yaml", "ketamine-crps/1.2.yaml", 'version: "1.1"',
                                     'version: "1.2"'),
    "deleted version file": remove(DRAFT),
    "draft approved without sign-offs": replace(DRAFT, "status: draft", "status: approved\neffective: 2026-05-01"),
    "approved retired": replace("ketamine-crps/1.1.yaml", "status: approved", "status: retired"),
    "cross-reference added": replace(DRAFT, SUMMARY, SUMMARY + "  See also [[ketamine-trd-twice-weekly]].\n"),
    "cross-reference to a section added": replace(DRAFT, SUMMARY, SUMMARY + "  See [[esketamine-trd#monitoring]].\n"),
    "cross-reference to no protocol": replace(DRAFT, SUMMARY, SUMMARY + "  See [[no-such-protocol]].\n"),
    "target anchor renamed": replace("esketamine-trd/1.1.yaml", "- id: monitoring", "- id: observation"),
    "citation added": replace(DRAFT, SUMMARY, SUMMARY + "  As trialled [@singh-2016].\n"),
    "unknown citation": replace(DRAFT, SUMMARY, SUMMARY + "  As trialled [@nobody-2030].\n"),
    "drug entry changed": replace("_library/drugs.yaml", "class: NMDA receptor antagonist", "class: NMDA antagonist"),
    "reference entry added": append(
        "_library/references.yaml",
        "\nnew-2026:\n  type: web\n  title: A new page\n  publisher: Nobody\n  year: 2026\n"),
    "handbook edited": replace("_library/handbooks.yaml", "Protocols of the pain service",
                               "Protocols of the acute pain service"),
    "invalid YAML": replace(DRAFT, "dose: 0.5 mg/kg", "dose: [0.5 mg/kg"),
    "file renamed": rename(DRAFT, "ketamine-trd/1.2.yaml", 'version: "1.1"', 'version: "1.2"'),
    "protocol removed": lambda root: shutil.rmtree(root / "ketamine-crps"),
    "protocol added": lambda root: shutil.copytree(root / "ketamine-crps", root / "ketamine-crps-copy"),
    "stray file": lambda root: (root / "ketamine-trd" / "1.1.yaml.bak").write_text("x: 1\n", encoding="utf-8"),
}
# edits after which the sample still checks without errors (its pages are rendered)
CLEAN = {"summary sentence", "title", "deleted version file", "approved retired", "cross-reference added",
         "cross-reference to a section added", "citation added", "reference entry added", "handbook edited",
         "file renamed", "stray file"}


def sample_copy(folder: Path) -> Path:
    root = folder / "protocols"
    shutil.copytree(SAMPLE_LIBRARY, root)
    return root


class Session:
    """What `protocols serve` keeps between saves (commands/serve.ServePreview without the engine): the
    incremental check and render, and every page of the last render."""

    def __init__(self, root: Path, reviewer: bool = True, directory_urls: bool | None = True,
                 render: bool = True) -> None:
        self.root = root
        self.reviewer = reviewer
        self.render = render  # False: the check alone, for tests of the incremental check (a render is 3/4 of a save)
        self.directory_urls = directory_urls  # serve places the pages for the site's use_directory_urls
        self.sources = SourceCache()
        self.checker = IncrementalChecker()
        self.renderer = IncrementalRenderer()
        self.keys: LibraryKeys | None = None
        self.pages: dict[str, str] = {}

    def save(self) -> tuple[list[Diagnostic], dict[str, str] | None]:
        """The diagnostics after a save, and every page when there are no errors (else None; None too in a
        session that does not render)."""
        library = load_library(self.root, "protocols", self.sources.load, self.sources.validate)
        self.sources.sweep()
        self.keys = LibraryKeys.of(library, AS_OF, self.reviewer, self.keys.protocols if self.keys else None)
        diagnostics = self.checker.run(library, CheckContext(as_of=AS_OF, reviewer=self.reviewer), self.keys)
        if any(d.is_error for d in diagnostics) or not self.render:
            return diagnostics, None
        rendered = self.renderer.render(library, AS_OF, self.reviewer, self.keys, self.directory_urls)
        self.pages = dict(rendered.pages) if rendered.full else {**self.pages, **rendered.pages}
        self.pages = {path: self.pages[path] for path in sorted(rendered.paths)}
        return diagnostics, self.pages


def started(folder: Path, reviewer: bool = True) -> tuple[Path, Session]:
    """A copy of the sample library and a session that has checked and rendered it once."""
    root = sample_copy(folder)
    session = Session(root, reviewer)
    session.save()
    return root, session


Fresh = tuple[list[Diagnostic], dict[str, str] | None]
# fresh_check()'s and fresh()'s results by (digest of the library's files, reviewer[, directory_urls]): pure
# functions of them; the callers get copies of the lists and dicts
_FRESH_CHECK: dict[tuple[bytes, bool], list[Diagnostic]] = {}
_FRESH_PAGES: dict[tuple[bytes, bool, bool | None], dict[str, str] | None] = {}


def library_digest(root: Path) -> bytes:
    """Every path under `root` (folders too, so an empty protocol folder counts), what it is, and a file's bytes."""
    digest = hashlib.blake2b(digest_size=32)
    for path in sorted(root.rglob("*")):
        kind = b"L" if path.is_symlink() else b"D" if path.is_dir() else b"F"
        digest.update(path.relative_to(root).as_posix().encode("utf-8", "surrogateescape") + b"\0" + kind)
        if kind == b"F":
            data = path.read_bytes()
            digest.update(len(data).to_bytes(8, "big") + data)
    return digest.digest()


def fresh_check(root: Path, reviewer: bool = True) -> list[Diagnostic]:
    """`run_checks` over a new read of the library. Worked out once for each content of the library's files
    (the tests compare with the sample as it is, and with the same edits, many times over; `tests/project` and
    the determinism tests hold a check and a render pure)."""
    return fresh(root, reviewer, render=False)[0]


def fresh(root: Path, reviewer: bool = True, directory_urls: bool | None = True, render: bool = True) -> Fresh:
    """The same, and `render_site` over the same read of the library when the check finds no errors (else
    None; None too with render=False)."""
    digest = library_digest(root)
    check_key, pages_key = (digest, reviewer), (digest, reviewer, directory_urls)
    if check_key not in _FRESH_CHECK or render and pages_key not in _FRESH_PAGES:
        library = load_library(root, "protocols")
        if check_key not in _FRESH_CHECK:
            _FRESH_CHECK[check_key] = run_checks(library, CheckContext(as_of=AS_OF, reviewer=reviewer))
        if render and pages_key not in _FRESH_PAGES:
            errors = any(d.is_error for d in _FRESH_CHECK[check_key])
            _FRESH_PAGES[pages_key] = None if errors else render_site(library, AS_OF, reviewer, directory_urls)
    pages = _FRESH_PAGES[pages_key] if render else None
    return list(_FRESH_CHECK[check_key]), None if pages is None else dict(pages)
