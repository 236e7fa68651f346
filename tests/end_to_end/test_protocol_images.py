"""An image of protocols/_assets/ on a page: checked (P503 passes), copied into the site, linked relatively
from every page that shows it, and copied only to a site that shows its text."""

from __future__ import annotations

from pathlib import Path

from helpers import VERSION, run, write_library

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"


def _library(tmp_path: Path) -> Path:
    body = "body: |\n      Monitor blood pressure.\n\n      ![Flow chart of the screening](_assets/charts/flow.png)"
    root = write_library(tmp_path, {"ketamine-trd/1.0.yaml": VERSION.replace("body: Monitor blood pressure.", body)})
    (root / "_assets" / "charts").mkdir(parents=True)
    (root / "_assets" / "charts" / "flow.png").write_bytes(PNG)
    (root / "_assets" / "unused.png").write_bytes(PNG)
    return root


def test_an_assets_image_is_copied_and_shown(tmp_path: Path) -> None:
    library = _library(tmp_path)
    status, out, err = run("check", "--as-of", "2026-06-01", str(library))
    assert (status, err) == (0, ""), out
    site = tmp_path / "site"
    status, out, err = run("build", "--reviewer", "--as-of", "2026-06-01", "--out", str(site), str(library))
    assert status == 0, out + err
    assert (site / "assets/protocol-files/charts/flow.png").read_bytes() == PNG
    assert not (site / "assets/protocol-files/unused.png").exists()  # only what a page shows
    for page, up in (("protocols/ketamine-trd/index.html", "../../"), ("protocols/ketamine-trd/1.0/index.html",
                                                                       "../../../")):
        html = (site / page).read_text(encoding="utf-8")
        assert f'<img src="{up}assets/protocol-files/charts/flow.png" alt="Flow chart of the screening">' in html


def test_a_drafts_image_does_not_reach_the_clinician_site(tmp_path: Path) -> None:
    library = _library(tmp_path)
    site = tmp_path / "site"
    status, out, err = run("build", "--as-of", "2026-06-01", "--out", str(site), str(library))
    assert status == 0, out + err
    assert not (site / "assets/protocol-files").exists()


def test_an_svg_in_assets_is_p503(tmp_path: Path) -> None:
    library = write_library(tmp_path, {"ketamine-trd/1.0.yaml": VERSION.replace(
        "body: Monitor blood pressure.", "body: See ![chart](_assets/chart.svg)")})
    (library / "_assets").mkdir()
    (library / "_assets" / "chart.svg").write_text("<svg onload='alert(1)'/>", encoding="utf-8")
    status, out, _err = run("check", "--as-of", "2026-06-01", str(library))
    assert status == 1
    assert out.splitlines()[0] == (
        f'{library}/ketamine-trd/1.0.yaml:30:15: error P503: image "_assets/chart.svg" is not a file under'
        " protocols/_assets/ (sections[0].body)"
    )
