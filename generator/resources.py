"""Where the generator's own files are: page templates, site assets, theme overrides, default MkDocs config.

They ship inside the installed package: ``generator.site_templates`` is the repository's top-level
``site_templates/`` folder (mapped in pyproject.toml), and ``default_mkdocs.yml`` sits in ``generator``. An
editable install resolves both to the live files of the checkout, so a template edit shows without a
reinstall. Every other module asks here; none builds a path from its own location.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from pathlib import Path

TEMPLATES_PACKAGE = "generator.site_templates"


@cache
def package_folder(package: str) -> Path:
    """The folder of an installed package of the generator, as a real path (Jinja and MkDocs read folders)."""
    try:
        folder = files(package)
    except ModuleNotFoundError:
        # An editable install made before pyproject.toml mapped site_templates/ into the package.
        raise RuntimeError(f"{package} is not installed: reinstall protocols (make deps, or pip install .)") from None
    if not isinstance(folder, Path) or not folder.is_dir():
        # A zip import (zipapp, egg) has no folder that Jinja's loader or MkDocs' theme could read.
        raise RuntimeError(f"{package} is not installed as a folder ({folder}); install protocols with pip")
    return folder


def site_templates_dir() -> Path:
    """The page templates (``*.html.j2``)."""
    return package_folder(TEMPLATES_PACKAGE)


def assets_dir() -> Path:
    """Static files copied into every site's ``assets/`` (each .css and .js linked on every page)."""
    return site_templates_dir() / "assets"


def overrides_dir() -> Path:
    """Material theme overrides, placed after a site's own ``theme.custom_dir``."""
    return site_templates_dir() / "overrides"


def default_mkdocs_file() -> Path:
    """The generator's MkDocs configuration, under every site's own ``mkdocs.yml`` (see site_config)."""
    return package_folder("generator") / "default_mkdocs.yml"
