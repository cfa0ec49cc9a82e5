"""Checking an attestation: is this envelope, signed by this key, true of these files?

:func:`verify_envelope` returns the reasons verification fails, one line
each, and an empty list when it passes; malformed inputs (unreadable key or
envelope, bad JSON, a signed payload that is not a tamapy statement) are
:class:`TamapyError` instead, because they are usage errors rather than
evidence of tampering.  The CLI maps reasons to exit status 1 and errors to 2.

What is checked, in order:

1. the envelope file is byte-for-byte in tamapy's canonical form, and its
   payloadType is in-toto's;
2. the envelope holds exactly one signature, with the key's keyid, in its
   canonical encoding (strict DER and low S for ECDSA), and it verifies over
   the DSSE PAE (if not, the payload is unauthenticated and nothing in it is
   looked at);
3. every subject's SHA-256 matches the file of that name in the artifacts
   directory (default: the envelope's directory);
4. the proof summary has no failed or unknown obligations and marks the build
   verified;
5. the proof certificates under the project's ``proofs/`` have the digest the
   statement recorded;
6. optionally, a rebuild from the statement's app and board in a fresh
   directory produces the subjects' digests.
"""

from __future__ import annotations

from pathlib import Path

from tamapy.attest import dsse
from tamapy.attest.keys import load_verifying_key
from tamapy.attest.statement import BAD_STATEMENT, read_statement, sha256
from tamapy.diagnostics import TamapyError, display_path, error
from tamapy.inputs import read_input
from tamapy.verify import ProofStore


def _short(digest: str) -> str:
    return digest[:16] + "..."


def verify_envelope(
    pub_key_path: Path,
    envelope_path: Path,
    artifacts_dir: Path | None = None,
    rebuild: bool = False,
    *,
    project: Path | None = None,
) -> list[str]:
    """Reasons the attestation fails (empty list: it holds).

    ``project`` is the directory holding ``firmware/``, ``specs/`` and
    ``proofs/``; by default the project around the working directory.
    ``rebuild`` rebuilds the statement's app for its board from that project.
    """
    from tamapy.project import find_project

    key = load_verifying_key(pub_key_path)
    name = display_path(envelope_path)
    data = read_input(envelope_path, name, dsse.MALFORMED_ENVELOPE, "envelope",
                      "pass the .intoto.jsonl file that `tamapy build --sign` wrote", limit=dsse.ENVELOPE_LIMIT)
    envelope = dsse.parse(data, name)
    reasons: list[str] = []
    if not dsse.canonical(envelope, data):
        reasons.append("envelope: the file is not byte-for-byte as tamapy writes it (edited after signing?)")
    if envelope.payload_type != dsse.PAYLOAD_TYPE:
        reasons.append(f"envelope: payloadType is {envelope.payload_type!r}, not {dsse.PAYLOAD_TYPE!r}")
    signature_problems = dsse.check_signatures(envelope, key)
    if signature_problems:
        return reasons + signature_problems
    statement = read_statement(envelope.payload, name)

    directory = artifacts_dir if artifacts_dir is not None else envelope_path.parent
    for file_name, digest in statement.subjects.items():
        try:
            actual = sha256(read_input(directory / file_name, display_path(directory / file_name), BAD_STATEMENT,
                                       f"{file_name} in {display_path(directory)}", "pass --artifacts DIR, the directory holding the images"))
        except TamapyError as exc:  # evidence against the attestation, not a usage error
            reasons.append(f"subject missing: {exc.diagnostics[0].message}")
            continue
        if actual != digest:
            reasons.append(f"subject digest mismatch: {file_name} has sha256 {_short(actual)}, "
                           f"the statement says {_short(digest)}")

    totals = statement.proofs.obligations
    if totals["failed"] or totals["unknown"]:
        reasons.append(f"proof summary: {totals['failed']} failed and {totals['unknown']} unknown obligation(s) "
                       f"({totals['proved']} proved)")
    elif not statement.proofs.verified:
        reasons.append("proof summary: the build is marked unverified")

    root = project if project is not None else find_project(Path.cwd()).root
    current = ProofStore(root).digest()
    if current != statement.proofs.certificates_digest:
        reasons.append(f"proof certificates: {display_path(root / 'proofs')} has digest {_short(current)}, "
                       f"the statement says {_short(statement.proofs.certificates_digest)}")

    if rebuild:
        reasons += _rebuild_reasons(root, statement.app, statement.board, statement.subjects)
    return reasons


def _rebuild_reasons(root: Path, app: str, board: str, subjects: dict[str, str]) -> list[str]:
    from tamapy.attest.reproduce import rebuild

    app_path = (root / app).resolve()
    if not app_path.is_relative_to(root.resolve()):
        raise error(app, 0, 0, BAD_STATEMENT, "the statement's app path leaves the project",
                    "externalParameters.app must be relative to the project root")
    rebuilt = rebuild(app_path, board)
    reasons = [
        f"rebuild mismatch: {file_name} rebuilds to sha256 {_short(sha256(data))}, "
        f"the statement says {_short(subjects[file_name])}"
        for file_name, data in rebuilt.items()
        if file_name in subjects and sha256(data) != subjects[file_name]
    ]
    reasons += [f"rebuild mismatch: the rebuild produces no {file_name}" for file_name in subjects if file_name not in rebuilt]
    return reasons
