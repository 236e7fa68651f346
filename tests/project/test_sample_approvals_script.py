"""`make sample-approvals` (scripts/sign_sample_approvals.py): re-signs the sample ledgers from the current
content. Ed25519 signatures are deterministic, so on the committed sample it reproduces every ledger byte
for byte: the committed sample approvals are current and made by the script."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

from helpers import run

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "sign_sample_approvals.py"


def ledgers(folder: Path) -> dict[str, bytes]:
    return {path.parent.name: path.read_bytes() for path in sorted(folder.glob("*/approvals.yaml"))}


def test_re_signing_the_committed_sample_reproduces_its_ledgers(tmp_path: Path) -> None:
    copy = tmp_path / "protocols"
    shutil.copytree(ROOT / "protocols", copy)
    done = subprocess.run([sys.executable, str(SCRIPT), str(copy)], capture_output=True, text=True, check=False)
    assert (done.returncode, done.stderr) == (0, "")
    assert ledgers(copy) == ledgers(ROOT / "protocols")


def test_after_a_content_change_the_ledger_is_re_signed_with_the_new_fingerprint(tmp_path: Path) -> None:
    copy = tmp_path / "protocols"
    shutil.copytree(ROOT / "protocols", copy)
    drugs = copy / "_library" / "drugs.yaml"
    drugs.write_text(drugs.read_text() + "\n# a comment changes no entry\n")
    references = copy / "_library" / "references.yaml"
    text = references.read_text()
    references.write_text(re.sub(r"(doi: 10\.[0-9]+/[^\s]+)", r"\g<1>9", text))  # every DOI edited
    def check() -> str:  # in-process: the script is what runs as a program here
        return run("check", "--as-of", "2026-06-01", str(copy))[1]

    assert " error P402: " in check()  # the approved pages cite those references
    assert subprocess.run([sys.executable, str(SCRIPT), str(copy)], capture_output=True, check=False).returncode == 0
    after = check()
    assert " P402" not in after and " P406" not in after and ": error " not in after, after


def test_a_refused_sign_off_restores_the_ledger_and_fails(tmp_path: Path) -> None:
    copy = tmp_path / "protocols"
    shutil.copytree(ROOT / "protocols", copy)
    version = copy / "ketamine-trd" / "1.0.yaml"
    version.write_text(version.read_text().replace("dose: 0.5 mg/kg", "dose: 0.9 mg/kg", 1))  # P201
    before = ledgers(copy)
    done = subprocess.run([sys.executable, str(SCRIPT), str(copy)], capture_output=True, text=True, check=False)
    assert done.returncode == 1
    assert "ketamine-trd 1.0 has 1 check error" in done.stderr and "restored" in done.stderr
    assert ledgers(copy)["ketamine-trd"] == before["ketamine-trd"]
