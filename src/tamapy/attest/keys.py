"""Signing keys for attestations: generation, PEM files, loading with clear errors.

Two algorithms, both what DSSE tooling (securesystemslib, sigstore) verifies:
Ed25519 (the default: small, fast, and deterministic, so a rebuilt and
re-signed statement gives a byte-identical envelope) and ECDSA P-256 with
SHA-256 (for HSMs and policies that require NIST curves; signed with RFC 6979
deterministic nonces when the installed OpenSSL supports them, DER-encoded
signatures either way).

Every signature has exactly one accepted encoding, so two distinct envelopes
can never attest the same statement under the same key: ECDSA signatures
must be strict DER with low S (``s <= n/2``; the signer normalises ``s``, the
verifier refuses ``n - s``), and Ed25519 verification (OpenSSL, RFC 8032)
already refuses ``S >= L``.

The private key is written as unencrypted PKCS#8 PEM with mode 0600 and the
public key as SubjectPublicKeyInfo PEM next to it (``KEY.pub``).  Both writes
are atomic and, unless ``force`` is given, never replace an existing file: a
signing key overwritten by accident is an identity lost for good.

A key's id is the SHA-256 of its public key's DER encoding (hex), the value
put in DSSE ``keyid`` fields; it does not depend on the PEM text around it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

from tamapy.diagnostics import TamapyError, display_path, error
from tamapy.inputs import read_input
from tamapy.outputs import write_atomic

KEY_UNREADABLE = "E720"  # key file missing or unreadable
BAD_KEY = "E721"  # not a PEM key, encrypted, unsupported algorithm, private/public mix-up
KEY_EXISTS = "E722"  # keygen would overwrite an existing file
BAD_ALGORITHM = "E723"  # keygen asked for an algorithm tamapy does not offer

ED25519 = "ed25519"
ECDSA_P256 = "ecdsa-p256"
ALGORITHMS = (ED25519, ECDSA_P256)

P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
"""n, the order of the P-256 group: ``(r, s)`` and ``(r, n - s)`` are both valid signatures."""
KEY_LIMIT = 64 << 10
"""The largest key file read (64 KiB): a PEM key is a few hundred bytes."""

PrivateKey = ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey
PublicKey = ed25519.Ed25519PublicKey | ec.EllipticCurvePublicKey


def key_id(public: PublicKey) -> str:
    """SHA-256 (hex) of the public key's DER SubjectPublicKeyInfo."""
    der = public.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return hashlib.sha256(der).hexdigest()


def _algorithm_of(key: PrivateKey | PublicKey) -> str:
    return ED25519 if isinstance(key, ed25519.Ed25519PrivateKey | ed25519.Ed25519PublicKey) else ECDSA_P256


def _strict_der(signature: bytes) -> tuple[int, int] | None:
    """``(r, s)`` when ``signature`` is exactly their DER encoding (no padding, BER or trailing bytes)."""
    try:
        r, s = decode_dss_signature(signature)
    except ValueError:
        return None
    return (r, s) if encode_dss_signature(r, s) == signature else None


@dataclass(frozen=True)
class SigningKey:
    """A loaded private key and what signing with it needs."""

    key: PrivateKey
    algorithm: str

    @property
    def public(self) -> VerifyingKey:
        return VerifyingKey(self.key.public_key(), self.algorithm)

    @property
    def keyid(self) -> str:
        return key_id(self.key.public_key())

    def sign(self, message: bytes) -> bytes:
        """Sign ``message`` (the DSSE PAE): raw 64 bytes for Ed25519, DER for ECDSA."""
        if isinstance(self.key, ed25519.Ed25519PrivateKey):
            return self.key.sign(message)
        try:  # RFC 6979: same key and message, same signature; needs cryptography >= 43 and OpenSSL 3.2
            der = self.key.sign(message, ec.ECDSA(hashes.SHA256(), deterministic_signing=True))
        except (TypeError, UnsupportedAlgorithm):
            der = self.key.sign(message, ec.ECDSA(hashes.SHA256()))
        r, s = decode_dss_signature(der)
        return encode_dss_signature(r, min(s, P256_ORDER - s))  # low S: the one form verify accepts


@dataclass(frozen=True)
class VerifyingKey:
    """A loaded public key."""

    key: PublicKey
    algorithm: str

    @property
    def keyid(self) -> str:
        return key_id(self.key)

    def noncanonical(self, signature: bytes) -> str | None:
        """Why ``signature`` is not in the one encoding tamapy accepts (None when it is).

        Only ECDSA has encodings to refuse here: BER or padded DER, and the high-S
        twin ``(r, n - s)`` of every valid signature.  Ed25519's ``S >= L`` twins
        are refused by the verification itself.
        """
        if isinstance(self.key, ed25519.Ed25519PublicKey):
            return None
        rs = _strict_der(signature)
        if rs is None:
            return "the ECDSA signature is not strict DER"
        if rs[1] > P256_ORDER // 2:
            return "the ECDSA signature has a high S value (s > n/2; tamapy signs with low S)"
        return None

    def verify(self, signature: bytes, message: bytes) -> bool:
        """True when ``signature`` is this key's signature of ``message``, in canonical form."""
        if self.noncanonical(signature) is not None:
            return False
        try:
            if isinstance(self.key, ed25519.Ed25519PublicKey):
                self.key.verify(signature, message)
            else:
                self.key.verify(signature, message, ec.ECDSA(hashes.SHA256()))
        except InvalidSignature:
            return False
        return True


def public_path(private: Path) -> Path:
    """Where keygen puts the public key of ``private``: the same name plus ``.pub``."""
    return private.with_name(private.name + ".pub")


def _write_new(path: Path, data: bytes, mode: int, force: bool) -> None:
    """Atomically create ``path`` with ``mode``; replace an existing file only if ``force``."""
    try:
        write_atomic(path, data, mode, replace=force)
    except FileExistsError:
        raise _exists(path) from None


def _exists(path: Path) -> TamapyError:
    return error(display_path(path), 0, 0, KEY_EXISTS, "refusing to overwrite an existing key file",
                 "choose another name, or pass --force to replace it (the old key is then lost)")


def generate_key(algorithm: str = ED25519) -> SigningKey:
    """A fresh private key of ``algorithm`` (``ed25519`` or ``ecdsa-p256``)."""
    if algorithm == ED25519:
        return SigningKey(ed25519.Ed25519PrivateKey.generate(), ED25519)
    if algorithm == ECDSA_P256:
        return SigningKey(ec.generate_private_key(ec.SECP256R1()), ECDSA_P256)
    raise error("<command line>", 0, 0, BAD_ALGORITHM, f"unknown key algorithm {algorithm!r}",
                "use one of: " + ", ".join(ALGORITHMS))


def keygen(out: Path, algorithm: str = ED25519, *, force: bool = False) -> tuple[Path, Path]:
    """Write a new key pair: private key at ``out`` (0600), public key at ``out.pub`` (0644).

    Returns (private path, public path).  Without ``force`` neither file may
    exist beforehand; both are checked before anything is written.
    """
    key = generate_key(algorithm)
    pub = public_path(out)
    if not force:
        for path in (out, pub):
            if path.exists() or path.is_symlink():
                raise _exists(path)
    private_pem = key.key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    public_pem = key.key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    _write_new(out, private_pem, 0o600, force)
    _write_new(pub, public_pem, 0o644, force)
    return out, pub


def _read(path: Path) -> bytes:
    return read_input(path, display_path(path), KEY_UNREADABLE, "key file",
                      "create one with `tamapy attest keygen KEY`", limit=KEY_LIMIT)


def _supported(key: object, path: Path) -> None:
    if isinstance(key, ec.EllipticCurvePrivateKey | ec.EllipticCurvePublicKey) and not isinstance(
        key.curve, ec.SECP256R1
    ):
        raise error(display_path(path), 0, 0, BAD_KEY, f"ECDSA key on curve {key.curve.name}; only P-256 is supported",
                    "generate one with `tamapy attest keygen --algorithm ecdsa-p256`")


def load_signing_key(path: Path) -> SigningKey:
    """The private key in PEM file ``path`` (PKCS#8 or traditional, unencrypted)."""
    data = _read(path)
    where = display_path(path)
    if b"PUBLIC KEY-----" in data and b"PRIVATE KEY-----" not in data:
        raise error(where, 0, 0, BAD_KEY, "this is a public key; signing needs the private key",
                    f"pass the private key (the file without .pub), e.g. {path.name.removesuffix('.pub')}")
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except TypeError:
        raise error(where, 0, 0, BAD_KEY, "the private key is encrypted; tamapy reads unencrypted keys only",
                    "keep the key in a protected location with mode 0600 instead") from None
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise error(where, 0, 0, BAD_KEY, f"not a PEM private key: {str(exc).splitlines()[0] if str(exc) else 'unreadable'}",
                    "create one with `tamapy attest keygen KEY`") from None
    _supported(key, path)
    if not isinstance(key, ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey):
        raise error(where, 0, 0, BAD_KEY, f"unsupported key type {type(key).__name__}",
                    "use an Ed25519 or ECDSA P-256 key")
    return SigningKey(key, _algorithm_of(key))


def load_verifying_key(path: Path) -> VerifyingKey:
    """The public key in PEM file ``path`` (SubjectPublicKeyInfo)."""
    data = _read(path)
    where = display_path(path)
    if b"PRIVATE KEY-----" in data:
        raise error(where, 0, 0, BAD_KEY, "this is a private key; verification takes the public key",
                    f"pass {public_path(path).name} instead and keep the private key to yourself")
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise error(where, 0, 0, BAD_KEY, f"not a PEM public key: {str(exc).splitlines()[0] if str(exc) else 'unreadable'}",
                    "pass the KEY.pub file written by `tamapy attest keygen KEY`") from None
    _supported(key, path)
    if not isinstance(key, ed25519.Ed25519PublicKey | ec.EllipticCurvePublicKey):
        raise error(where, 0, 0, BAD_KEY, f"unsupported key type {type(key).__name__}",
                    "use an Ed25519 or ECDSA P-256 key")
    return VerifyingKey(key, _algorithm_of(key))
