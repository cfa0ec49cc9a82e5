"""Attested, reproducible builds (DESIGN §8): boot images, signed provenance, verification.

A build's three images -- ``<app>.elf``, the raw ``<app>.bin`` and the i.MX
boot image ``<app>.imx`` -- are pure functions of the sources, specs and
toolchain.  ``tamapy build --sign KEY`` describes them in an in-toto
Statement with a SLSA provenance predicate and a proof summary
(:mod:`.statement`), signed in a DSSE envelope (:mod:`.dsse`) written as
``<app>.intoto.jsonl``.  :func:`verify_envelope` checks signature, image
digests, proof summary and certificates, and optionally rebuilds
(:mod:`.reproduce`) to confirm bit-identical output.

Typical use (what the CLI wires up)::

    key = load_signing_key(Path("release.key"))      # fail fast, before building
    result = build(app, board, out)                  # <app>.elf, <app>.bin, <app>.imx
    write_attestation(result, app, key, out)         # <app>.intoto.jsonl
"""

from __future__ import annotations

from pathlib import Path

from tamapy.attest import dsse
from tamapy.attest.keys import (
    ALGORITHMS,
    ECDSA_P256,
    ED25519,
    SigningKey,
    VerifyingKey,
    keygen,
    load_signing_key,
    load_verifying_key,
    public_path,
)
from tamapy.attest.reproduce import rebuild, reproduce
from tamapy.attest.statement import make_statement
from tamapy.attest.statement import serialize as serialize_statement
from tamapy.attest.verify import verify_envelope
from tamapy.build import BuildResult, app_name, write_images
from tamapy.outputs import write_atomic
from tamapy.project import find_project

__all__ = [
    "ALGORITHMS",
    "ECDSA_P256",
    "ED25519",
    "SigningKey",
    "VerifyingKey",
    "envelope_path",
    "keygen",
    "load_signing_key",
    "load_verifying_key",
    "public_path",
    "rebuild",
    "reproduce",
    "sign_statement",
    "verify_envelope",
    "write_attestation",
    "write_images",
]

ENVELOPE_SUFFIX = ".intoto.jsonl"


def envelope_path(out_dir: Path, name: str) -> Path:
    return out_dir / f"{name}{ENVELOPE_SUFFIX}"


def sign_statement(result: BuildResult, app: Path, key: SigningKey) -> bytes:
    """The serialised, signed envelope for a build of ``app`` (nothing is written)."""
    statement = make_statement(result, app, find_project(app).root)
    return dsse.serialize(dsse.sign(serialize_statement(statement), key))


def write_attestation(result: BuildResult, app: Path, key: SigningKey, out_dir: Path) -> Path:
    """Sign the build's provenance with ``key`` and write ``<app>.intoto.jsonl`` in ``out_dir``."""
    path = envelope_path(out_dir, app_name(app))
    write_atomic(path, sign_statement(result, app, key))
    return path
