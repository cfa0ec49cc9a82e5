"""Shared fixtures: a private project copy with the hello app built, imaged and signed once per session."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from tamapy.attest import keygen, load_signing_key, write_attestation, write_images
from tamapy.attest.keys import ECDSA_P256
from tamapy.build import BuildResult, build

ROOT = Path(__file__).resolve().parents[2]
BOARD = "usbarmory-mk2"


@dataclass(frozen=True)
class Signed:
    """A signed build of the hello app and everything needed to verify it."""

    project: Path
    app: Path
    out: Path
    result: BuildResult
    private: Path
    public: Path
    ecdsa_private: Path
    ecdsa_public: Path
    envelope: Path
    """Signed with the Ed25519 key."""
    ecdsa_envelope: Path
    """The same statement signed with the ECDSA P-256 key (in ``out/ecdsa/``)."""

    @property
    def images(self) -> dict[str, Path]:
        return {p.name: p for p in (self.out / "hello.elf", self.out / "hello.bin", self.out / "hello.imx")}


def copy_project(dst: Path) -> Path:
    for directory in ("firmware", "specs", "proofs"):
        shutil.copytree(ROOT / directory, dst / directory, ignore=shutil.ignore_patterns("__pycache__"))
    return dst


@pytest.fixture(scope="session")
def signed(tmp_path_factory: pytest.TempPathFactory) -> Signed:
    base = tmp_path_factory.mktemp("attest")
    project = copy_project(base / "proj")
    app = project / "firmware" / "examples" / "hello"
    out = project / "out"
    private, public = keygen(base / "keys" / "signing.key")
    ecdsa_private, ecdsa_public = keygen(base / "keys" / "ecdsa.key", ECDSA_P256)
    result = build(app, BOARD, out)
    write_images(result, out)
    envelope = write_attestation(result, app, load_signing_key(private), out)
    ecdsa_envelope = write_attestation(result, app, load_signing_key(ecdsa_private), out / "ecdsa")
    for image in ("hello.elf", "hello.bin", "hello.imx"):
        shutil.copy(out / image, out / "ecdsa" / image)
    return Signed(project, app, out, result, private, public, ecdsa_private, ecdsa_public, envelope, ecdsa_envelope)
