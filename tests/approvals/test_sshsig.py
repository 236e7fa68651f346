"""SSHSIG verification in-process (generator.approvals.sshsig) against `ssh-keygen` itself: what ssh-keygen signs
verifies, and what `ssh-keygen -Y verify` rejects is rejected here too."""

from __future__ import annotations

import base64
import hashlib
import shutil
import struct
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from helpers import REVIEWER_KEYS
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis_profiles import examples

from generator.approvals import sshsig
from generator.approvals.sshsig import SshsigError

NAMESPACE = "protocols-approval"
MESSAGE = b"protocols-approval\nketamine-trd\n1.0\npharmacist\n2026-02-02\nsha256:ab\napproved\n"
KEY_TYPES = [("ed25519", []), ("ecdsa", ["-b", "256"]), ("ecdsa", ["-b", "384"]), ("ecdsa", ["-b", "521"]),
             ("rsa", ["-b", "2048"])]

if shutil.which("ssh-keygen") is None:  # a missing tool fails loudly instead of skipping the comparison
    raise RuntimeError("these tests compare with OpenSSH: install openssh-client (ssh-keygen)")


def keygen(folder: Path, name: str, key_type: str, extra: list[str]) -> Path:
    path = folder / name
    subprocess.run(["ssh-keygen", "-q", "-t", key_type, *extra, "-N", "", "-C", name, "-f", str(path)], check=True)
    return path


def ssh_sign(key: Path, message: bytes = MESSAGE, namespace: str = NAMESPACE) -> str:
    done = subprocess.run(["ssh-keygen", "-Y", "sign", "-n", namespace, "-f", str(key)], input=message,
                          capture_output=True, check=True)
    return done.stdout.decode("ascii")


def ssh_verifies(folder: Path, public_line: str, signature: str, message: bytes = MESSAGE,
                 namespace: str = NAMESPACE) -> bool:
    signers = folder / "allowed_signers"
    signers.write_text(f"reviewer {public_line}\n")
    (folder / "sig").write_text(signature)
    done = subprocess.run(["ssh-keygen", "-Y", "verify", "-f", str(signers), "-I", "reviewer", "-n", namespace,
                           "-s", str(folder / "sig")], input=message, capture_output=True, check=False)
    return done.returncode == 0


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("keys")
    made = {f"{kind}{''.join(extra)}": keygen(folder, f"{kind}{''.join(extra)}", kind, extra)
            for kind, extra in KEY_TYPES}
    made["other"] = keygen(folder, "other", "ed25519", [])
    return made


def public(key: Path) -> sshsig.PublicKey:
    return sshsig.parse_public_key(key.with_name(key.name + ".pub").read_text())


@pytest.mark.parametrize("name", [f"{kind}{''.join(extra)}" for kind, extra in KEY_TYPES])
def test_a_signature_made_by_ssh_keygen_verifies(keys: dict[str, Path], name: str) -> None:
    key = public(keys[name])
    assert sshsig.verify(ssh_sign(keys[name]), MESSAGE, NAMESPACE, [public(keys["other"]), key]) == key


@pytest.mark.parametrize("name", [f"{kind}{''.join(extra)}" for kind, extra in KEY_TYPES])
def test_the_key_fingerprint_is_what_ssh_keygen_prints(keys: dict[str, Path], name: str) -> None:
    printed = subprocess.run(["ssh-keygen", "-l", "-E", "sha256", "-f", str(keys[name]) + ".pub"],
                             capture_output=True, check=True, text=True).stdout.split()[1]
    assert public(keys[name]).fingerprint == printed


def test_the_in_process_signer_writes_what_ssh_keygen_writes_and_ssh_keygen_verifies_it(tmp_path: Path) -> None:
    key = REVIEWER_KEYS["Ann Lee"]
    from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
    path = tmp_path / "ann"
    path.write_bytes(key.private_bytes(Encoding.PEM, PrivateFormat.OpenSSH, NoEncryption()))
    path.chmod(0o600)
    ours = sshsig.sign_ed25519(key, MESSAGE, NAMESPACE)
    assert ours == ssh_sign(path)
    assert ssh_verifies(tmp_path, sshsig.ed25519_public_line(key), ours)


def _rejected_by_both(folder: Path, key: sshsig.PublicKey, signature: str, message: bytes = MESSAGE,
                      namespace: str = NAMESPACE) -> str:
    assert not ssh_verifies(folder, key.openssh(), signature, message, namespace)
    with pytest.raises(SshsigError) as refused:
        sshsig.verify(signature, message, namespace, [key])
    return str(refused.value)


def _blob(signature: str) -> bytes:
    return base64.b64decode("".join(signature.strip().splitlines()[1:-1]))


def _armour(blob: bytes) -> str:
    encoded = base64.b64encode(blob).decode("ascii")
    return "\n".join(["-----BEGIN SSH SIGNATURE-----", encoded, "-----END SSH SIGNATURE-----"]) + "\n"


def _replace_string(blob: bytes, old: bytes, new: bytes) -> bytes:
    """The SSH string `old` in the blob replaced by `new`, with its length."""
    packed = struct.pack(">I", len(old)) + old
    assert blob.count(packed) == 1
    return blob.replace(packed, struct.pack(">I", len(new)) + new)


def _with_scheme(blob: bytes, scheme: bytes) -> bytes:
    """The blob with its signature's scheme name replaced (the last string of the blob is the signature)."""
    def string(data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + data

    offset, parts = 10, []
    while offset < len(blob):
        length = struct.unpack(">I", blob[offset : offset + 4])[0]
        parts.append(blob[offset + 4 : offset + 4 + length])
        offset += 4 + length
    inner = parts[-1]
    scheme_length = struct.unpack(">I", inner[:4])[0]
    parts[-1] = string(scheme) + inner[4 + scheme_length :]
    return blob[:10] + b"".join(string(part) for part in parts)


def test_what_ssh_keygen_rejects_is_rejected(keys: dict[str, Path], tmp_path: Path) -> None:
    key = public(keys["ed25519"])
    good = ssh_sign(keys["ed25519"])
    lines = good.strip().splitlines()
    cases = {
        "wrong namespace": (ssh_sign(keys["ed25519"], namespace="git"), MESSAGE),
        "wrong message": (good, MESSAGE.replace(b"2026-02-02", b"2026-02-01")),
        "other key": (ssh_sign(keys["other"]), MESSAGE),
        "truncated armour": ("\n".join(lines[:-2] + lines[-1:]) + "\n", MESSAGE),
        "truncated blob": (_armour(_blob(good)[:-10]), MESSAGE),
        "no end line": ("\n".join(lines[:-1]) + "\n", MESSAGE),
        "garbled base64": (good.replace(lines[2][5:15], "!!!!!!!!!!"), MESSAGE),
        "hash sha1": (_armour(_replace_string(_blob(good), b"sha512", b"sha1")), MESSAGE),
        "scheme of another key type": (_armour(_with_scheme(_blob(good), b"ecdsa-sha2-nistp256")), MESSAGE),
        "trailing bytes": (_armour(_blob(good) + b"\x00"), MESSAGE),
        "version 2": (_armour(_blob(good).replace(b"SSHSIG\x00\x00\x00\x01", b"SSHSIG\x00\x00\x00\x02", 1)), MESSAGE),
        "flipped signature bit": (_armour(_blob(good)[:-1] + bytes([_blob(good)[-1] ^ 1])), MESSAGE),
    }
    reasons = {name: _rejected_by_both(tmp_path, key, signature, message)
               for name, (signature, message) in cases.items()}
    assert reasons["wrong namespace"] == 'its namespace is "git", not "protocols-approval"'
    assert reasons["wrong message"].startswith("it does not match the entry")
    assert reasons["other key"] == (f"it was made with key {public(keys['other']).fingerprint}, which the register "
                                    "does not list for this reviewer")
    assert reasons["truncated armour"] == "the signature's armour is not valid base64"
    assert reasons["truncated blob"] == "the signature cannot be read (truncated)"
    assert reasons["no end line"].startswith("not an SSH signature")
    assert reasons["garbled base64"] == "the signature's armour is not valid base64"
    assert reasons["hash sha1"] == 'hash algorithm "sha1" is not sha256 or sha512'
    assert reasons["scheme of another key type"] == 'signature scheme "ecdsa-sha2-nistp256" does not belong to a ' \
                                                    "ssh-ed25519 key"
    assert reasons["trailing bytes"] == "the signature cannot be read (trailing bytes)"
    assert reasons["version 2"] == "the signature cannot be read (SSHSIG version 2 is not supported)"
    assert reasons["flipped signature bit"].startswith("it does not match the entry")


@pytest.mark.parametrize(("text", "message"), [
    ("", "expected a key type and the base64 key, e.g. ssh-ed25519 AAAAC3Nza... name@example"),
    ("ssh-dss AAAAB3NzaC1kc3M=", 'key type "ssh-dss" is not supported (use ssh-ed25519, ecdsa-sha2-nistp256, '
                                 "ecdsa-sha2-nistp384, ecdsa-sha2-nistp521, ssh-rsa, sk-ssh-ed25519@openssh.com, "
                                 "sk-ecdsa-sha2-nistp256@openssh.com)"),
    ("ssh-ed25519 not*base64", "the key is not valid base64"),
    ("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA==", "the key cannot be read: truncated"),
    ("ssh-rsa AAAAC3NzaC1lZDI1NTE5AAAAIHpe8x0d31WCFRyaD+9u04CCujHeLbP5/ekK7/lF1bL8",
     'the key says it is "ssh-rsa" but holds a "ssh-ed25519" key'),
])
def test_malformed_public_keys_are_refused_with_the_reason(text: str, message: str) -> None:
    with pytest.raises(SshsigError) as refused:
        sshsig.parse_public_key(text)
    assert str(refused.value) == message


def test_a_short_rsa_key_is_refused(tmp_path: Path) -> None:
    weak = keygen(tmp_path, "weak", "rsa", ["-b", "1024"])
    with pytest.raises(SshsigError, match="an RSA key outside 2048 to 16384 bits"):
        public(weak)


def test_thousands_of_sign_offs_by_a_few_keys_each_verify_against_their_own_message() -> None:
    """A library of 1,000 protocols has about 5,000 sign-offs, each verified in-process (their cost is in
    `make bench`: the check at N = 1,000 verifies every synthetic sign-off). Each signature verifies for its
    own message and no other."""
    keys = [Ed25519PrivateKey.from_private_bytes(bytes([n]) * 32) for n in range(1, 5)]
    publics = [sshsig.parse_public_key(sshsig.ed25519_public_line(k)) for k in keys]
    signed = []
    for n in range(2000):
        message = MESSAGE.replace(b"1.0", f"{n}.0".encode())
        signed.append((sshsig.sign_ed25519(keys[n % 4], message, NAMESPACE), message))
    sshsig.parse_signature.cache_clear()
    for signature, message in signed:
        sshsig.verify(signature, message, NAMESPACE, publics)
    for (signature, _message), (_other, other_message) in zip(signed[::97], signed[1::97], strict=False):
        with pytest.raises(sshsig.SshsigError):
            sshsig.verify(signature, other_message, NAMESPACE, publics)


@settings(max_examples=examples(300), deadline=None)
@given(st.data())
def test_any_garbled_signature_is_a_located_refusal_never_a_crash(data: st.DataObject) -> None:
    key = REVIEWER_KEYS["Ann Lee"]
    blob = bytearray(_blob(sshsig.sign_ed25519(key, MESSAGE, NAMESPACE)))
    for _ in range(data.draw(st.integers(1, 4))):
        position = data.draw(st.integers(0, len(blob) - 1))
        blob[position] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(0, len(blob)))
    used = bytes(blob[:cut]) if data.draw(st.booleans()) else bytes(blob)
    garbled = _armour(used)
    allowed = [sshsig.parse_public_key(sshsig.ed25519_public_line(key))]
    try:
        sshsig.verify(garbled, MESSAGE, NAMESPACE, allowed)
    except SshsigError:
        return
    assert used == _blob(sshsig.sign_ed25519(key, MESSAGE, NAMESPACE))  # only the untouched one verifies


@settings(max_examples=examples(200), deadline=None)
@given(st.binary(max_size=300), st.sampled_from(sshsig.KEY_TYPES))
def test_any_key_blob_is_read_or_refused_never_a_crash(blob: bytes, key_type: str) -> None:
    import base64 as b64
    prefixed = struct.pack(">I", len(key_type)) + key_type.encode() + blob
    for candidate in (blob, prefixed):
        try:
            sshsig.parse_public_key(f"{key_type} {b64.b64encode(candidate).decode()}")
        except SshsigError:
            pass


def _string(data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + data


def _hardware_signature(kind: str, flags: int, message: bytes = MESSAGE) -> tuple[str, str]:
    """(public key line, armoured SSHSIG) as a FIDO authenticator would make them (PROTOCOL.u2f),
    simulated with an in-memory key: the format ssh-keygen reads for hardware keys."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
    application = b"ssh:"
    if kind == "ed25519":
        key_type = sshsig.SK_ED25519
        private: object = Ed25519PrivateKey.from_private_bytes(bytes([7]) * 32)
        raw = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)  # type: ignore[attr-defined]
        blob = _string(key_type.encode()) + _string(raw) + _string(application)
    else:
        key_type = sshsig.SK_ECDSA
        private = ec.derive_private_key(12345, ec.SECP256R1())
        point = private.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)  # type: ignore[attr-defined]
        blob = _string(key_type.encode()) + _string(b"nistp256") + _string(point) + _string(application)
    data = sshsig.signed_data(NAMESPACE, "sha512", message)
    counter = 42
    signed = (hashlib.sha256(application).digest() + bytes([flags]) + struct.pack(">I", counter)
              + hashlib.sha256(data).digest())
    if kind == "ed25519":
        raw_signature = private.sign(signed)  # type: ignore[attr-defined]
    else:
        r, s = decode_dss_signature(private.sign(signed, ec.ECDSA(hashes.SHA256())))  # type: ignore[attr-defined]
        raw_signature = _string(_mpint(r)) + _string(_mpint(s))
    inner = _string(key_type.encode()) + _string(raw_signature) + bytes([flags]) + struct.pack(">I", counter)
    sshsig_blob = b"SSHSIG" + struct.pack(">I", 1) + b"".join(
        _string(part) for part in (blob, NAMESPACE.encode(), b"", b"sha512", inner))
    return f"{key_type} {base64.b64encode(blob).decode()}", _armour(sshsig_blob)


def _mpint(value: int) -> bytes:
    """A positive SSH mpint's bytes: big-endian, with a leading zero when the top bit is set."""
    return value.to_bytes((value.bit_length() + 8) // 8, "big")


@pytest.mark.parametrize("kind", ["ed25519", "ecdsa"])
def test_hardware_key_signatures_verify_as_ssh_keygen_verifies_them(tmp_path: Path, kind: str) -> None:
    line, signature = _hardware_signature(kind, flags=sshsig.USER_PRESENT)
    key = sshsig.parse_public_key(line)
    assert ssh_verifies(tmp_path, line, signature)
    assert sshsig.verify(signature, MESSAGE, NAMESPACE, [key]) == key
    assert _rejected_by_both(tmp_path, key, signature, MESSAGE.replace(b"1.0", b"1.1")).startswith(
        "it does not match the entry")
    # stricter than ssh-keygen 9.2, which accepts it: a sign-off needs the reviewer's touch
    untouched_line, untouched = _hardware_signature(kind, flags=0)
    with pytest.raises(SshsigError, match=r"^the hardware key was not touched \(user presence flag missing\)$"):
        sshsig.verify(untouched, MESSAGE, NAMESPACE, [sshsig.parse_public_key(untouched_line)])
