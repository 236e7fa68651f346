"""Golden sites: both sample sites (clinician and reviewer), every file, as of conftest.AS_OF, against their
reviewed golden form in tests/golden/sites/<site>/ (tests/golden_site.py says what the form keeps).

A difference fails with the first differing file and its lines. The golden files change ONLY by
`make golden` (UPDATE_GOLDEN=1), and the diff of tests/golden/ is reviewed like code: each changed line
is a change a reader of the site would see.
"""

from __future__ import annotations

import os
from pathlib import Path

import material
import pytest
from golden_site import MANIFEST, FileRules, first_difference, golden_files, site_form, write_golden
from site_pages import SITES, BuiltSite

from generator.resources import assets_dir

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "sites"
UPDATE = bool(os.environ.get("UPDATE_GOLDEN"))


def file_rules() -> FileRules:
    return FileRules(theme_root=Path(material.__file__).parent / "templates", shipped_assets=Path(str(assets_dir())))


@pytest.mark.parametrize("site", SITES)
def test_every_file_of_the_sample_site_matches_its_golden_form(built_sites: dict[str, BuiltSite], site: str) -> None:
    forms = site_form(built_sites[site].root, file_rules())
    folder = GOLDEN / site
    if UPDATE:
        write_golden(folder, forms)
    assert MANIFEST in forms and any(name.endswith(".html.txt") for name in forms)
    message = first_difference(golden_files(folder), forms, f"tests/golden/sites/{site}/")
    assert not message, message


@pytest.mark.parametrize("site", SITES)
def test_every_html_page_has_a_golden_page(built_sites: dict[str, BuiltSite], site: str) -> None:
    golden = golden_files(GOLDEN / site)
    assert [page for page in built_sites[site].html_pages() if page + ".txt" not in golden] == []
