"""verify_envelope: a valid set passes; any tampering fails with the reason that names it."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tamapy.attest import dsse, keygen, load_signing_key, rebuild, reproduce, verify_envelope
from tamapy.attest.keys import ECDSA_P256
from tamapy.diagnostics import TamapyError

from .conftest import Signed

IMAGES = ("hello.elf", "hello.bin", "hello.imx")


@contextmanager
def flipped(path: Path, offset: int, mask: int) -> Iterator[None]:
    """``path`` with one byte XOR-ed by ``mask`` for the duration of the block."""
    original = path.read_bytes()
    data = bytearray(original)
    data[offset] ^= mask
    path.write_bytes(bytes(data))
    try:
        yield
    finally:
        path.write_bytes(original)


def verify(signed: Signed, envelope: Path | None = None, key: Path | None = None, **kwargs: object) -> list[str]:
    return verify_envelope(key or signed.public, envelope or signed.envelope, project=signed.project, **kwargs)  # type: ignore[arg-type]


def resign(signed: Signed, tmp_path: Path, edit: object) -> Path:
    """A correctly signed envelope whose statement was changed by ``edit(statement_dict)``."""
    envelope = dsse.parse(signed.envelope.read_bytes())
    statement = json.loads(envelope.payload)
    edit(statement)  # type: ignore[operator]
    payload = json.dumps(statement, sort_keys=True, separators=(",", ":")).encode()
    out = tmp_path / "hello.intoto.jsonl"
    out.write_bytes(dsse.serialize(dsse.sign(payload, load_signing_key(signed.private))))
    for name in IMAGES:
        shutil.copy(signed.out / name, tmp_path / name)
    return out


def error_code(action: object) -> str:
    with pytest.raises(TamapyError) as info:
        action()  # type: ignore[operator]
    return f"{info.value.diagnostics[0].code}: {info.value.diagnostics[0].message}"


def test_valid_set_passes(signed: Signed) -> None:
    assert verify(signed) == []


def test_valid_ecdsa_set_passes(signed: Signed) -> None:
    assert verify(signed, signed.ecdsa_envelope, signed.ecdsa_public) == []


def test_artifacts_directory_and_default_project(signed: Signed, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in IMAGES:
        shutil.copy(signed.out / name, tmp_path / name)
    monkeypatch.chdir(signed.project / "firmware")  # the project is found from the working directory
    assert verify_envelope(signed.public, signed.envelope, tmp_path) == []
    (tmp_path / "hello.bin").unlink()
    assert verify_envelope(signed.public, signed.envelope, tmp_path) == [
        f"subject missing: cannot read hello.bin in {tmp_path}: No such file or directory"
    ]


def test_wrong_key_fails(signed: Signed, tmp_path: Path) -> None:
    _, other = keygen(tmp_path / "other")
    (reason,) = verify(signed, key=other)
    assert reason.startswith("wrong key: the envelope is signed by keyid ")
    (reason,) = verify(signed, key=signed.ecdsa_public)
    assert reason.startswith("wrong key:")


def test_keyid_edit_is_caught_even_though_the_signature_verifies(signed: Signed, tmp_path: Path) -> None:
    doc = json.loads(signed.envelope.read_bytes())
    doc["signatures"][0]["keyid"] = "0" * 64
    edited = tmp_path / "e.intoto.jsonl"
    edited.write_bytes((json.dumps(doc, sort_keys=True, separators=(",", ":")) + "\n").encode())
    assert verify(signed, edited, artifacts_dir=signed.out) == [
        "bad signature: the signature verifies with the given key but its keyid is not "
        f"{load_signing_key(signed.private).keyid[:16]}... (keyid edited)"
    ]


def test_reformatted_envelope_is_flagged(signed: Signed, tmp_path: Path) -> None:
    """Whitespace is outside DSSE's signature; tamapy still insists on its canonical bytes."""
    pretty = tmp_path / "p.intoto.jsonl"
    pretty.write_text(json.dumps(json.loads(signed.envelope.read_bytes()), indent=2))
    assert verify(signed, pretty, artifacts_dir=signed.out) == [
        "envelope: the file is not byte-for-byte as tamapy writes it (edited after signing?)"
    ]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_any_flipped_byte_fails_with_the_right_reason(signed: Signed, data: st.DataObject) -> None:
    certificates = sorted((signed.project / "proofs").rglob("*.json"))
    target = data.draw(st.sampled_from([*IMAGES, "envelope", "certificate"]))
    path = {"envelope": signed.envelope, "certificate": None}.get(target, signed.out / target)
    if path is None:
        path = data.draw(st.sampled_from(certificates))
    offset = data.draw(st.integers(0, path.stat().st_size - 1))
    mask = data.draw(st.integers(1, 255))
    with flipped(path, offset, mask):
        try:
            reasons = verify(signed)
        except TamapyError as exc:
            assert target == "envelope", f"{target}: {exc}"  # only a broken envelope is malformed input
            assert exc.diagnostics[0].code == "E724"
            return
    assert reasons, f"flipping byte {offset:#x} of {path.name} went unnoticed"
    assert all("\n" not in r for r in reasons)
    if target in IMAGES:
        assert reasons == [reasons[0]] and reasons[0].startswith(f"subject digest mismatch: {target} has sha256 ")
    elif target == "certificate":
        assert len(reasons) == 1 and reasons[0].startswith("proof certificates: ")
    else:
        assert reasons[-1].startswith(("envelope: ", "bad signature: ", "wrong key: "))
    assert verify(signed) == []


def test_new_certificate_changes_the_digest(signed: Signed) -> None:
    extra = signed.project / "proofs" / "zz_extra.json"
    extra.write_text("{}\n")
    try:
        (reason,) = verify(signed)
        assert reason.startswith(f"proof certificates: {signed.project / 'proofs'} has digest ")
    finally:
        extra.unlink()


@pytest.mark.parametrize(
    ("totals", "verified", "expected"),
    [
        ({"proved": 80, "failed": 2, "unknown": 1}, True, "proof summary: 2 failed and 1 unknown obligation(s) (80 proved)"),
        ({"proved": 80, "failed": 0, "unknown": 3}, True, "proof summary: 0 failed and 3 unknown obligation(s) (80 proved)"),
        ({"proved": 80, "failed": 0, "unknown": 0}, False, "proof summary: the build is marked unverified"),
    ],
)
def test_unproven_summary_fails(signed: Signed, tmp_path: Path, totals: dict[str, int], verified: bool,
                                expected: str) -> None:
    def edit(statement: dict[str, object]) -> None:
        summary = statement["predicate"]["runDetails"]["byproducts"][0]["annotations"]  # type: ignore[index]
        summary["obligations"] = totals
        summary["verified"] = verified

    assert verify(signed, resign(signed, tmp_path, edit)) == [expected]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (b"", "not JSON"),
        (b"{", "not JSON"),
        (b"\xff\xfe", "not UTF-8"),
        (b"[]", "top level must be a JSON object"),
        (b'{"payload":"","payloadType":"x"}', "fields must be exactly payload, payloadType, signatures"),
        (b'{"payload":"!!","payloadType":"x","signatures":[{"keyid":"a","sig":""}]}', "payload is not valid base64"),
        (b'{"payload":"","payloadType":1,"signatures":[{"keyid":"a","sig":""}]}', "payloadType must be a string"),
        (b'{"payload":"","payloadType":"x","signatures":[]}', "signatures must be a non-empty array"),
        (b'{"payload":"","payloadType":"x","signatures":[{"keyid":"a"}]}', "signatures[0] must be an object"),
        (b'{"payload":"","payloadType":"x","signatures":[{"keyid":1,"sig":""}]}', "signatures[0].keyid must be a string"),
        (b'{"payload":"","payloadType":"x","signatures":[{"keyid":"a","sig":5}]}', "signatures[0].sig must be a base64"),
    ],
)
def test_malformed_envelopes_are_tamapy_errors(signed: Signed, tmp_path: Path, text: bytes, words: str) -> None:
    path = tmp_path / "bad.intoto.jsonl"
    path.write_bytes(text)
    message = error_code(lambda: verify(signed, path))
    assert message.startswith("E724: malformed DSSE envelope: ") and words in message


def test_unreadable_inputs_are_tamapy_errors(signed: Signed, tmp_path: Path) -> None:
    assert error_code(lambda: verify(signed, tmp_path / "missing.jsonl")).startswith("E724: cannot read envelope")
    assert error_code(lambda: verify(signed, key=tmp_path / "missing.pub")).startswith("E720:")
    assert error_code(lambda: verify(signed, key=signed.private)).startswith("E721: this is a private key")


def test_signed_garbage_is_a_tamapy_error(signed: Signed, tmp_path: Path) -> None:
    path = tmp_path / "g.intoto.jsonl"
    path.write_bytes(dsse.serialize(dsse.sign(b"not json", load_signing_key(signed.private))))
    assert error_code(lambda: verify(signed, path)).startswith("E725: not a tamapy provenance statement")

    def unsafe(statement: dict[str, list[dict[str, object]]]) -> None:
        statement["subject"][0]["name"] = "../../etc/passwd"

    assert "is not a plain file name" in error_code(lambda: verify(signed, resign(signed, tmp_path, unsafe)))


def test_rebuild_confirms_bit_identical_output(signed: Signed) -> None:
    assert verify(signed, rebuild=True) == []


def test_rebuild_mismatch_names_the_files(signed: Signed, tmp_path: Path) -> None:
    main = signed.app / "main.py"
    original = main.read_text()
    assert "Hello from tamapy" in original
    main.write_text(original.replace("Hello from tamapy", "Hullo from tamapy"))
    try:
        reasons = verify(signed, rebuild=True)
    finally:
        main.write_text(original)
    assert [r.split(" rebuilds")[0] for r in reasons] == [
        "rebuild mismatch: hello.elf", "rebuild mismatch: hello.bin", "rebuild mismatch: hello.imx"
    ]


def test_reproduce_reports_differing_and_missing_files(signed: Signed, tmp_path: Path) -> None:
    assert reproduce(signed.app, "usbarmory-mk2", signed.out) == []
    out = tmp_path / "out"
    out.mkdir()
    shutil.copy(signed.out / "hello.elf", out / "hello.elf")
    data = bytearray((signed.out / "hello.imx").read_bytes())
    data[-1] ^= 1
    (out / "hello.imx").write_bytes(bytes(data))
    assert reproduce(signed.app, "usbarmory-mk2", out) == ["hello.bin", "hello.imx"]


def test_ecdsa_wrong_signature_bytes(signed: Signed, tmp_path: Path) -> None:
    """An ECDSA signature over a different payload, keyid intact: bad signature, not wrong key."""
    key = load_signing_key(signed.ecdsa_private)
    good = dsse.parse(signed.ecdsa_envelope.read_bytes())
    other = dsse.sign(good.payload + b" ", key)
    forged = dsse.Envelope(good.payload_type, good.payload, other.signatures)
    path = tmp_path / "hello.intoto.jsonl"
    path.write_bytes(dsse.serialize(forged))
    assert key.algorithm == ECDSA_P256
    (reason,) = verify(signed, path, signed.ecdsa_public, artifacts_dir=signed.out)
    assert reason.startswith("bad signature: the signature by key ")


def test_rebuild_errors_carry_hints(signed: Signed) -> None:
    with pytest.raises(TamapyError) as info:
        rebuild(signed.app, "usbarmory-mk2", timeout=0.001)
    (diagnostic,) = info.value.diagnostics
    assert diagnostic.code == "E726" and "longer than" in diagnostic.message and diagnostic.hint
