"""`make sample-approvals` (scripts/sign_sample_approvals.py): re-signs the sample ledgers from the current
content. Ed25519 signatures are deterministic, so on the committed sample it reproduces every ledger byte
for byte: the committed sample approvals are current and made by the script."""

from __future__ import annotations

import re
import runpy
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import run

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "sign_sample_approvals.py"


def run_script_in_process(folder: Path, monkeypatch: pytest.MonkeyPatch) -> int:
    """The script's exit status, run as `__main__` in this process (its argv, and its sys.path insert undone
    after): the process itself is tested once, by the first test below."""
    monkeypatch.setattr(sys, "argv", [str(SCRIPT), str(folder)])
    monkeypatch.setattr(sys, "path", list(sys.path))
    with pytest.raises(SystemExit) as ended:
        runpy.run_path(str(SCRIPT), run_name="__main__")
    return int(ended.value.code or 0)


def ledgers(folder: Path) -> dict[str, bytes]:
    return {path.parent.name: path.read_bytes() for path in sorted(folder.glob("*/approvals.yaml"))}


def test_re_signing_the_committed_sample_reproduces_its_ledgers(tmp_path: Path) -> None:
    copy = tmp_path / "protocols"
    shutil.copytree(ROOT / "protocols", copy)
    done = subprocess.run([sys.executable, str(SCRIPT), str(copy)], capture_output=True, text=True, check=False)
    assert (done.returncode, done.stderr) == (0, "")
    assert ledgers(copy) == ledgers(ROOT / "protocols")


def test_after_a_content_change_the_ledger_is_re_signed_with_the_new_fingerprint(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    copy = tmp_path / "protocols"
    shutil.copytree(ROOT / "protocols", copy)
    drugs = copy / "_library" / "drugs.yaml"
    drugs.write_text(drugs.read_text() + "\n# a comment changes no entry\n")
    references = copy / "_library" / "references.yaml"
    text = references.read_text()
    references.write_text(re.sub(r"(doi: 10\.[0-9]+/[^\s]+)", r"\g<1>9", text))  # every DOI edited
    def check() -> str:
        return run("check", "--as-of", "2026-06-01", str(copy))[1]

    assert " error P402: " in check()  # the approved pages cite those references
    assert run_script_in_process(copy, monkeypatch) == 0
    assert capsys.readouterr().err == ""
    after = check()
    assert " P402" not in after and " P406" not in after and ": error " not in after, after


def test_a_refused_sign_off_restores_the_ledger_and_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    copy = tmp_path / "protocols"
    shutil.copytree(ROOT / "protocols", copy)
    version = copy / "ketamine-trd" / "1.0.yaml"
    version.write_text(version.read_text().replace("dose: 0.5 mg/kg", "dose: 0.9 mg/kg", 1))  # P201
    before = ledgers(copy)
    assert run_script_in_process(copy, monkeypatch) == 1
    stderr = capsys.readouterr().err
    assert "ketamine-trd 1.0 has 1 check error" in stderr and "restored" in stderr
    assert ledgers(copy)["ketamine-trd"] == before["ketamine-trd"]
