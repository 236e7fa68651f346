"""Valid HTML: the Nu Html Checker (vnu-jar from npm, pinned in package-lock.json; `java -jar`) over one page
of every kind of both sites, in one JVM run: no error but the few that Material's own markup causes
(MATERIAL_ERRORS, each matched by its message and the exact element it points at).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from pprint import pformat
from typing import Any
from urllib.parse import urlsplit

import pytest
from browser import node_tool
from site_pages import SITES, BuiltSite


@dataclass(frozen=True)
class KnownError:
    message: str  # vnu's message, exactly
    element: re.Pattern[str]  # the markup vnu highlights, in full
    why: str


MATERIAL_ERRORS = (
    KnownError(
        "Attribute “autocomplete” is only allowed when the input type is “color”, “date”, “datetime-local”, "
        "“email”, “hidden”, “month”, “number”, “password”, “range”, “search”, “tel”, “text”, “time”, “url”, "
        "or “week”.",
        re.compile(r'<input class="md-toggle" data-md-toggle="(drawer|search)" type="checkbox" '
                   r'id="__(drawer|search)" autocomplete="off">'),
        "Material's base.html: the checkboxes that open the drawer and search keep autocomplete=off so that "
        "Firefox does not restore them checked on reload",
    ),
    KnownError(
        "The value of the “for” attribute of the “label” element must be the ID of a non-hidden form control.",
        re.compile(r'<label class="md-nav__title" for="__toc">'),
        "Material's partials/toc.html: the table of contents title points at the __toc toggle, which Material "
        "writes only inside the primary navigation of pages listed in it",
    ),
)
INVALID_PAGE = ('<!doctype html><html lang="en"><head><meta charset="utf-8"><title>x</title></head>'
                '<body><p><div>block in paragraph</div></p><a href="x" href="y">twice</a></body></html>')


def java() -> str:
    executable = shutil.which("java")
    if executable is None:
        pytest.fail("java is missing: run `make test` (scripts/ensure-npm-tools.sh installs Debian's "
                    "default-jre-headless), or `apt-get install default-jre-headless`")
    return executable


def run_vnu(files: list[Path]) -> list[dict[str, Any]]:
    """vnu's messages (errors and warnings) over `files`, in one JVM."""
    vnu = node_tool("vnu-jar/build/dist/vnu.jar")
    done = subprocess.run([java(), "-jar", str(vnu), "--format", "json", "--exit-zero-always", *map(str, files)],
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stderr)["messages"]


def highlighted(message: dict[str, Any]) -> str:
    extract = message.get("extract", "")
    start, length = message.get("hiliteStart", 0), message.get("hiliteLength", len(extract))
    return extract[start:start + length]


def known(message: dict[str, Any]) -> bool:
    return any(message["message"] == error.message and error.element.fullmatch(highlighted(message))
               for error in MATERIAL_ERRORS)


@pytest.fixture(scope="module")
def vnu_messages(built_sites: dict[str, BuiltSite], tmp_path_factory: pytest.TempPathFactory
                 ) -> dict[str, list[dict[str, Any]]]:
    """{file path: its error messages} for one page of each kind of both sites and one invalid page."""
    invalid = tmp_path_factory.mktemp("invalid") / "invalid.html"
    invalid.write_text(INVALID_PAGE, encoding="utf-8")
    files = [invalid] + [site.root / page for site in built_sites.values() for page in site.selected().values()]
    by_file: dict[str, list[dict[str, Any]]] = {str(file): [] for file in files}
    for message in run_vnu(files):
        if message["type"] == "error" or message.get("subType") == "fatal":
            by_file.setdefault(urlsplit(message.get("url", "")).path, []).append(message)
    return by_file


def test_the_checker_reports_errors_in_an_invalid_page(vnu_messages: dict[str, list[dict[str, Any]]]) -> None:
    [invalid] = [url for url in vnu_messages if url.endswith("/invalid.html")]
    assert [m["message"] for m in vnu_messages[invalid]] == [
        "No “p” element in scope but a “p” end tag seen.",
        "Duplicate attribute “href”.",
    ]


@pytest.mark.parametrize("site", SITES)
def test_no_html_error_but_materials_own(built_sites: dict[str, BuiltSite],
                                         vnu_messages: dict[str, list[dict[str, Any]]], site: str) -> None:
    root = built_sites[site].root
    selected = built_sites[site].selected()
    checked = {page: vnu_messages[str(root / page)] for page in selected.values()}
    unexpected = {page: [f"line {m.get('lastLine')}: {m['message']} {highlighted(m)!r}" for m in messages
                         if not known(m)]
                  for page, messages in checked.items()}
    assert {page: errors for page, errors in unexpected.items() if errors} == {}, pformat(unexpected, width=160)
    # The allow-list is in use (so it is not stale): Material's toggles are on every page.
    assert all(any(known(m) for m in messages) for messages in checked.values())
