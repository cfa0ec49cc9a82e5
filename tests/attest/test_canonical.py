"""One envelope per statement and key: every re-encoding of a valid envelope is refused.

A signature scheme with two valid encodings of one signature (ECDSA's ``(r, s)`` and
``(r, n - s)``, padded DER, an extra or duplicated signature entry, base64 spelled
another way) would give two distinct envelope files attesting the same statement.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

import tamapy
from tamapy.attest import dsse, load_verifying_key
from tamapy.attest.keys import ECDSA_P256, P256_ORDER, generate_key
from tamapy.diagnostics import TamapyError

from .conftest import Signed
from .test_verify import verify

ED25519_ORDER = 2**252 + 27742317777372353535851937790883648493
CANONICAL = "envelope: the file is not byte-for-byte as tamapy writes it (edited after signing?)"


def rewritten(signed: Signed, tmp_path: Path, envelope: Path, *signatures: dsse.Signature) -> Path:
    """``envelope`` re-serialised canonically with ``signatures`` in place of its own."""
    good = dsse.parse(envelope.read_bytes())
    path = tmp_path / "hello.intoto.jsonl"
    path.write_bytes(dsse.serialize(dsse.Envelope(good.payload_type, good.payload, signatures)))
    return path


def ecdsa_signature(signed: Signed) -> tuple[dsse.Signature, int, int]:
    (sig,) = dsse.parse(signed.ecdsa_envelope.read_bytes()).signatures
    r, s = decode_dss_signature(sig.sig)
    return sig, r, s


def der_integer(value: int, pad: bytes = b"") -> bytes:
    body = pad + value.to_bytes(value.bit_length() // 8 + 1, "big")
    return b"\x02" + bytes([len(body)]) + body


def test_high_s_rewrite_is_refused(signed: Signed, tmp_path: Path) -> None:
    sig, r, s = ecdsa_signature(signed)
    assert s <= P256_ORDER // 2  # tamapy signed with low S
    high = encode_dss_signature(r, P256_ORDER - s)
    message = dsse.pae(dsse.PAYLOAD_TYPE, dsse.parse(signed.ecdsa_envelope.read_bytes()).payload)
    load_verifying_key(signed.ecdsa_public).key.verify(high, message, ec.ECDSA(hashes.SHA256()))  # a valid twin
    path = rewritten(signed, tmp_path, signed.ecdsa_envelope, dsse.Signature(sig.keyid, high))
    assert verify(signed, path, signed.ecdsa_public, artifacts_dir=signed.out) == [
        "bad signature: the ECDSA signature has a high S value (s > n/2; tamapy signs with low S), "
        "not the one encoding tamapy writes (re-encoded after signing?)"
    ]


def der_sequence(body: bytes, long_form: bool = False) -> bytes:
    return (b"\x30\x81" if long_form else b"\x30") + bytes([len(body)]) + body


@pytest.mark.parametrize(
    "edit",
    [
        lambda r, s: der_sequence(der_integer(r, b"\x00") + der_integer(s)),
        lambda r, s: der_sequence(der_integer(r) + der_integer(s, b"\x00")),
        lambda r, s: der_sequence(der_integer(r) + der_integer(s), long_form=True),
        lambda r, s: der_sequence(der_integer(r) + der_integer(s)) + b"\x00",
    ],
    ids=["leading-zero-on-r", "leading-zero-on-s", "long-form-length", "trailing-byte"],
)
def test_non_strict_der_is_refused(signed: Signed, tmp_path: Path, edit: object) -> None:
    sig, r, s = ecdsa_signature(signed)
    assert der_sequence(der_integer(r) + der_integer(s)) == sig.sig  # the helpers write strict DER
    loose: bytes = edit(r, s)  # type: ignore[operator]
    path = rewritten(signed, tmp_path, signed.ecdsa_envelope, dsse.Signature(sig.keyid, loose))
    assert verify(signed, path, signed.ecdsa_public, artifacts_dir=signed.out) == [
        "bad signature: the ECDSA signature is not strict DER, not the one encoding tamapy writes "
        "(re-encoded after signing?)"
    ]


@pytest.mark.parametrize("which", ["ed25519", "ecdsa-p256"])
def test_junk_second_signature_is_refused(signed: Signed, tmp_path: Path, which: str) -> None:
    envelope, public = (signed.envelope, signed.public) if which == "ed25519" else (signed.ecdsa_envelope,
                                                                                      signed.ecdsa_public)
    (sig,) = dsse.parse(envelope.read_bytes()).signatures
    path = rewritten(signed, tmp_path, envelope, sig, dsse.Signature("junk", b"junk"))
    assert verify(signed, path, public, artifacts_dir=signed.out) == [
        "bad signature: the envelope holds 2 signature entries; tamapy writes exactly one, "
        "so the others were added after signing"
    ]
    path = rewritten(signed, tmp_path, envelope, dsse.Signature("junk", b"junk"), sig)  # order does not matter
    assert verify(signed, path, public, artifacts_dir=signed.out)[0].startswith("bad signature: the envelope holds 2")


def test_duplicate_of_the_valid_signature_is_refused(signed: Signed, tmp_path: Path) -> None:
    (sig,) = dsse.parse(signed.envelope.read_bytes()).signatures
    path = rewritten(signed, tmp_path, signed.envelope, sig, sig, sig)
    assert verify(signed, path, artifacts_dir=signed.out) == [
        "bad signature: the envelope holds 3 signature entries (2 duplicated); tamapy writes exactly one, "
        "so the others were added after signing"
    ]


def test_ed25519_s_plus_order_is_refused(signed: Signed, tmp_path: Path) -> None:
    """Ed25519's twin (S + L) is refused by the verification itself (RFC 8032 S < L)."""
    (sig,) = dsse.parse(signed.envelope.read_bytes()).signatures
    big_s = int.from_bytes(sig.sig[32:], "little") + ED25519_ORDER
    twin = sig.sig[:32] + big_s.to_bytes(32, "little")
    path = rewritten(signed, tmp_path, signed.envelope, dsse.Signature(sig.keyid, twin))
    (reason,) = verify(signed, path, artifacts_dir=signed.out)
    assert reason.startswith("bad signature: the signature by key ")


def test_signer_emits_low_s_and_is_deterministic() -> None:
    keys = [generate_key(ECDSA_P256) for _ in range(4)]
    for i in range(200):
        key = keys[i % len(keys)]
        message = b"message %d" % i
        signature = key.sign(message)
        r, s = decode_dss_signature(signature)
        assert s <= P256_ORDER // 2, f"signing {i} gave high S"
        assert encode_dss_signature(r, s) == signature
        assert key.public.verify(signature, message)
    assert keys[0].sign(b"same") == keys[0].sign(b"same")


def envelope_text(signed: Signed) -> str:
    return signed.envelope.read_text()


def payload_b64(text: str) -> str:
    return str(json.loads(text)["payload"])


def sig_b64(text: str) -> str:
    return str(json.loads(text)["signatures"][0]["sig"])


def other_padding_bits(b64: str) -> str:
    """The same bytes with the unused low bits of the last base64 digit set (a 64-byte signature has 4)."""
    assert b64.endswith("==")
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    last = alphabet.index(b64[-3])
    changed = b64[:-3] + alphabet[last | 0b1111] + "=="
    assert changed != b64 and base64.b64decode(changed) == base64.b64decode(b64)
    return changed


REWRITES: dict[str, tuple[object, str]] = {
    # name: (text -> text, the outcome: a reason's start or "E724")
    "keyid-upper-case": (lambda t: t.replace(json.loads(t)["signatures"][0]["keyid"],
                                             json.loads(t)["signatures"][0]["keyid"].upper()),
                         "bad signature: the signature verifies with the given key but its keyid"),
    "payload-type-case": (lambda t: t.replace("vnd.in-toto+json", "vnd.in-toto+JSON"), "envelope: payloadType"),
    "payload-type-escaped": (lambda t: t.replace('"application/', '"\\u0061pplication/'), CANONICAL),
    "slash-escaped": (lambda t: t.replace('"application/', '"application\\/'), CANONICAL),
    "sig-padding-bits": (lambda t: t.replace(sig_b64(t), other_padding_bits(sig_b64(t))), CANONICAL),
    "sig-unpadded": (lambda t: t.replace(sig_b64(t), sig_b64(t).rstrip("=")), "E724"),
    "payload-newlines": (lambda t: t.replace(payload_b64(t), "\\n".join(payload_b64(t)[i:i + 76]
                                                                         for i in range(0, len(payload_b64(t)), 76))),
                         "E724"),
    "duplicate-key": (lambda t: t.replace('{"payload":', '{"payloadType":"x","payload":', 1), CANONICAL),
    "reordered-keys": (lambda t: json.dumps(dict(reversed(json.loads(t).items())), separators=(",", ":")) + "\n",
                       CANONICAL),
    "crlf": (lambda t: t.replace("\n", "\r\n"), CANONICAL),
    "no-final-newline": (lambda t: t.rstrip("\n"), CANONICAL),
    "payload-type-lone-surrogate": (lambda t: t.replace('"application/', '"\\ud800application/'), "E724"),
    "keyid-lone-surrogate": (lambda t: t.replace('"keyid":"', '"keyid":"\\udfff'), "E724"),
    "unknown-envelope-field": (lambda t: t.replace('{"payload":', '{"extra":1,"payload":', 1), "E724"),
    "unknown-signature-field": (lambda t: t.replace('[{"keyid":', '[{"extra":1,"keyid":', 1), "E724"),
}


@pytest.mark.parametrize("name", sorted(REWRITES))
def test_rewritten_envelope_never_verifies(signed: Signed, tmp_path: Path, name: str) -> None:
    rewrite, outcome = REWRITES[name]
    text = envelope_text(signed)
    edited: str = rewrite(text)  # type: ignore[operator]
    assert edited != text, "the rewrite changed nothing"
    path = tmp_path / "hello.intoto.jsonl"
    path.write_text(edited, newline="")
    if outcome == "E724":
        with pytest.raises(TamapyError) as info:
            verify(signed, path, artifacts_dir=signed.out)
        assert info.value.diagnostics[0].code == "E724" and info.value.diagnostics[0].hint
        return
    reasons = verify(signed, path, artifacts_dir=signed.out)
    assert reasons and any(r.startswith(outcome) for r in reasons), reasons


def test_urlsafe_base64_is_refused(signed: Signed) -> None:
    """The urlsafe alphabet spells the same bytes differently (a random signature has ``+`` or ``/``
    only most of the time, so the case is built on fixed bytes)."""
    doc = json.loads(envelope_text(signed))
    for spelling, parses in (("+/8=", True), ("-_8=", False)):
        doc["signatures"][0]["sig"] = spelling
        data = (json.dumps(doc, sort_keys=True, separators=(",", ":")) + "\n").encode()
        if parses:
            assert dsse.parse(data).signatures[0].sig == b"\xfb\xff"
            continue
        with pytest.raises(TamapyError) as info:
            dsse.parse(data)
        assert "signatures[0].sig is not valid base64" in info.value.diagnostics[0].message


def cli(signed: Signed, key: Path, envelope: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    """``tamapy attest verify`` in a child process: a hang is a timeout, not a stuck test run."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path(tamapy.__file__).parents[1]),
                                                        os.environ.get("PYTHONPATH", "")])}
    return subprocess.run([sys.executable, "-m", "tamapy", "attest", "verify", "--key", str(key),
                           "--envelope", str(envelope), *extra],
                          cwd=signed.project, env=env, capture_output=True, text=True, timeout=60, check=False)


def test_fifos_are_refused_without_blocking(signed: Signed, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    envelope = cli(signed, signed.public, fifo)
    assert envelope.returncode == 2
    assert envelope.stderr.startswith(f"{fifo}: error[E724]: cannot read envelope: a FIFO (named pipe), not a regular file\n  hint: ")
    key = cli(signed, fifo, signed.envelope)
    assert key.returncode == 2 and f"{fifo}: error[E720]: cannot read key file: a FIFO" in key.stderr
    artifacts = tmp_path / "artifacts"
    artifacts.mkdir()
    for image in ("hello.bin", "hello.imx"):
        (artifacts / image).write_bytes((signed.out / image).read_bytes())
    os.mkfifo(artifacts / "hello.elf")
    subject = cli(signed, signed.public, signed.envelope, "--artifacts", str(artifacts))
    assert subject.returncode == 1
    assert subject.stderr == (f"subject missing: cannot read hello.elf in {artifacts}: a FIFO (named pipe), "
                              "not a regular file\n")
