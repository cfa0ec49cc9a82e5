"""Key generation and loading: PEM files, mode 0600, no accidental overwrite, clear errors."""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from tamapy.attest.keys import (
    ECDSA_P256,
    ED25519,
    keygen,
    load_signing_key,
    load_verifying_key,
    public_path,
)
from tamapy.diagnostics import TamapyError


@pytest.fixture
def open_umask() -> Iterator[None]:
    """A umask that would leave new files world-readable: the private key must still be 0600."""
    old = os.umask(0)
    try:
        yield
    finally:
        os.umask(old)


def code(action: object) -> str:
    with pytest.raises(TamapyError) as info:
        action()  # type: ignore[operator]
    diag = info.value.diagnostics[0]
    assert diag.hint
    return f"{diag.code}: {diag.message}"


@pytest.mark.parametrize("algorithm", [ED25519, ECDSA_P256])
def test_keygen_writes_pem_pair_with_private_key_0600(tmp_path: Path, algorithm: str, open_umask: None) -> None:
    private, public = keygen(tmp_path / "sub" / "release.key", algorithm)
    assert public == public_path(private) == tmp_path / "sub" / "release.key.pub"
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    assert stat.S_IMODE(public.stat().st_mode) == 0o644
    assert private.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----\n")
    assert public.read_bytes().startswith(b"-----BEGIN PUBLIC KEY-----\n")
    key = serialization.load_pem_private_key(private.read_bytes(), password=None)
    expected = ed25519.Ed25519PrivateKey if algorithm == ED25519 else ec.EllipticCurvePrivateKey
    assert isinstance(key, expected)
    assert [p.name for p in private.parent.iterdir() if p.name.startswith(".")] == []  # no temporary files left


@pytest.mark.parametrize("algorithm", [ED25519, ECDSA_P256])
def test_loaded_keys_sign_and_verify_with_der_keyid(tmp_path: Path, algorithm: str) -> None:
    private, public = keygen(tmp_path / "k", algorithm)
    signer, verifier = load_signing_key(private), load_verifying_key(public)
    assert signer.algorithm == verifier.algorithm == algorithm
    der = serialization.load_pem_public_key(public.read_bytes()).public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    assert signer.keyid == verifier.keyid == hashlib.sha256(der).hexdigest()
    signature = signer.sign(b"message")
    assert verifier.verify(signature, b"message")
    assert not verifier.verify(signature, b"messagE")
    assert not verifier.verify(signature[:-1] + bytes([signature[-1] ^ 1]), b"message")


def test_ed25519_signatures_are_deterministic(tmp_path: Path) -> None:
    signer = load_signing_key(keygen(tmp_path / "k")[0])
    assert signer.sign(b"same") == signer.sign(b"same")


def test_keygen_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    private, public = keygen(tmp_path / "k")
    before = private.read_bytes(), public.read_bytes()
    message = code(lambda: keygen(tmp_path / "k"))
    assert message.startswith("E722: refusing to overwrite an existing key file")
    assert (private.read_bytes(), public.read_bytes()) == before
    keygen(tmp_path / "k", force=True)
    assert private.read_bytes() != before[0] and public.read_bytes() != before[1]
    assert stat.S_IMODE(private.stat().st_mode) == 0o600


def test_keygen_refuses_when_only_the_public_file_exists(tmp_path: Path) -> None:
    (tmp_path / "k.pub").write_text("someone else's key")
    assert code(lambda: keygen(tmp_path / "k")).startswith("E722")
    assert not (tmp_path / "k").exists()
    assert (tmp_path / "k.pub").read_text() == "someone else's key"


def test_keygen_refuses_a_dangling_symlink(tmp_path: Path) -> None:
    (tmp_path / "k").symlink_to(tmp_path / "elsewhere")
    assert code(lambda: keygen(tmp_path / "k")).startswith("E722")
    assert not (tmp_path / "elsewhere").exists()


def test_unknown_algorithm(tmp_path: Path) -> None:
    assert code(lambda: keygen(tmp_path / "k", "rsa")).startswith("E723: unknown key algorithm 'rsa'")


def _pem(key: object, private: bool = True, password: bytes | None = None) -> bytes:
    if private:
        encryption = (serialization.BestAvailableEncryption(password) if password
                      else serialization.NoEncryption())
        return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)  # type: ignore[attr-defined, no-any-return]
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)  # type: ignore[attr-defined, no-any-return]


def test_loading_errors_are_clear(tmp_path: Path) -> None:
    private, public = keygen(tmp_path / "k")
    garbage = tmp_path / "garbage.pem"
    garbage.write_text("not a key\n")
    encrypted = tmp_path / "enc.key"
    encrypted.write_bytes(_pem(ed25519.Ed25519PrivateKey.generate(), password=b"pw"))
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    (tmp_path / "rsa.key").write_bytes(_pem(rsa_key))
    (tmp_path / "rsa.pub").write_bytes(_pem(rsa_key.public_key(), private=False))
    p384 = ec.generate_private_key(ec.SECP384R1())
    (tmp_path / "p384.key").write_bytes(_pem(p384))
    (tmp_path / "p384.pub").write_bytes(_pem(p384.public_key(), private=False))

    assert code(lambda: load_signing_key(tmp_path / "missing")).startswith("E720: cannot read key file")
    assert code(lambda: load_verifying_key(tmp_path / "missing")).startswith("E720: cannot read key file")
    assert code(lambda: load_signing_key(garbage)).startswith("E721: not a PEM private key")
    assert code(lambda: load_verifying_key(garbage)).startswith("E721: not a PEM public key")
    assert code(lambda: load_signing_key(public)).startswith("E721: this is a public key")
    assert code(lambda: load_verifying_key(private)).startswith("E721: this is a private key")
    assert code(lambda: load_signing_key(encrypted)).startswith("E721: the private key is encrypted")
    assert code(lambda: load_signing_key(tmp_path / "rsa.key")).startswith("E721: unsupported key type")
    assert code(lambda: load_verifying_key(tmp_path / "rsa.pub")).startswith("E721: unsupported key type")
    assert code(lambda: load_signing_key(tmp_path / "p384.key")).startswith("E721: ECDSA key on curve secp384r1")
    assert code(lambda: load_verifying_key(tmp_path / "p384.pub")).startswith("E721: ECDSA key on curve secp384r1")
