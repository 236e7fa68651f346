"""§4: the same sources and build date give a byte-identical site. The sample library is built twice with
--as-of into two differently named folders, and once with SOURCE_DATE_EPOCH instead of --as-of; every
file is compared byte for byte, the gzip-compressed sitemap included (its header holds a time stamp)."""

from __future__ import annotations

import datetime as dt
import gzip
import io
import shutil
from pathlib import Path

import pytest
from helpers import SAMPLE_LIBRARY

from generator import cli

AS_OF = "2026-06-01"
EPOCH = str(int(dt.datetime(2026, 6, 1, 15, 30, tzinfo=dt.UTC).timestamp()))  # mid-afternoon of the same day


def build(library: Path, out: Path, *flags: str) -> dict[str, bytes]:
    log = io.StringIO()
    status = cli.main(["build", *flags, "--out", str(out), str(library)], out=log)
    assert status == 0, log.getvalue()
    assert f"as of {AS_OF})" in log.getvalue()
    return {path.relative_to(out).as_posix(): path.read_bytes() for path in sorted(out.rglob("*")) if path.is_file()}


def differing(first: dict[str, bytes], second: dict[str, bytes]) -> list[str]:
    return sorted(path for path in first.keys() | second.keys() if first.get(path) != second.get(path))


@pytest.fixture
def library(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)  # no mkdocs.yml here: the generator's default configuration
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    copy = tmp_path / "protocols"
    shutil.copytree(SAMPLE_LIBRARY, copy)
    return copy


@pytest.mark.parametrize("site_flags", [[], ["--reviewer"]], ids=["clinician", "reviewer"])
def test_same_sources_and_date_give_identical_bytes(
    library: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, site_flags: list[str]
) -> None:
    first = build(library, tmp_path / "first", *site_flags, "--as-of", AS_OF)
    second = build(library, tmp_path / "another-folder", *site_flags, "--as-of", AS_OF)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    from_epoch = build(library, tmp_path / "from-epoch", *site_flags)
    assert len(first) > 20 and "sitemap.xml.gz" in first and "protocols.json" in first
    assert differing(first, second) == []
    assert differing(first, from_epoch) == []
    # the gzip header's time stamp is the build date's midnight, not the time of the build
    midnight = int(dt.datetime(2026, 6, 1, tzinfo=dt.UTC).timestamp())
    assert int.from_bytes(first["sitemap.xml.gz"][4:8], "little") == midnight
    assert gzip.decompress(first["sitemap.xml.gz"]) == first["sitemap.xml"]


def test_a_different_build_date_changes_the_output(library: Path, tmp_path: Path) -> None:
    """The comparison above can fail: the build date shows in the pages and the sitemap's time stamp."""
    first = build(library, tmp_path / "first", "--as-of", AS_OF)
    log = io.StringIO()
    assert cli.main(["build", "--as-of", "2026-06-02", "--out", str(tmp_path / "later"), str(library)], out=log) == 0
    later = {p.relative_to(tmp_path / "later").as_posix(): p.read_bytes()
             for p in sorted((tmp_path / "later").rglob("*")) if p.is_file()}
    changed = differing(first, later)
    assert "sitemap.xml.gz" in changed and "index.html" in changed and "protocols.json" in changed
