"""Signing a sign-off with the reviewer's SSH key, as Git signs commits: `ssh-keygen -Y sign`.

`--key FILE` names a private key file, or a public key file whose private half is in ssh-agent (or on
a hardware key), as Git's user.signingkey does. Without --key, the keys ssh-agent holds and the
usual ~/.ssh/id_*.pub files are tried, and the one the register lists is used.

Every failure is a SigningError with one line to print: ssh-keygen missing, the key file missing or
unreadable, ssh-keygen refusing (its last line of error output is quoted).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from generator.approvals.register import Register, RegisteredReviewer
from generator.approvals.signoffs import NAMESPACE
from generator.approvals.sshsig import PublicKey, SshsigError, parse_public_key

DEFAULT_KEY_FILES = ("id_ed25519.pub", "id_ecdsa.pub", "id_rsa.pub")
TIMEOUT_SECONDS = 120  # a hardware key waits for a touch


class SigningError(Exception):
    """Signing failed: one line for the user."""


def _ssh_keygen() -> str:
    found = shutil.which("ssh-keygen")
    if found is None:
        raise SigningError("ssh-keygen was not found: install OpenSSH (8.2 or later) to sign sign-offs")
    return found


def _run(arguments: list[str], data: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(arguments, input=data, capture_output=True, timeout=TIMEOUT_SECONDS,
                              stdin=None if data is not None else subprocess.DEVNULL, check=False)
    except subprocess.TimeoutExpired:
        raise SigningError(f"{Path(arguments[0]).name} did not finish within {TIMEOUT_SECONDS} s") from None
    except OSError as error:
        raise SigningError(f"could not run {arguments[0]}: {error.strerror}") from None


def _last_line(output: bytes) -> str:
    lines = [line.strip() for line in output.decode("utf-8", "replace").splitlines() if line.strip()]
    return lines[-1][:200] if lines else "no message"


def public_key_of(key_file: Path) -> PublicKey:
    """The public key of --key FILE: the file itself when it is a public key, else FILE.pub, else
    what `ssh-keygen -y` derives from the private key."""
    if not key_file.is_file():
        raise SigningError(f"key file {key_file} does not exist or is not a file")
    try:
        text = key_file.read_text(encoding="utf-8", errors="replace")
    except OSError as error:
        raise SigningError(f"cannot read key file {key_file}: {error.strerror}") from None
    if not text.startswith("-----BEGIN"):
        try:
            return parse_public_key(text.strip().splitlines()[0] if text.strip() else "")
        except SshsigError as error:
            raise SigningError(f"{key_file} is not an OpenSSH key: {error}") from None
    companion = key_file.with_name(key_file.name + ".pub")
    if companion.is_file():
        return public_key_of(companion)
    result = _run([_ssh_keygen(), "-y", "-f", str(key_file)])
    if result.returncode != 0:
        raise SigningError(f"cannot read the public half of {key_file}: {_last_line(result.stderr)}")
    try:
        return parse_public_key(result.stdout.decode("ascii", "replace").strip())
    except SshsigError as error:
        raise SigningError(f"{key_file} is not a usable key: {error}") from None


def _candidate_keys(environ: dict[str, str]) -> list[PublicKey]:
    """Keys ssh-agent holds, then the usual public key files of ~/.ssh."""
    keys: list[PublicKey] = []
    ssh_add = shutil.which("ssh-add")
    if ssh_add is not None and environ.get("SSH_AUTH_SOCK"):
        result = _run([ssh_add, "-L"])
        if result.returncode == 0:
            for line in result.stdout.decode("ascii", "replace").splitlines():
                try:
                    keys.append(parse_public_key(line))
                except SshsigError:
                    continue
    home = Path(environ.get("HOME", "~")).expanduser() / ".ssh"
    for name in DEFAULT_KEY_FILES:
        path = home / name
        if path.is_file():
            try:
                keys.append(public_key_of(path))
            except SigningError:
                continue
    return keys


def signer(register: Register, key_file: str | None,
           environ: dict[str, str] | None = None) -> tuple[RegisteredReviewer, PublicKey, Path | None]:
    """(the register entry holding the key, the key, the file to pass to ssh-keygen or None)."""
    environ = dict(os.environ) if environ is None else environ
    if key_file is not None:
        key = public_key_of(Path(key_file))
        reviewer = register.holder(key)
        if reviewer is None:
            raise SigningError(f"key {key.fingerprint} ({key_file}) is not in the reviewer register: add it to "
                               "_library/policy.yaml reviewers in a reviewed change first")
        return reviewer, key, Path(key_file)
    for key in _candidate_keys(environ):
        reviewer = register.holder(key)
        if reviewer is not None:
            return reviewer, key, None
    raise SigningError("none of your SSH keys (ssh-agent, ~/.ssh/id_*.pub) is in the reviewer register: "
                       "pass --key FILE")


def sign(message: bytes, key: PublicKey, key_file: Path | None) -> str:
    """The armoured SSHSIG of `message` by `key`, made by `ssh-keygen -Y sign`."""
    with tempfile.TemporaryDirectory(prefix="protocols-sign-") as folder:
        path = key_file
        if path is None:
            # the public key alone: ssh-keygen then asks ssh-agent for the signature
            path = Path(folder) / "key.pub"
            path.write_text(key.openssh() + "\n", encoding="ascii")
        result = _run([_ssh_keygen(), "-Y", "sign", "-n", NAMESPACE, "-f", str(path)], message)
    if result.returncode != 0:
        raise SigningError(f"ssh-keygen could not sign: {_last_line(result.stderr)}")
    return result.stdout.decode("ascii", "replace")
