"""The provenance statement: what it says, and that it and the images are byte-identical across rebuilds."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import llvmlite.binding
import pytest
from cryptography.hazmat.primitives import serialization

from tamapy import __version__
from tamapy.attest import dsse
from tamapy.attest.statement import BUILD_TYPE, BUILDER_ID, PROOF_SUMMARY, read_statement
from tamapy.verify import ProofStore

from .conftest import BOARD, Signed, copy_project

BUILD_AND_SIGN = """
import sys
from pathlib import Path
from tamapy.attest import load_signing_key, write_attestation, write_images
from tamapy.build import build
app, out, key = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
result = build(app, sys.argv[4], out)
write_images(result, out)
write_attestation(result, app, load_signing_key(key), out)
"""


def payload_of(envelope: Path) -> dict[str, Any]:
    doc = json.loads(envelope.read_bytes())
    statement: dict[str, Any] = json.loads(base64.b64decode(doc["payload"]))
    return statement


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_statement_names_the_images_and_their_digests(signed: Signed) -> None:
    statement = payload_of(signed.envelope)
    assert statement["_type"] == "https://in-toto.io/Statement/v1"
    assert statement["predicateType"] == "https://slsa.dev/provenance/v1"
    assert statement["subject"] == [{"name": name, "digest": {"sha256": sha(path)}} for name, path in signed.images.items()]


def test_build_definition_lists_every_input_relative_to_the_project(signed: Signed) -> None:
    build = payload_of(signed.envelope)["predicate"]["buildDefinition"]
    assert build["buildType"] == BUILD_TYPE
    assert build["externalParameters"] == {"app": "firmware/examples/hello", "board": BOARD}
    files = [d for d in build["resolvedDependencies"] if "digest" in d]
    expected = sorted(
        ({"name": Path(p).relative_to(signed.project).as_posix(), "digest": {"sha256": sha(Path(p))}}
         for p in signed.result.program.sources),
        key=lambda d: str(d["name"]),
    )
    assert files == expected
    names = {d["name"] for d in files}
    assert {"firmware/examples/hello/main.py", "specs/boards/usbarmory-mk2.toml", "specs/soc/imx6ul/uart.toml"} <= names
    tools = {d["name"]: d["uri"] for d in build["resolvedDependencies"] if "uri" in d}
    llvm_version = ".".join(map(str, llvmlite.binding.llvm_version_info))
    assert tools["tamapy"] == f"pkg:pypi/tamapy@{__version__}"
    assert tools["llvmlite"].startswith("pkg:pypi/llvmlite@0.")
    assert tools["LLVM"] == f"pkg:generic/llvm@{llvm_version}"
    assert tools["z3"].startswith("pkg:pypi/z3-solver@4.")


def test_run_details_carry_the_proof_summary_and_no_timestamps(signed: Signed) -> None:
    predicate = payload_of(signed.envelope)["predicate"]
    run = predicate["runDetails"]
    assert run["builder"] == {"id": BUILDER_ID, "version": {"tamapy": __version__}}
    assert "metadata" not in run  # startedOn/finishedOn/invocationId would break byte-identical rebuilds
    (summary,) = run["byproducts"]
    report_totals = signed.result.report.totals() if signed.result.report else {}
    assert summary["name"] == PROOF_SUMMARY
    assert summary["digest"] == {"sha256": ProofStore(signed.project).digest()}
    assert summary["annotations"] == {
        "format": "tamapy-proof-3",
        "certificates": len(ProofStore(signed.project).files()),
        "obligations": {"proved": report_totals["proved"] + 2, "failed": 0, "unknown": 0},  # + the two stack bounds
        "verified": True,
    }
    text = dsse.parse(signed.envelope.read_bytes()).payload.decode()
    assert str(signed.project) not in text and "/tmp" not in text


def test_read_statement_round_trips(signed: Signed) -> None:
    provenance = read_statement(dsse.parse(signed.envelope.read_bytes()).payload)
    assert provenance.subjects == {name: sha(path) for name, path in signed.images.items()}
    assert (provenance.app, provenance.board) == ("firmware/examples/hello", BOARD)
    assert provenance.proofs.verified and provenance.proofs.obligations["failed"] == 0


def test_envelope_is_canonical_one_line_json(signed: Signed) -> None:
    data = signed.envelope.read_bytes()
    assert data.endswith(b"}\n") and data.count(b"\n") == 1 and b" " not in data
    doc = json.loads(data)
    assert doc["payloadType"] == "application/vnd.in-toto+json"
    der = serialization.load_pem_public_key(signed.public.read_bytes()).public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    assert [s["keyid"] for s in doc["signatures"]] == [hashlib.sha256(der).hexdigest()]


def test_two_builds_in_different_places_and_time_zones_are_byte_identical(signed: Signed, tmp_path: Path) -> None:
    """Separate checkouts, working directories, TZ and hash seeds; no SOURCE_DATE_EPOCH: same bytes everywhere."""
    outputs = []
    for i, (tz, seed) in enumerate((("UTC0", "1"), ("NPT-5:45", "2"))):
        checkout = copy_project(tmp_path / f"checkout{i}" / ("deeper/" * i))
        env = {**os.environ, "TZ": tz, "PYTHONHASHSEED": seed}
        env.pop("SOURCE_DATE_EPOCH", None)
        subprocess.run(
            [sys.executable, "-c", BUILD_AND_SIGN, "firmware/examples/hello", "out", str(signed.private), BOARD],
            cwd=checkout, env=env, check=True, capture_output=True, timeout=600,
        )
        outputs.append({name: (checkout / "out" / name).read_bytes()
                        for name in ("hello.elf", "hello.bin", "hello.imx", "hello.intoto.jsonl")})
    first, second = outputs
    statements = [json.loads(dsse.parse(o["hello.intoto.jsonl"]).payload) for o in outputs]
    assert statements[0] == statements[1]  # (a readable diff first)
    for name in first:
        assert first[name] == second[name], name
    # ... and identical to the in-process build of the session fixture
    assert statements[0] == payload_of(signed.envelope)
    for name, path in [*signed.images.items(), ("hello.intoto.jsonl", signed.envelope)]:
        assert first[name] == path.read_bytes(), name


@pytest.mark.parametrize("board", ["mcimx6ul-evk"])
def test_other_board_gets_its_own_statement(signed: Signed, board: str, tmp_path: Path) -> None:
    from tamapy.attest import load_signing_key, write_attestation
    from tamapy.build import build

    result = build(signed.app, board, tmp_path)
    envelope = write_attestation(result, signed.app, load_signing_key(signed.private), tmp_path)
    statement = payload_of(envelope)
    assert statement["predicate"]["buildDefinition"]["externalParameters"]["board"] == board
    names = {d["name"] for d in statement["predicate"]["buildDefinition"]["resolvedDependencies"]}
    assert "specs/boards/mcimx6ul-evk.toml" in names and "specs/boards/usbarmory-mk2.toml" not in names
