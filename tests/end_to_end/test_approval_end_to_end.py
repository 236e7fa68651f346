"""End to end, with the real commands: two sample reviewers sign a version with `protocols approve`, one
with her key file and one through a private ssh-agent; the version builds into the clinician site; one
withdraws (through the agent); the build is then refused with P401."""

from __future__ import annotations

import io
import os
import re
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import SAMPLE_LIBRARY

from generator import cli

SAMPLE_KEYS = Path(__file__).resolve().parents[1] / "sample_keys"
PROTOCOLS = Path(sys.executable).parent / "protocols"
for tool in ("ssh-agent", "ssh-add", "ssh-keygen"):
    if shutil.which(tool) is None:  # fail loudly: a skipped end-to-end test would hide the missing tool
        raise RuntimeError(f"the end-to-end approval test needs OpenSSH's {tool}: install openssh-client")


def private_copy(folder: Path, name: str) -> Path:
    """A sample key copied with mode 0600 (git keeps no modes; ssh-keygen and ssh-add refuse readable keys)."""
    copy = folder / name
    shutil.copyfile(SAMPLE_KEYS / name, copy)
    copy.chmod(0o600)
    shutil.copyfile(SAMPLE_KEYS / f"{name}.pub", folder / f"{name}.pub")
    return copy


@pytest.fixture
def agent(tmp_path: Path) -> Iterator[dict[str, str]]:
    """A private ssh-agent on its own socket, holding Sam Example's key; killed afterwards."""
    socket = tmp_path / "agent.sock"
    started = subprocess.run(["ssh-agent", "-s", "-a", str(socket)], capture_output=True, text=True, check=True)
    pid = int(re.search(r"SSH_AGENT_PID=(\d+)", started.stdout).group(1))  # type: ignore[union-attr]
    environment = {**os.environ, "SSH_AUTH_SOCK": str(socket), "HOME": str(tmp_path)}
    try:
        key = private_copy(tmp_path, "SAMPLE-ONLY-sam-example")
        subprocess.run(["ssh-add", "-q", str(key)], env=environment, check=True, capture_output=True)
        key.unlink()  # from now on only the agent holds the private half
        yield environment
    finally:
        os.kill(pid, signal.SIGTERM)


def protocols(environment: dict[str, str], *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(PROTOCOLS), *argv], env=environment, capture_output=True, text=True, check=False,
                          timeout=120)


def build(library: Path, out: Path) -> tuple[int, str]:
    output = io.StringIO()
    status = cli.main(["build", "--as-of", "2026-12-02", "--out", str(out), str(library)], out=output,
                      err=io.StringIO())
    return status, output.getvalue()


def test_two_reviewers_sign_the_site_builds_one_withdraws_the_build_is_refused(
    tmp_path: Path, agent: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    library = tmp_path / "protocols"
    shutil.copytree(SAMPLE_LIBRARY, library)
    monkeypatch.chdir(tmp_path)
    version = library / "ketamine-trd" / "1.1.yaml"
    # the draft goes into review with the date it is to take effect (part of what is signed)
    version.write_text(version.read_text().replace("status: draft", "status: in-review\neffective: 2026-12-01"))
    ledger = library / "ketamine-trd" / "approvals.yaml"
    aoife = private_copy(tmp_path, "SAMPLE-ONLY-aoife-sample")

    signed = protocols(agent, "approve", "ketamine-trd", "1.1", "--role", "psychiatrist", "--key", str(aoife),
                       "--date", "2026-11-20", "--dir", str(library))
    assert (signed.returncode, signed.stderr) == (0, "")
    assert signed.stdout.endswith("ketamine-trd 1.1 still needs: 1 more distinct reviewer; role pharmacist, each by "
                                  "a reviewer who fills no other required role\n")
    # Sam Example names only his public key: the private half is in the agent
    sam_public = tmp_path / "SAMPLE-ONLY-sam-example.pub"
    signed = protocols(agent, "approve", "ketamine-trd", "1.1", "--role", "pharmacist", "--key", str(sam_public),
                       "--date", "2026-11-21", "--dir", str(library))
    assert (signed.returncode, signed.stderr) == (0, "")
    assert signed.stdout.endswith("ketamine-trd 1.1 now has the approvals the policy asks for\n")

    version.write_text(version.read_text().replace("status: in-review", "status: approved"))
    status, output = build(library, tmp_path / "site")
    assert status == 0, output
    page = (tmp_path / "site" / "protocols" / "ketamine-trd" / "1.1" / "index.html").read_text()
    assert "Sam Example" in page and "Dr Aoife Sample" in page
    assert '"version": "1.1"' in (tmp_path / "site" / "protocols.json").read_text()

    before = ledger.read_bytes()
    withdrawn = protocols(agent, "withdraw", "ketamine-trd", "1.1", "--role", "pharmacist", "--date", "2026-11-25",
                          "--dir", str(library))  # no --key: the agent's key that the register lists
    assert (withdrawn.returncode, withdrawn.stderr) == (0, "")
    assert withdrawn.stdout.endswith("Sam Example's sign-off as pharmacist no longer counts; ketamine-trd 1.1 is "
                                     "approved: run `protocols check`\n")
    assert ledger.read_bytes().startswith(before)  # appended, the earlier bytes kept exactly

    status, output = build(library, tmp_path / "site")
    assert status == 1
    assert re.search(r"ketamine-trd/1\.1\.yaml:\d+:\d+: error P401: version 1\.1 is approved without the approvals "
                     r"the policy asks for: 1 more distinct reviewer \(has 1 of 2\); no approval in role pharmacist",
                     output), output


def test_approve_without_a_registered_key_anywhere_is_one_line(tmp_path: Path) -> None:
    library = tmp_path / "protocols"
    shutil.copytree(SAMPLE_LIBRARY, library)
    environment = {**os.environ, "HOME": str(tmp_path)}
    environment.pop("SSH_AUTH_SOCK", None)
    result = protocols(environment, "approve", "ketamine-trd", "1.1", "--role", "pharmacist", "--dir", str(library))
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == ("protocols: error: none of your SSH keys (ssh-agent, ~/.ssh/id_*.pub) is in the "
                             "reviewer register: pass --key FILE\n")
