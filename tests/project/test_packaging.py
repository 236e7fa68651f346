"""The package is self-contained (format §7): a wheel, installed without the repository, builds a folder that
holds only a protocols/ library, with the templates, assets and theme overrides that ship inside it.

The wheel is built offline from a copy of the sources (pyproject.toml, generator/, site_templates/), so the
build leaves nothing in the checkout, and installed into a fresh virtual environment that sees the test
environment's dependencies through a .pth file but not its editable install of this repository. Every command
runs from a temporary folder outside the repository.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from pathlib import Path

import pytest
from setuptools import find_packages

REPO_ROOT = Path(__file__).resolve().parents[2]
AS_OF = "2026-11-30"
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", "build")


def run(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    environment = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "PYTHONHOME")}
    result = subprocess.run(command, cwd=cwd, env=environment, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, f"{command} exited {result.returncode}\n{result.stdout}\n{result.stderr}"
    return result


def shipped_template_files() -> dict[str, bytes]:
    """Every file of site_templates/ that the wheel must carry, by its path inside the folder."""
    root = REPO_ROOT / "site_templates"
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    }


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("wheel")
    source = work / "source"
    source.mkdir()
    shutil.copy2(REPO_ROOT / "pyproject.toml", source / "pyproject.toml")
    for folder in ("generator", "site_templates"):
        shutil.copytree(REPO_ROOT / folder, source / folder, ignore=IGNORED)
    dist = work / "dist"
    run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-q",
         "-w", str(dist), str(source)],
        cwd=work,
    )
    [built] = dist.glob("protocols-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment holding the wheel; its dependencies come from the test environment."""
    environment = tmp_path_factory.mktemp("installed") / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", str(environment)], cwd=environment.parent)
    python = environment / "bin" / "python"
    site_packages = Path(
        run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], cwd=environment.parent)
        .stdout.strip()
    )
    # Only the folder: .pth files inside it (the editable install of this repository) are not processed.
    (site_packages / "test_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index", "-q", str(wheel)],
        cwd=environment.parent,
    )
    return environment


def library_folder(parent: Path) -> Path:
    """A folder holding only a copy of the sample protocols/ library."""
    parent.mkdir()
    shutil.copytree(REPO_ROOT / "protocols", parent / "protocols", ignore=IGNORED)
    return parent


def title(page: Path) -> str:
    match = re.search(r"<title>([^<]*)</title>", page.read_text(encoding="utf-8"))
    assert match is not None, page
    return match.group(1)


def test_the_wheel_carries_the_templates_assets_overrides_default_config_and_rule_catalog(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        shipped = {
            name.removeprefix("generator/site_templates/"): archive.read(name)
            for name in names
            if name.startswith("generator/site_templates/")
        }
        default_config = archive.read("generator/default_mkdocs.yml")
        rule_catalog = archive.read("generator/rules.yaml")
    assert shipped == shipped_template_files()
    assert default_config == (REPO_ROOT / "generator/default_mkdocs.yml").read_bytes()
    assert rule_catalog == (REPO_ROOT / "generator/rules.yaml").read_bytes()
    assert not [name for name in names if not name.startswith(("generator/", "protocols-"))]


def test_the_installed_copy_is_imported_not_the_repository(installed: Path, tmp_path: Path) -> None:
    script = (
        "import generator, generator.resources as r\n"
        "print(generator.__file__)\nprint(r.site_templates_dir())\nprint(r.default_mkdocs_file())\n"
    )
    lines = run([str(installed / "bin/python"), "-c", script], cwd=tmp_path).stdout.splitlines()
    assert len(lines) == 3
    for line in lines:
        assert Path(line).is_relative_to(installed), line
        assert not Path(line).is_relative_to(REPO_ROOT), line
    assert lines[1].endswith("/generator/site_templates")


def test_an_installed_wheel_builds_a_folder_that_holds_only_a_protocols_library(
    installed: Path, tmp_path: Path
) -> None:
    folder = library_folder(tmp_path / "hospital")
    result = run([str(installed / "bin/protocols"), "build", "--as-of", AS_OF], cwd=folder)
    assert result.stdout.startswith("built the site into site (")
    site = folder / "site"
    home = (site / "index.html").read_text(encoding="utf-8")
    assert title(site / "index.html") == "Clinical protocols"
    assert '<aside class="pc-disclaimer md-typeset" aria-label="Disclaimer">' in home  # overrides/main.html
    assert 'role="dialog" aria-label="Search"' in home  # overrides/partials/search.html
    assert 'href="assets/site.css"' in home and 'src="assets/dosecalc.js"' in home
    for name, content in shipped_template_files().items():
        if name.startswith("assets/"):
            assert (site / name).read_bytes() == content, name
    protocol = (site / "protocols/ketamine-trd/index.html").read_text(encoding="utf-8")
    assert 'id="dose-table-ketamine-iv"' in protocol  # protocol.html.j2 and dose_table.html.j2
    written = [path for path in site.rglob("*") if path.is_file()]
    assert [path for path in written if str(REPO_ROOT).encode() in path.read_bytes()] == []
    assert sorted(path.name for path in folder.iterdir()) == ["protocols", "site"]


def test_the_installed_protocols_rules_prints_the_page_of_the_checkout(installed: Path, tmp_path: Path) -> None:
    """The rule catalog is package data (generator/rules.yaml): the installed copy reads its own."""
    result = run([str(installed / "bin/protocols"), "rules"], cwd=tmp_path)
    assert result.stdout == (REPO_ROOT / "docs/rules.md").read_text(encoding="utf-8")


def test_the_installed_package_and_the_checkout_build_byte_identical_sites(installed: Path, tmp_path: Path) -> None:
    sites = {}
    for name, command in (
        ("installed", str(installed / "bin/protocols")),
        ("checkout", str(Path(sys.executable).parent / "protocols")),
    ):
        folder = library_folder(tmp_path / name)
        run([command, "build", "--reviewer", "--as-of", AS_OF], cwd=folder)
        root = folder / "site-review"
        sites[name] = {
            path.relative_to(root).as_posix(): path.read_bytes() for path in root.rglob("*") if path.is_file()
        }
    assert sorted(sites["installed"]) == sorted(sites["checkout"])
    assert [name for name, content in sites["installed"].items() if sites["checkout"][name] != content] == []


def test_a_mkdocs_yml_that_sets_only_the_site_name_names_the_installed_site(installed: Path, tmp_path: Path) -> None:
    folder = library_folder(tmp_path / "hospital")
    (folder / "mkdocs.yml").write_text("site_name: Example Hospital protocols\n", encoding="utf-8")
    run([str(installed / "bin/protocols"), "build", "--as-of", AS_OF], cwd=folder)
    assert title(folder / "site/index.html") == "Example Hospital protocols"
    home = (folder / "site/index.html").read_text(encoding="utf-8")
    assert '<aside class="pc-disclaimer md-typeset" aria-label="Disclaimer">' in home


def test_pyproject_lists_every_package_folder_of_the_generator() -> None:
    """The packages are listed by hand (site_templates/ is mapped into generator): a new subpackage must be too."""
    setuptools_config = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    found = find_packages(where=str(REPO_ROOT), include=["generator", "generator.*"])
    assert sorted(setuptools_config["packages"]) == sorted([*found, "generator.site_templates"])
    assert setuptools_config["package-dir"] == {"generator.site_templates": "site_templates"}


def test_the_installed_command_lists_the_rules_as_docs_rules_md_does(installed: Path, tmp_path: Path) -> None:
    result = run([str(installed / "bin/protocols"), "rules"], cwd=tmp_path)
    assert result.stdout == (REPO_ROOT / "docs/rules.md").read_text(encoding="utf-8")
