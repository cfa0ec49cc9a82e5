"""Fuzz target: `tamapy attest verify` on mutants of a real signed envelope.

The property: whatever the bytes, the command ends cleanly (status 0, 1 or 2, every
error located and hinted), and only the unmutated envelope verifies -- no byte flip,
insertion, deletion, JSON re-spelling, base64 variant, signature-list edit or
signature twin gives a second envelope that attests the same build.

The keys are derived from fixed seeds, so the envelopes (Ed25519 deterministic, ECDSA
P-256 with RFC 6979 nonces and low S) are the same in every run and kept regressions
replay against the very envelopes they were mutated from.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)
from hypothesis import given
from hypothesis import strategies as st

from tamapy.attest import ECDSA_P256, ED25519, SigningKey, sign_statement, write_images
from tamapy.attest.keys import P256_ORDER
from tamapy.build import build

from ..attest.conftest import BOARD, copy_project
from .support import fuzz_settings, keep, problems, regressions, run_cli

ED25519_ORDER = 2**252 + 27742317777372353535851937790883648493
TIME_BOUND = 5.0
Doc = dict[str, Any]


@dataclass(frozen=True)
class Original:
    """One signed envelope and the public key that verifies it."""

    data: bytes
    public: Path


@dataclass(frozen=True)
class Target:
    out: Path
    """The build's output directory: the images, and where each mutant is written."""
    originals: tuple[Original, Original]
    """Signed with Ed25519, then ECDSA P-256."""


def fixed_keys() -> tuple[SigningKey, SigningKey]:
    """Ed25519 and ECDSA P-256 keys from fixed seeds: the same envelopes in every run."""
    seed = hashlib.sha256(b"tamapy envelope fuzz").digest()
    scalar = int.from_bytes(hashlib.sha256(seed).digest(), "big") % (P256_ORDER - 1) + 1
    return (SigningKey(ed25519.Ed25519PrivateKey.from_private_bytes(seed), ED25519),
            SigningKey(ec.derive_private_key(scalar, ec.SECP256R1()), ECDSA_P256))


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Target]:
    """The hello app built and signed with both keys; the working directory is its project."""
    base = tmp_path_factory.mktemp("envelope-fuzz")
    project = copy_project(base / "proj")
    app = project / "firmware" / "examples" / "hello"
    out = project / "out"
    result = build(app, BOARD, out)
    write_images(result, out)
    originals = []
    for key in fixed_keys():
        public = base / f"{key.algorithm}.pub"
        public.write_bytes(key.key.public_key().public_bytes(serialization.Encoding.PEM,
                                                             serialization.PublicFormat.SubjectPublicKeyInfo))
        originals.append(Original(sign_statement(result, app, key), public))
    with contextlib.chdir(project):  # `attest verify` finds proofs/ from the working directory
        yield Target(out, (originals[0], originals[1]))


def check(target: Target, original: Original, data: bytes) -> None:
    """The property for one mutant, verified with ``original``'s key; a failing mutant is kept."""
    path = target.out / "mutant.intoto.jsonl"
    path.write_bytes(data)
    outcome = run_cli(["attest", "verify", "--key", str(original.public), "--envelope", str(path)])
    found = problems(outcome, time_bound=TIME_BOUND)
    verified = outcome.status == 0 and "attestation verified" in outcome.stdout
    if data == original.data and not verified:
        found.append(f"the original envelope does not verify: {outcome.stderr[-500:]}")
    if data != original.data and (verified or outcome.status == 0):
        found.append("a mutated envelope verifies")
    if found:
        keep("envelope", data, ".jsonl")
    assert not found, found


# --- JSON-level rewrites: each takes a draw function and the parsed envelope ------------

Draw = Callable[[st.SearchStrategy[Any]], Any]


def dump(doc: object, *, sort: bool = True, separators: tuple[str, str] = (",", ":"), end: str = "\n") -> bytes:
    return (json.dumps(doc, sort_keys=sort, separators=separators) + end).encode()


def reorder_keys(draw: Draw, doc: Doc) -> bytes:
    order = draw(st.permutations(sorted(doc)))
    sig_order = draw(st.permutations(["keyid", "sig"]))
    doc["signatures"] = [{k: s[k] for k in sig_order} for s in doc["signatures"]]
    return dump({k: doc[k] for k in order}, sort=False)


def reformat(draw: Draw, doc: Doc) -> bytes:
    separators = draw(st.sampled_from([(",", ":"), (", ", ": "), (",", ": "), (" ,", ":")]))
    end = draw(st.sampled_from(["\n", "\r\n", "", "\n\n", " \n", "\n "]))
    return dump(doc, separators=separators, end=end)


def _padding_bits(text: str) -> str:
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    stem = text.rstrip("=")
    return stem[:-1] + alphabet[alphabet.index(stem[-1]) | 0b11] + text[len(stem):]


BASE64_VARIANTS: dict[str, Callable[[bytes, str], str]] = {
    "unpadded": lambda raw, text: text.rstrip("="),
    "extra-padding": lambda raw, text: text + "=",
    "urlsafe": lambda raw, text: base64.urlsafe_b64encode(raw).decode(),
    "mime-lines": lambda raw, text: base64.encodebytes(raw).decode(),
    "padding-bits": lambda raw, text: _padding_bits(text),
    "leading-space": lambda raw, text: " " + text,
    "upper-case": lambda raw, text: text.upper(),
}


def rebase64(draw: Draw, doc: Doc) -> bytes:
    variant = BASE64_VARIANTS[draw(st.sampled_from(sorted(BASE64_VARIANTS)))]
    if draw(st.booleans()):
        doc["payload"] = variant(base64.b64decode(doc["payload"]), doc["payload"])
    else:
        sig = doc["signatures"][0]
        sig["sig"] = variant(base64.b64decode(sig["sig"]), sig["sig"])
    return dump(doc)


def twin_signature(sig: bytes) -> bytes:
    """The other valid encoding of ``sig``: ECDSA's (r, n - s), Ed25519's S + L."""
    if len(sig) == 64:
        return sig[:32] + (int.from_bytes(sig[32:], "little") + ED25519_ORDER).to_bytes(32, "little")
    r, s = decode_dss_signature(sig)
    return encode_dss_signature(r, P256_ORDER - s)


def edit_signatures(draw: Draw, doc: Doc) -> bytes:
    sigs: list[Doc] = doc["signatures"]
    first = dict(sigs[0])
    junk = {"keyid": draw(st.text("0123456789abcdef", max_size=64)),
            "sig": base64.b64encode(draw(st.binary(max_size=80))).decode()}
    twin = {**first, "sig": base64.b64encode(twin_signature(base64.b64decode(first["sig"]))).decode()}
    edits: dict[str, Callable[[], object]] = {
        "junk-after": lambda: [first, junk],
        "junk-before": lambda: [junk, first],
        "duplicate": lambda: [first] * draw(st.integers(2, 4)),
        "empty": lambda: [],
        "not-a-list": lambda: first,
        "twin": lambda: [twin],
        "valid-and-twin": lambda: [first, twin],
        "keyid-upper": lambda: [{**first, "keyid": first["keyid"].upper()}],
        "keyid-edit": lambda: [{**first, "keyid": junk["keyid"]}],
        "unknown-field": lambda: [{**first, draw(st.sampled_from(["KeyId", "cert", "extra"])): ""}],
        "null-keyid": lambda: [{**first, "keyid": None}],
    }
    doc["signatures"] = edits[draw(st.sampled_from(sorted(edits)))]()
    return dump(doc)


def edit_fields(draw: Draw, doc: Doc) -> bytes:
    edits: dict[str, Callable[[], object]] = {
        "payload-type-case": lambda: doc.update(payloadType=doc["payloadType"].upper()),
        "payload-type-space": lambda: doc.update(payloadType=doc["payloadType"] + " "),
        "payload-type-other": lambda: doc.update(payloadType="application/json"),
        "unknown-field": lambda: doc.update({draw(st.sampled_from(["payloadtype", "extra", "signature"])): []}),
        "payload-appended": lambda: doc.update(payload=base64.b64encode(
            base64.b64decode(doc["payload"]) + draw(st.sampled_from([b" ", b"\n", b"{}"]))).decode()),
        "payload-reserialised": lambda: doc.update(payload=base64.b64encode(json.dumps(
            json.loads(base64.b64decode(doc["payload"])), indent=1).encode()).decode()),
    }
    edits[draw(st.sampled_from(sorted(edits)))]()
    return dump(doc)


def escape_character(draw: Draw, doc: Doc) -> bytes:
    """One character spelled as a JSON escape (the same document, other bytes)."""
    text = dump(doc).decode()
    at = draw(st.integers(0, len(text) - 2))
    return (text[:at] + f"\\u{ord(text[at]):04x}" + text[at + 1:]).encode()


def lone_surrogate(draw: Draw, doc: Doc) -> bytes:
    """A lone surrogate (JSON can escape one; it is no character) in one of the envelope's strings."""
    field = draw(st.sampled_from(["payloadType", "payload", "keyid", "sig"]))
    holder = doc["signatures"][0] if field in ("keyid", "sig") else doc
    at = draw(st.integers(0, len(holder[field])))
    holder[field] = holder[field][:at] + draw(st.sampled_from(["\ud800", "\udfff"])) + holder[field][at:]
    return dump(doc)


JSON_REWRITES = (reorder_keys, reformat, rebase64, edit_signatures, edit_fields, escape_character,
                 lone_surrogate)


# --- the targets --------------------------------------------------------------------------


@fuzz_settings(700)
@given(st.data())
def test_byte_level_mutants_never_verify(target: Target, data: st.DataObject) -> None:
    original = data.draw(st.sampled_from(target.originals))
    mutant = bytearray(original.data)
    for _ in range(data.draw(st.integers(1, 3))):
        at = data.draw(st.integers(0, len(mutant)))
        kind = data.draw(st.sampled_from(["flip", "insert", "delete"]))
        if kind == "flip" and at < len(mutant):
            mutant[at] ^= data.draw(st.integers(1, 255))
        elif kind == "insert":
            mutant[at:at] = data.draw(st.binary(min_size=1, max_size=8) | st.sampled_from([b" ", b"\n", b"=", b'"']))
        else:
            del mutant[at:at + data.draw(st.integers(1, 16))]
    check(target, original, bytes(mutant))


@fuzz_settings(700)
@given(st.data())
def test_json_level_mutants_never_verify(target: Target, data: st.DataObject) -> None:
    original = data.draw(st.sampled_from(target.originals))
    rewrite = data.draw(st.sampled_from(JSON_REWRITES))
    check(target, original, rewrite(data.draw, json.loads(original.data)))


def test_originals_verify(target: Target) -> None:
    for original in target.originals:
        check(target, original, original.data)


def test_kept_regressions(target: Target) -> None:
    """Every kept failing mutant, replayed against both keys' envelopes."""
    for path in regressions("envelope"):
        for original in target.originals:
            check(target, original, path.read_bytes())
