"""With --envelope and --key: a signed build of exactly these images verifies and is shippable;
a tampered image file or an audit of other images is not."""

from __future__ import annotations

from pathlib import Path

import pytest

from tamapy.attest import keygen, load_signing_key, write_attestation
from tamapy.build import build

from .conftest import BOARD, audit_in, copy_project


@pytest.fixture
def signed(tmp_path: Path) -> tuple[Path, Path, Path]:
    """(project, envelope, public key) of a signed build of hello."""
    project = copy_project(tmp_path / "proj")
    private, public = keygen(tmp_path / "keys" / "signing.key")
    app = project / "firmware" / "examples" / "hello"
    out = project / "out"
    envelope = write_attestation(build(app, BOARD, out), app, load_signing_key(private), out)
    return project, envelope, public


def test_a_signed_build_of_these_images_is_shippable(signed: tuple[Path, Path, Path], tmp_path: Path) -> None:
    project, envelope, public = signed
    audit = audit_in(project, "hello", tmp_path / "audit", envelope=envelope, key=public)
    a = audit["inputs"]["attestation"]
    assert (a["verified"], a["subjects_match"], a["reasons"]) == (True, True, [])
    assert a["envelope"] == "out/hello.intoto.jsonl" and len(a["key_id"]) == 64
    assert audit["verdict"]["shippable"] is True and audit["verdict"]["reasons"] == []
    assert audit["verdict"]["summary"].startswith("shippable: ")


def test_a_tampered_image_is_not_shippable(signed: tuple[Path, Path, Path], tmp_path: Path) -> None:
    project, envelope, public = signed
    image = project / "out" / "hello.bin"
    image.write_bytes(image.read_bytes()[:-1] + bytes([image.read_bytes()[-1] ^ 1]))
    audit = audit_in(project, "hello", tmp_path / "audit", envelope=envelope, key=public)
    a = audit["inputs"]["attestation"]
    assert a["verified"] is False and any(r.startswith("subject digest mismatch: hello.bin") for r in a["reasons"])
    assert a["subjects_match"] is True  # the statement still names the images the sources give
    assert audit["verdict"]["shippable"] is False
    assert any(r.startswith("attestation does not verify: subject digest mismatch") for r in audit["verdict"]["reasons"])


def test_an_attestation_of_other_images_does_not_match(signed: tuple[Path, Path, Path], tmp_path: Path) -> None:
    project, envelope, public = signed
    main = project / "firmware" / "examples" / "hello" / "main.py"
    main.write_text(main.read_text().replace("no C inside", "no C in here"))
    audit = audit_in(project, "hello", tmp_path / "audit", envelope=envelope, key=public)
    assert audit["inputs"]["attestation"]["subjects_match"] is False
    assert audit["verdict"]["shippable"] is False
    assert ("attestation does not cover these images (its subjects are not the audited images' digests)"
            in audit["verdict"]["reasons"])
