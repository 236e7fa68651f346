"""Pages written to a folder as they are rendered, which the site engine reads back one at a time.

`protocols build` renders page after page (generator.render.families.render_pages) and writes each into
the build's temporary folder as UTF-8, so the site's text is never all in memory: a Python str of a page
with one character beyond Latin-1 ("≤", "µ", "–") takes two or four bytes a character, its UTF-8 file one
for the markup. The engine (generator/site/engine.py) hands MkDocs each page as a file backed by its
staged copy, and keeps a rendered body there, not in memory, until the page is written.
"""

from __future__ import annotations

from pathlib import Path

from mkdocs.exceptions import PluginError

# Stands for a staged page's body in page.content from rendering until the page is written (engine.on_post_page).
BODY_MARKER = "<!-- protocols: page body -->"


class StagedPages:
    """The pages of one build, each a file under ``folder`` at its page path. ``folder`` is a new, empty
    folder of the build's own; page paths are checked by the caller (generator.site.engine.check_page_path)
    before they are added."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._paths: set[str] = set()
        self._folders: set[Path] = {folder}  # made already: one mkdir per folder, not per page

    def add(self, path: str, text: str | bytes) -> None:
        """Write one page (text as UTF-8); a second page at the same path replaces the first."""
        file = self.file(path)
        if file.parent not in self._folders:
            file.parent.mkdir(parents=True, exist_ok=True)
            self._folders.add(file.parent)
        file.write_bytes(text.encode() if isinstance(text, str) else text)
        self._paths.add(path)

    def file(self, path: str) -> Path:
        return self.folder / path

    def paths(self) -> list[str]:
        """Every page path added, sorted."""
        return sorted(self._paths)

    def page_count(self) -> int:
        """How many of the pages are Markdown pages (not assets or data files)."""
        return sum(1 for path in self._paths if path.endswith(".md"))


def put_body(output: str, body: str, src_uri: str) -> str:
    """The written page with its body in place of BODY_MARKER, which the theme must write exactly once."""
    at = output.find(BODY_MARKER)
    after = at + len(BODY_MARKER)
    if at < 0 or output.find(BODY_MARKER, after) >= 0:
        written = output.count(BODY_MARKER)
        raise PluginError(f"page {src_uri!r}: the theme wrote the page content {written} times; a custom_dir "
                          "template must write {{ page.content }} exactly once")
    return "".join((output[:at], body, output[after:]))
