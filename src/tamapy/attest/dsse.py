"""DSSE envelopes (Dead Simple Signing Envelope, v1): sign, serialise, parse, check.

DSSE signs ``PAE(payloadType, payload)`` -- never the JSON around it -- so
the payload bytes are exactly what was signed and no JSON canonicalisation
is involved in the signature.  tamapy nevertheless writes its envelopes in
one canonical form (keys sorted, no spaces, standard padded base64, one line
plus a newline) and :func:`canonical` lets a verifier insist on it: the
envelope is then as byte-reproducible as the images it describes, and no
byte of the file, authenticated or not, can change unnoticed.

Each signature's ``keyid`` is the SHA-256 of the signer's public key (DER);
see :mod:`tamapy.attest.keys`.  tamapy writes exactly one signature and
:func:`check_signatures` accepts exactly that: one entry, that keyid, the
signature in its canonical encoding.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass

from tamapy.attest.keys import SigningKey, VerifyingKey
from tamapy.diagnostics import TamapyError, error

PAYLOAD_TYPE = "application/vnd.in-toto+json"
MALFORMED_ENVELOPE = "E724"  # not JSON, wrong shape, bad base64
ENVELOPE_LIMIT = 16 << 20
"""The largest envelope file read (16 MiB): tamapy's are a few tens of kilobytes."""


@dataclass(frozen=True)
class Signature:
    keyid: str
    sig: bytes


@dataclass(frozen=True)
class Envelope:
    payload_type: str
    payload: bytes
    signatures: tuple[Signature, ...]


def pae(payload_type: str, payload: bytes) -> bytes:
    """The DSSE v1 Pre-Authentication Encoding: what is actually signed.

    ``"DSSEv1" SP LEN(type) SP type SP LEN(body) SP body`` with lengths as
    ASCII decimal byte counts, which binds the type to the payload without
    any parsing ambiguity.
    """
    t = payload_type.encode("utf-8")
    return b"DSSEv1 %d %b %d %b" % (len(t), t, len(payload), payload)


def sign(payload: bytes, key: SigningKey, payload_type: str = PAYLOAD_TYPE) -> Envelope:
    """An envelope over ``payload`` with one signature by ``key``."""
    return Envelope(payload_type, payload, (Signature(key.keyid, key.sign(pae(payload_type, payload))),))


def to_json(envelope: Envelope) -> dict[str, object]:
    return {
        "payload": base64.b64encode(envelope.payload).decode("ascii"),
        "payloadType": envelope.payload_type,
        "signatures": [
            {"keyid": s.keyid, "sig": base64.b64encode(s.sig).decode("ascii")} for s in envelope.signatures
        ],
    }


def serialize(envelope: Envelope) -> bytes:
    """The canonical file form: one JSON line (sorted keys, no spaces) and a newline.

    One line makes the file a valid single-entry ``.intoto.jsonl`` bundle too.
    """
    return (json.dumps(to_json(envelope), sort_keys=True, separators=(",", ":")) + "\n").encode("ascii")


def _b64(text: object, what: str, name: str) -> bytes:
    if not isinstance(text, str):
        raise _malformed(name, f"{what} must be a base64 string")
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise _malformed(name, f"{what} is not valid base64") from None


def _string(value: object, what: str, name: str) -> str:
    """``value`` as a string of Unicode characters: JSON's ``\\ud800`` escapes can spell lone surrogates."""
    if not isinstance(value, str):
        raise _malformed(name, f"{what} must be a string")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise _malformed(name, f"{what} holds a lone surrogate escape, which is not a character") from None
    return value


def _malformed(name: str, message: str) -> TamapyError:
    return error(name, 0, 0, MALFORMED_ENVELOPE, f"malformed DSSE envelope: {message}",
                 "pass the .intoto.jsonl file that `tamapy build --sign` wrote")


def parse(data: bytes, name: str = "<envelope>") -> Envelope:
    """Parse an envelope file: a single DSSE JSON object, optionally followed by a newline.

    Anything else -- invalid UTF-8 or JSON, missing or extra fields, wrong
    types, bad base64, no signatures -- is a TamapyError (E724).
    """
    try:
        doc = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise _malformed(name, "not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise _malformed(name, f"not JSON ({exc.msg} at line {exc.lineno} column {exc.colno})") from None
    if not isinstance(doc, dict):
        raise _malformed(name, "the top level must be a JSON object")
    if set(doc) != {"payload", "payloadType", "signatures"}:
        raise _malformed(name, "fields must be exactly payload, payloadType, signatures; found "
                         + (", ".join(sorted(doc)) or "none"))
    payload_type = _string(doc["payloadType"], "payloadType", name)
    payload = _b64(doc["payload"], "payload", name)
    sigs = doc["signatures"]
    if not isinstance(sigs, list) or not sigs:
        raise _malformed(name, "signatures must be a non-empty array")
    signatures: list[Signature] = []
    for i, s in enumerate(sigs):
        if not isinstance(s, dict) or set(s) != {"keyid", "sig"}:
            raise _malformed(name, f"signatures[{i}] must be an object with exactly keyid and sig")
        keyid = _string(s["keyid"], f"signatures[{i}].keyid", name)
        signatures.append(Signature(keyid, _b64(s["sig"], f"signatures[{i}].sig", name)))
    return Envelope(payload_type, payload, tuple(signatures))


def canonical(envelope: Envelope, data: bytes) -> bool:
    """True when ``data`` is exactly the canonical serialisation of ``envelope``."""
    return serialize(envelope) == data


def check_signatures(envelope: Envelope, key: VerifyingKey) -> list[str]:
    """Reasons the envelope's signatures are not exactly what tamapy writes for ``key`` (empty when they are).

    Accepted: one signature entry, no more, whose keyid names ``key``, whose
    bytes are in the key's canonical encoding and which verifies over the PAE.
    Anything else is refused rather than ignored, because each extra entry,
    keyid spelling or signature encoding would be a second envelope attesting
    the same statement under the same key.
    """
    count = len(envelope.signatures)
    if count != 1:
        duplicates = count - len(set(envelope.signatures))
        return [f"bad signature: the envelope holds {count} signature entries"
                + (f" ({duplicates} duplicated)" if duplicates else "")
                + "; tamapy writes exactly one, so the others were added after signing"]
    (only,) = envelope.signatures
    message = pae(envelope.payload_type, envelope.payload)
    if only.keyid != key.keyid:
        if key.verify(only.sig, message):
            return [f"bad signature: the signature verifies with the given key but its keyid "
                    f"is not {key.keyid[:16]}... (keyid edited)"]
        return [f"wrong key: the envelope is signed by keyid {only.keyid[:16]}..., "
                f"not by the given key {key.keyid[:16]}..."]
    problem = key.noncanonical(only.sig)
    if problem is not None:
        return [f"bad signature: {problem}, not the one encoding tamapy writes (re-encoded after signing?)"]
    if not key.verify(only.sig, message):
        return [f"bad signature: the signature by key {key.keyid[:16]}... does not match the payload"]
    return []
