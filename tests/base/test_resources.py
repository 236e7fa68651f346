"""generator.resources is the one place that locates the generator's own files (templates, assets, theme
overrides, default MkDocs config); in this editable install it resolves to the repository's live files."""

from __future__ import annotations

import re
import sys
import zipfile
from pathlib import Path

import pytest

from generator import resources
from generator.render.templates import environment

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_an_editable_install_uses_the_live_files_of_the_checkout() -> None:
    assert resources.site_templates_dir() == REPO_ROOT / "site_templates"
    assert resources.assets_dir() == REPO_ROOT / "site_templates/assets"
    assert resources.overrides_dir() == REPO_ROOT / "site_templates/overrides"
    assert resources.default_mkdocs_file() == REPO_ROOT / "generator/default_mkdocs.yml"
    assert (resources.assets_dir() / "dosecalc.js").is_file()
    assert (resources.overrides_dir() / "main.html").is_file()


def test_the_page_templates_load_from_the_resources_folder() -> None:
    template = environment().get_template("home.html.j2")
    assert Path(template.filename) == resources.site_templates_dir() / "home.html.j2"


def test_no_module_of_the_generator_builds_a_path_from_its_own_location() -> None:
    """Only generator.resources locates shipped files; a path from __file__ breaks once installed."""
    offenders = [
        f"{path.relative_to(REPO_ROOT)}:{number}"
        for path in sorted((REPO_ROOT / "generator").rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if re.search(r"__file__|\.\./site_templates|parent\s*/\s*\"site_templates\"", line)
    ]
    assert offenders == []


def test_a_package_that_is_not_a_folder_is_refused_with_what_to_do(tmp_path: Path) -> None:
    archive = tmp_path / "zipped.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("zipped_templates/__init__.py", "")
        zipped.writestr("zipped_templates/home.html.j2", "# Home\n")
    sys.path.insert(0, str(archive))
    try:
        with pytest.raises(RuntimeError) as raised:
            resources.package_folder("zipped_templates")
    finally:
        sys.path.remove(str(archive))
        sys.modules.pop("zipped_templates", None)
    assert str(raised.value) == (
        f"zipped_templates is not installed as a folder ({archive}/zipped_templates/); install protocols with pip"
    )


def test_a_missing_package_says_to_reinstall() -> None:
    with pytest.raises(RuntimeError) as raised:
        resources.package_folder("generator.no_such_templates")
    assert str(raised.value) == (
        "generator.no_such_templates is not installed: reinstall protocols (make deps, or pip install .)"
    )
