"""SSH signatures (SSHSIG, the format `ssh-keygen -Y sign` writes and Git uses), verified in-process.

The format is openssh-portable's PROTOCOL.sshsig. The armoured blob is

    byte[6] "SSHSIG"; uint32 version (1); string public key; string namespace; string reserved;
    string hash algorithm ("sha256" or "sha512"); string signature

and the signature covers

    byte[6] "SSHSIG"; string namespace; string reserved; string hash algorithm; string H(message)

with the key's own signature scheme: Ed25519; ECDSA on nistp256/384/521 (hashing with SHA-256/384/512);
RSA with rsa-sha2-512 or rsa-sha2-256 (never SHA-1 `ssh-rsa`, which ssh-keygen refuses too); and the
hardware (FIDO) keys of PROTOCOL.u2f, sk-ssh-ed25519 and sk-ecdsa-sha2-nistp256, whose authenticator
signs SHA256(application), flags, counter and SHA256(data). A hardware key's signature must carry the
user-presence flag: stricter than `ssh-keygen -Y verify` 9.2, which accepts one without it, because a
sign-off is a person's act (a key made with `-O no-touch-required` cannot sign off).

Everything that `ssh-keygen -Y verify` refuses is refused here: another namespace, another message,
a key other than the expected one, a version other than 1, an unknown hash, garbled or truncated
armour, trailing bytes, a signature scheme that does not belong to the key. Keys are compared as
their wire blobs, so a comment never matters.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import struct
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from generator.diagnostics import excerpt

MAGIC = b"SSHSIG"
ARMOUR_BEGIN = "-----BEGIN SSH SIGNATURE-----"
ARMOUR_END = "-----END SSH SIGNATURE-----"
HASHES = {"sha256": hashlib.sha256, "sha512": hashlib.sha512}
CURVES: dict[str, tuple[ec.EllipticCurve, hashes.HashAlgorithm]] = {
    "nistp256": (ec.SECP256R1(), hashes.SHA256()),
    "nistp384": (ec.SECP384R1(), hashes.SHA384()),
    "nistp521": (ec.SECP521R1(), hashes.SHA512()),
}
RSA_SCHEMES: dict[str, hashes.HashAlgorithm] = {"rsa-sha2-512": hashes.SHA512(), "rsa-sha2-256": hashes.SHA256()}
SK_ED25519, SK_ECDSA = "sk-ssh-ed25519@openssh.com", "sk-ecdsa-sha2-nistp256@openssh.com"  # hardware keys
KEY_TYPES = ("ssh-ed25519", *(f"ecdsa-sha2-{curve}" for curve in CURVES), "ssh-rsa", SK_ED25519, SK_ECDSA)
USER_PRESENT = 0x01  # a hardware key's flag: it was touched
MIN_RSA_BITS, MAX_RSA_BITS = 2048, 16384


class SshsigError(ValueError):
    """A key or signature that cannot be read, or a signature that does not verify."""


class _Reader:
    """The SSH wire format of RFC 4251: uint32 lengths before strings."""

    def __init__(self, data: bytes) -> None:
        self.data, self.offset = data, 0

    def take(self, count: int) -> bytes:
        if count < 0 or self.offset + count > len(self.data):
            raise SshsigError("truncated")
        chunk = self.data[self.offset : self.offset + count]
        self.offset += count
        return chunk

    def uint32(self) -> int:
        return int(struct.unpack(">I", self.take(4))[0])

    def string(self) -> bytes:
        return self.take(self.uint32())

    def text(self) -> str:
        try:
            return self.string().decode("ascii")
        except UnicodeDecodeError:
            raise SshsigError("a name that is not ASCII") from None

    def mpint(self) -> int:
        return int.from_bytes(self.string(), "big", signed=True)

    def done(self) -> None:
        if self.offset != len(self.data):
            raise SshsigError("trailing bytes")


def _string(data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + data


@dataclass(frozen=True)
class PublicKey:
    """An OpenSSH public key: its type, its wire blob, the key object that verifies, and for a hardware
    (FIDO) key its application string."""

    key_type: str
    blob: bytes
    key: Any = None
    application: bytes = b""

    @property
    def fingerprint(self) -> str:
        """As `ssh-keygen -l` prints it: SHA256: and unpadded base64 of the blob's SHA-256."""
        digest = base64.b64encode(hashlib.sha256(self.blob).digest()).decode("ascii").rstrip("=")
        return f"SHA256:{digest}"

    def openssh(self) -> str:
        return f"{self.key_type} {base64.b64encode(self.blob).decode('ascii')}"


def _key_from_blob(blob: bytes) -> PublicKey:
    reader = _Reader(blob)
    key_type = reader.text()
    if key_type in (SK_ED25519, SK_ECDSA):
        return _sk_key(key_type, blob, reader)
    if key_type == "ssh-ed25519":
        raw = reader.string()
        reader.done()
        if len(raw) != 32:
            raise SshsigError("an Ed25519 key that is not 32 bytes")
        try:
            return PublicKey(key_type, blob, Ed25519PublicKey.from_public_bytes(raw))
        except ValueError:
            raise SshsigError("an Ed25519 key that is not valid") from None
    if key_type.startswith("ecdsa-sha2-") and key_type[len("ecdsa-sha2-") :] in CURVES:
        curve_name = reader.text()
        point = reader.string()
        reader.done()
        if f"ecdsa-sha2-{curve_name}" != key_type:
            raise SshsigError("an ECDSA key whose curve differs from its type")
        try:
            key = ec.EllipticCurvePublicKey.from_encoded_point(CURVES[curve_name][0], point)
        except ValueError:
            raise SshsigError("an ECDSA point that is not on the curve") from None
        return PublicKey(key_type, blob, key)
    if key_type == "ssh-rsa":
        exponent, modulus = reader.mpint(), reader.mpint()
        reader.done()
        if not MIN_RSA_BITS <= modulus.bit_length() <= MAX_RSA_BITS or exponent < 3 or exponent % 2 == 0:
            raise SshsigError(f"an RSA key outside {MIN_RSA_BITS} to {MAX_RSA_BITS} bits or with a bad exponent")
        try:
            return PublicKey(key_type, blob, rsa.RSAPublicNumbers(exponent, modulus).public_key())
        except ValueError:
            raise SshsigError("an RSA key that is not valid") from None
    raise SshsigError(f'key type {excerpt(key_type, 40)} is not supported (use {", ".join(KEY_TYPES)})')


def _sk_key(key_type: str, blob: bytes, reader: _Reader) -> PublicKey:
    """A FIDO key of PROTOCOL.u2f: the plain key's fields, then the application string."""
    if key_type == SK_ECDSA:
        if reader.text() != "nistp256":
            raise SshsigError("a hardware ECDSA key not on nistp256")
        point = reader.string()
        try:
            key: Any = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
        except ValueError:
            raise SshsigError("an ECDSA point that is not on the curve") from None
    else:
        raw = reader.string()
        if len(raw) != 32:
            raise SshsigError("an Ed25519 key that is not 32 bytes")
        try:
            key = Ed25519PublicKey.from_public_bytes(raw)
        except ValueError:
            raise SshsigError("an Ed25519 key that is not valid") from None
    application = reader.string()
    reader.done()
    return PublicKey(key_type, blob, key, application)


@functools.lru_cache(maxsize=4096)
def parse_public_key(text: str) -> PublicKey:
    """A line of an authorized_keys or allowed_signers file: `TYPE BASE64 [comment]`."""
    fields = text.split()
    if len(fields) < 2:
        raise SshsigError("expected a key type and the base64 key, e.g. ssh-ed25519 AAAAC3Nza... name@example")
    key_type, encoded = fields[0], fields[1]
    if key_type not in KEY_TYPES:
        raise SshsigError(f'key type {excerpt(key_type, 40)} is not supported (use {", ".join(KEY_TYPES)})')
    try:
        blob = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise SshsigError("the key is not valid base64") from None
    try:
        key = _key_from_blob(blob)
    except SshsigError as error:
        raise SshsigError(f"the key cannot be read: {error}") from None
    if key.key_type != key_type:
        raise SshsigError(f'the key says it is "{key_type}" but holds a "{key.key_type}" key')
    return key


@dataclass(frozen=True)
class Signature:
    public_key: PublicKey
    namespace: str
    hash_algorithm: str
    scheme: str
    signature: bytes  # the scheme's signature bytes (ECDSA: the SSH r, s blob)
    sk_flags: int = 0  # hardware keys: the authenticator's flags and counter
    sk_counter: int = 0


def _dearmour(armoured: str) -> bytes:
    lines = [line.strip() for line in armoured.strip().splitlines()]
    if len(lines) < 3 or lines[0] != ARMOUR_BEGIN or lines[-1] != ARMOUR_END:
        raise SshsigError(f"not an SSH signature: it must run from {ARMOUR_BEGIN} to {ARMOUR_END}")
    try:
        return base64.b64decode("".join(lines[1:-1]), validate=True)
    except (binascii.Error, ValueError):
        raise SshsigError("the signature's armour is not valid base64") from None


@functools.lru_cache(maxsize=65536)
def parse_signature(armoured: str) -> Signature:
    """Read an armoured SSHSIG; SshsigError with the reason when it cannot be read."""
    reader = _Reader(_dearmour(armoured))
    try:
        if reader.take(6) != MAGIC:
            raise SshsigError("not an SSHSIG blob")
        version = reader.uint32()
        if version != 1:
            raise SshsigError(f"SSHSIG version {version} is not supported")
        key_blob = reader.string()
        namespace = reader.string().decode("utf-8", "replace")
        reader.string()  # reserved
        hash_algorithm = reader.text()
        signature_blob = reader.string()
        reader.done()
        inner = _Reader(signature_blob)
        scheme = inner.text()
        signature = inner.string()
        flags = counter = 0
        if scheme in (SK_ED25519, SK_ECDSA):
            flags, counter = inner.take(1)[0], inner.uint32()
        inner.done()
    except SshsigError as error:
        raise SshsigError(f"the signature cannot be read ({error})") from None
    return Signature(_key_from_blob(key_blob), namespace, hash_algorithm, scheme, signature, flags, counter)


def signed_data(namespace: str, hash_algorithm: str, message: bytes) -> bytes:
    digest = HASHES[hash_algorithm](message).digest()
    return MAGIC + b"".join(_string(part) for part in (namespace.encode(), b"", hash_algorithm.encode(), digest))


def _ecdsa_signature(blob: bytes) -> bytes:
    reader = _Reader(blob)
    r, s = reader.mpint(), reader.mpint()
    reader.done()
    return encode_dss_signature(r, s)


def _verify_sk(key: PublicKey, signature: Signature, data: bytes) -> None:
    """PROTOCOL.u2f: the authenticator signs SHA256(application) || flags || counter || SHA256(data)."""
    if not signature.sk_flags & USER_PRESENT:
        raise SshsigError("the hardware key was not touched (user presence flag missing)")
    signed = (hashlib.sha256(key.application).digest() + bytes([signature.sk_flags])
              + struct.pack(">I", signature.sk_counter) + hashlib.sha256(data).digest())
    if key.key_type == SK_ED25519:
        key.key.verify(signature.signature, signed)
    else:
        key.key.verify(_ecdsa_signature(signature.signature), signed, ec.ECDSA(hashes.SHA256()))


def _verify_scheme(key: PublicKey, signature: Signature, data: bytes) -> None:
    scheme = signature.scheme
    if key.key_type in (SK_ED25519, SK_ECDSA) and scheme == key.key_type:
        _verify_sk(key, signature, data)
        return
    if key.key_type == "ssh-ed25519" and scheme == "ssh-ed25519":
        key.key.verify(signature.signature, data)
    elif key.key_type.startswith("ecdsa-sha2-") and scheme == key.key_type:
        key.key.verify(_ecdsa_signature(signature.signature), data, ec.ECDSA(CURVES[key.key_type[11:]][1]))
    elif key.key_type == "ssh-rsa" and scheme in RSA_SCHEMES:
        key.key.verify(signature.signature, data, padding.PKCS1v15(), RSA_SCHEMES[scheme])
    else:
        raise SshsigError(f"signature scheme {excerpt(scheme, 40)} does not belong to a {key.key_type} key")


def verify(armoured: str, message: bytes, namespace: str, allowed: list[PublicKey]) -> PublicKey:
    """The key of `allowed` that made this signature of `message` in `namespace`; SshsigError otherwise."""
    signature = parse_signature(armoured)
    key = next((candidate for candidate in allowed if candidate.blob == signature.public_key.blob), None)
    if key is None:
        raise SshsigError(f"it was made with key {signature.public_key.fingerprint}, which the register does not "
                          "list for this reviewer")
    if signature.namespace != namespace:
        raise SshsigError(f'its namespace is {excerpt(signature.namespace, 40)}, not "{namespace}"')
    if signature.hash_algorithm not in HASHES:
        raise SshsigError(f"hash algorithm {excerpt(signature.hash_algorithm, 20)} is not sha256 or sha512")
    problem = _verification_problem(armoured, signed_data(namespace, signature.hash_algorithm, message))
    if problem:
        raise SshsigError(problem)
    return key


@functools.lru_cache(maxsize=65536)  # pure: a build judges each ledger entry for the checks and for each site
def _verification_problem(armoured: str, data: bytes) -> str:
    """"" when the signature is of `data` by the key it carries (`verify` has checked that key is allowed),
    else what is wrong."""
    signature = parse_signature(armoured)
    try:
        _verify_scheme(signature.public_key, signature, data)
    except SshsigError as error:
        return str(error)
    except (InvalidSignature, ValueError):
        return ("it does not match the entry: the entry was changed after it was signed, or the signature belongs "
                "to another entry")
    return ""


def ed25519_public_line(key: Ed25519PrivateKey, comment: str = "") -> str:
    """The authorized_keys line of an Ed25519 key."""
    # public_bytes_raw, not public_bytes(Encoding.Raw, ...): the serialization package that holds Encoding
    # imports cryptography's SSH and cipher modules, about 3 ms of every check's start
    raw = key.public_key().public_bytes_raw()
    line = "ssh-ed25519 " + base64.b64encode(_string(b"ssh-ed25519") + _string(raw)).decode("ascii")
    return f"{line} {comment}".rstrip()


def sign_ed25519(key: Ed25519PrivateKey, message: bytes, namespace: str, hash_algorithm: str = "sha512") -> str:
    """An armoured SSHSIG made in-process, byte for byte what `ssh-keygen -Y sign` writes for an Ed25519
    key. Reviewers sign with ssh-keygen (`protocols approve`); this is for tests and synthetic libraries."""
    public_blob = base64.b64decode(ed25519_public_line(key).split()[1])
    signature = key.sign(signed_data(namespace, hash_algorithm, message))
    blob = MAGIC + struct.pack(">I", 1) + b"".join(
        _string(part) for part in (public_blob, namespace.encode(), b"", hash_algorithm.encode(),
                                   _string(b"ssh-ed25519") + _string(signature))
    )
    encoded = base64.b64encode(blob).decode("ascii")
    lines = [encoded[i : i + 70] for i in range(0, len(encoded), 70)]
    return "\n".join([ARMOUR_BEGIN, *lines, ARMOUR_END]) + "\n"
