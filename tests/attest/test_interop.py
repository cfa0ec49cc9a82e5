"""Independent implementations agree: securesystemslib and in-toto verify our envelopes, in-toto's
attestation schema accepts our statement, and our verifier accepts securesystemslib's signatures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)
from google.protobuf import json_format
from in_toto.models.metadata import Envelope as InTotoEnvelope
from in_toto.models.metadata import Metadata
from in_toto_attestation.predicates.provenance.v1 import provenance_pb2
from in_toto_attestation.v1 import statement_pb2
from in_toto_attestation.v1.resource_descriptor import ResourceDescriptor
from in_toto_attestation.v1.statement import Statement
from securesystemslib.dsse import Envelope as SslibEnvelope
from securesystemslib.exceptions import VerificationError
from securesystemslib.signer import CryptoSigner, SSlibKey

from tamapy.attest import dsse, load_signing_key, load_verifying_key
from tamapy.attest.keys import P256_ORDER

from .conftest import Signed


def sslib_key(public: Path) -> SSlibKey:
    """securesystemslib's view of our public key, under tamapy's keyid (sha256 of the DER)."""
    crypto_key = serialization.load_pem_public_key(public.read_bytes())
    return SSlibKey.from_crypto(crypto_key, keyid=load_verifying_key(public).keyid)


def pairs(signed: Signed) -> list[tuple[Path, Path, Path]]:
    return [(signed.envelope, signed.public, signed.private),
            (signed.ecdsa_envelope, signed.ecdsa_public, signed.ecdsa_private)]


@pytest.mark.parametrize("which", [0, 1], ids=["ed25519", "ecdsa-p256"])
def test_securesystemslib_verifies_our_envelope(signed: Signed, which: int) -> None:
    envelope_path, public, _ = pairs(signed)[which]
    envelope = SslibEnvelope.from_dict(json.loads(envelope_path.read_bytes()))
    key = sslib_key(public)
    assert envelope.payload_type == "application/vnd.in-toto+json"
    assert envelope.pae() == dsse.pae(envelope.payload_type, envelope.payload)
    assert list(envelope.verify([key], 1)) == [key.keyid]
    tampered = SslibEnvelope(envelope.payload + b" ", envelope.payload_type, envelope.signatures)
    with pytest.raises(VerificationError):
        tampered.verify([key], 1)


@pytest.mark.parametrize("which", [0, 1], ids=["ed25519", "ecdsa-p256"])
def test_in_toto_loads_and_verifies_our_envelope(signed: Signed, which: int) -> None:
    envelope_path, public, _ = pairs(signed)[which]
    metadata = Metadata.load(str(envelope_path))
    assert isinstance(metadata, InTotoEnvelope)
    metadata.verify_signature({**sslib_key(public).to_dict(), "keyid": load_verifying_key(public).keyid})


@pytest.mark.parametrize("which", [0, 1], ids=["ed25519", "ecdsa-p256"])
def test_our_verifier_accepts_securesystemslib_signatures(signed: Signed, which: int) -> None:
    """Same PAE on both sides: a signature made by securesystemslib checks out with tamapy."""
    envelope_path, public, private = pairs(signed)[which]
    ours = dsse.parse(envelope_path.read_bytes())
    private_key = serialization.load_pem_private_key(private.read_bytes(), password=None)
    signer = CryptoSigner(private_key, sslib_key(public))
    theirs = SslibEnvelope(ours.payload, ours.payload_type, {})
    theirs.sign(signer)
    parsed = dsse.parse(json.dumps(theirs.to_dict()).encode())
    if which == 1:  # securesystemslib leaves S as OpenSSL drew it; tamapy accepts only its low-S twin
        (theirs_sig,) = parsed.signatures
        r, s = decode_dss_signature(theirs_sig.sig)
        low = dsse.Signature(theirs_sig.keyid, encode_dss_signature(r, min(s, P256_ORDER - s)))
        parsed = dsse.Envelope(parsed.payload_type, parsed.payload, (low,))
    assert dsse.check_signatures(parsed, load_verifying_key(public)) == []
    if which == 0:  # Ed25519 is deterministic: the very same signature bytes
        assert parsed.signatures == ours.signatures


def test_statement_and_provenance_match_the_in_toto_schemas(signed: Signed) -> None:
    payload = dsse.parse(signed.envelope.read_bytes()).payload
    statement_pb = json_format.Parse(payload, statement_pb2.Statement())  # unknown fields would raise
    statement = Statement.copy_from_pb(statement_pb)
    statement.validate()
    assert statement.pb.predicate_type == "https://slsa.dev/provenance/v1"
    assert [s.name for s in statement.pb.subject] == ["hello.elf", "hello.bin", "hello.imx"]
    predicate = json.loads(payload)["predicate"]
    provenance = json_format.ParseDict(predicate, provenance_pb2.Provenance())  # strict: SLSA v1 fields only
    assert provenance.build_definition.build_type.startswith("https://")
    for descriptor in [*provenance.build_definition.resolved_dependencies, *provenance.run_details.byproducts]:
        ResourceDescriptor.copy_from_pb(descriptor).validate()
    assert provenance.run_details.builder.id.startswith("https://")
    (summary,) = provenance.run_details.byproducts
    assert summary.name == "tamapy-proof-summary" and len(summary.digest["sha256"]) == 64


def test_signing_key_loaded_by_us_matches_the_sslib_keyid_we_use(signed: Signed) -> None:
    assert load_signing_key(signed.private).keyid == sslib_key(signed.public).keyid
