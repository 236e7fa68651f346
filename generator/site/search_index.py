"""The site's search index: Pagefind run over the written site, before the atomic swap
(generator/site/atomic_output.py).

Material's own search ships one index of every page (12.6 MB at 1,000 protocols) that each reader's
browser downloads whole on its first search. Pagefind splits the index into small chunks fetched for the
words typed, so a search costs the same few hundred kilobytes whatever the size of the library.

Which pages are indexed is decided by the theme, not here: the ``protocols`` plugin marks the article of
every page that belongs in search with ``data-pagefind-body`` (``generator.site.engine.in_search``), and Pagefind
then skips every page without it. EXCLUDED_SELECTORS keep out of the index, and so out of the result
excerpts, what would read wrongly out of context: permalink signs, the hidden print metadata, the dose
panel's form and live result, citation numbers, the rows of dose tables (a dose figure without its weight
and regimen) and the schedule drawing.

The binary comes with the ``pagefind_bin`` package (``pagefind``'s lookup honours PAGEFIND_BINARY_PATH) and
needs no network. Its output depends only on the pages: the same site gives byte-identical files. The
user interface files Pagefind writes for its own widgets are removed: the header search
(site_templates/assets/search.js) uses only the search API, ``pagefind/pagefind.js``.
"""

from __future__ import annotations

import signal
import subprocess
from pathlib import Path

from pagefind.service import get_executable

BUNDLE_DIR = "pagefind"  # beside index.html; search.js finds it from the site root
TIMEOUT_SECONDS = 600.0  # a 1,000-protocol site indexes in well under a minute
LANGUAGE = "en"  # the theme's language; one index, whatever a page's text looks like
EXCLUDED_SELECTORS = (
    ".headerlink",
    ".pc-print-meta",
    ".pc-dose-panel__weight",
    ".pc-dose-panel__noscript",
    ".pc-dose-panel__result",
    "sup.citation",
    ".pc-dose-table tbody",
    ".pc-schedule svg",
)
# Pagefind's ready-made widgets and the highlighting script, which the site does not load.
UNUSED_FILES = (
    "pagefind-ui.js",
    "pagefind-ui.css",
    "pagefind-modular-ui.js",
    "pagefind-modular-ui.css",
    "pagefind-component-ui.js",
    "pagefind-component-ui.css",
    "pagefind-highlight.js",
)


class SearchIndexError(Exception):
    """Pagefind could not index the site; the message says why and what to do."""


def pagefind_command(site_dir: Path) -> list[str]:
    """The command line that indexes ``site_dir`` in place (raises SearchIndexError without a binary)."""
    executable = get_executable()
    if executable is None:
        raise SearchIndexError(
            "the search index needs the Pagefind binary, which was not found: reinstall the generator's "
            "dependencies (make deps) or set PAGEFIND_BINARY_PATH to a Pagefind 1.5 binary"
        )
    return [
        str(executable),
        "--site", str(site_dir),
        "--output-subdir", BUNDLE_DIR,
        "--force-language", LANGUAGE,
        "--exclude-selectors", ", ".join(EXCLUDED_SELECTORS),
        "--silent",
    ]


def index_site(site_dir: Path, timeout: float = TIMEOUT_SECONDS) -> None:
    """Write the Pagefind index of the pages of ``site_dir`` into ``site_dir/pagefind/``.

    Raises SearchIndexError when the binary is missing, cannot run, fails, runs past ``timeout`` seconds
    or writes no index.
    """
    command = pagefind_command(site_dir)
    try:
        finished = subprocess.run(command, capture_output=True, timeout=timeout, check=False, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise SearchIndexError(
            f"the search index was not built: Pagefind ran for more than {timeout:g} s and was stopped"
        ) from None
    except OSError as error:
        raise SearchIndexError(
            f"the search index was not built: Pagefind ({command[0]}) could not be started "
            f"({error.strerror or error}); reinstall the generator's dependencies (make deps)"
        ) from None
    if finished.returncode != 0:
        said = _output_text(finished.stderr) or _output_text(finished.stdout) or "no message"
        how = (f"was stopped by signal {signal.Signals(-finished.returncode).name}" if finished.returncode < 0
               else f"exited with status {finished.returncode}")
        raise SearchIndexError(f"the search index was not built: Pagefind {how}: {said}")
    bundle = site_dir / BUNDLE_DIR
    if not (bundle / "pagefind.js").is_file() or not (bundle / "pagefind-entry.json").is_file():
        raise SearchIndexError(f"the search index was not built: Pagefind wrote no index into {bundle}")
    for name in UNUSED_FILES:
        (bundle / name).unlink(missing_ok=True)


def _output_text(output: bytes) -> str:
    lines = [line.strip() for line in output.decode("utf-8", errors="replace").splitlines() if line.strip()]
    return " / ".join(lines[-5:])
