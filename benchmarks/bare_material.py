"""A bare Material build with a protocols site's pages and navigation: the engine's baseline (issue 15).

    python benchmarks/bare_material.py SITE WORKDIR [--search]   # prints JSON: pages, seconds, cpu_seconds, ...

The pages are the ones the site has (every `<path>/index.html` of a built site, assets aside), each
with a placeholder body, at the same paths; the same pages are in the navigation, chosen by the
generator's own rule (`in_navigation`) and handed to MkDocs the way the generator's plugin hands them
(generated files, the rest marked not-in-nav), so Material writes the same navigation into every page.
The theme is Material with the site's default theme settings and Markdown extensions
(generator/default_mkdocs.yml) and no plugin at all: what any MkDocs site of that many pages costs.
With --search, Material's own search plugin is on (MkDocs' default when `plugins` is not set): a bare
site with the search index it would ship, shown for information beside the judged baseline.
The timed part is what `protocols build --timings` calls the engine stage: loading the configuration
and `mkdocs build`, in this process (imports excluded), wall clock and CPU.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import tempfile
import time
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

PLACEHOLDER = "# Page {number}\n\nPlaceholder text of a bare Material page, for the engine benchmark.\n"


def page_paths(site: Path) -> list[str]:
    """The page paths (as the generator names them, `x/index.md`) of a built site with directory URLs."""
    paths = []
    for page in site.rglob("index.html"):
        folder = page.parent.relative_to(site).as_posix()
        if folder.split("/")[0] != "assets":
            paths.append("index.md" if folder == "." else f"{folder}/index.md")
    return sorted(paths)


def bare_config(site_dir: Path, docs_dir: Path, search: bool = False) -> dict[str, Any]:
    """The generator's default configuration, reduced to Material itself: no plugin (or only Material's
    search), no theme overrides."""
    default = yaml.safe_load((resources.files("generator") / "default_mkdocs.yml").read_text(encoding="utf-8"))
    theme = {key: value for key, value in default.get("theme", {}).items() if key != "custom_dir"}
    return {
        "site_name": "Bare Material",
        "use_directory_urls": True,
        "theme": theme,
        "plugins": ["search"] if search else [],
        "markdown_extensions": default.get("markdown_extensions", []),
        "docs_dir": str(docs_dir),
        "site_dir": str(site_dir),
        "validation": {"nav": {"omitted_files": "info"}},
    }


def _placeholder_plugin(pages: list[tuple[str, bool]]) -> Any:
    from mkdocs.plugins import BasePlugin
    from mkdocs.structure.files import File, InclusionLevel

    class PlaceholderPages(BasePlugin):  # type: ignore[type-arg,misc]
        def on_files(self, files: Any, *, config: Any) -> Any:
            for number, (path, in_navigation) in enumerate(pages, start=1):
                inclusion = InclusionLevel.INCLUDED if in_navigation else InclusionLevel.NOT_IN_NAV
                files.append(File.generated(config, path, content=PLACEHOLDER.format(number=number),
                                            inclusion=inclusion))
            return files

    return PlaceholderPages()


def build(pages: list[tuple[str, bool]], workdir: Path, search: bool = False) -> dict[str, float]:
    """Build the bare site into `workdir` (created): wall and CPU seconds of configuration and build."""
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config

    docs, site = workdir / "docs", workdir / "site"
    docs.mkdir(parents=True)
    config_file = workdir / "mkdocs.yml"
    config_file.write_text(yaml.safe_dump(bare_config(site, docs, search)), encoding="utf-8")
    logging.getLogger("mkdocs").setLevel(logging.WARNING)
    wall, cpu = time.perf_counter(), time.process_time()
    config = load_config(str(config_file))
    config.plugins["bare-pages"] = _placeholder_plugin(pages)
    mkdocs_build(config)
    return {"seconds": time.perf_counter() - wall, "cpu_seconds": time.process_time() - cpu}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path, help="a built protocols site: its pages are copied as placeholders")
    parser.add_argument("workdir", type=Path, nargs="?", help="where to build (default: a temporary folder)")
    parser.add_argument("--search", action="store_true", help="with Material's search plugin")
    args = parser.parse_args(argv)
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    from generator.site.page_kinds import in_navigation  # the generator's own rule (this tree's)

    pages = [(path, in_navigation(path)) for path in page_paths(args.site)]
    if not pages:
        parser.error(f"no pages in {args.site}")
    with tempfile.TemporaryDirectory(prefix="bare-material-") as scratch:
        figures = build(pages, args.workdir or Path(scratch) / "bare", args.search)
    result = {"pages": len(pages), "in_navigation": sum(nav for _path, nav in pages), **figures}
    sys.stdout.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
