"""The in-toto Statement (v1) with a SLSA provenance (v1) predicate for one build.

What a consumer of an image needs to decide whether to trust it, in the
standard shape their tools already read:

* ``subject``: the ELF, the raw binary and the boot image, each by name and
  SHA-256;
* ``predicate.buildDefinition``: ``buildType`` (a tamapy URI), the
  ``externalParameters`` a rebuild needs (``app`` as a path relative to the
  project root, ``board``), and ``resolvedDependencies``: every firmware and
  spec file that went into the program (project-relative path + SHA-256) and
  the toolchain (tamapy, llvmlite, LLVM, z3) as package URLs;
* ``predicate.runDetails``: the builder id and tamapy version, and one
  byproduct named ``tamapy-proof-summary`` that carries the proof summary:
  obligation totals by status (including the two stack bounds), whether the
  build counts as verified, the number of certificates under ``proofs/`` and
  their digest (:meth:`tamapy.verify.store.ProofStore.digest`) as ``digest.sha256``.

There are deliberately no timestamps, host names, absolute paths or
invocation ids: the statement is a pure function of the inputs, so two
builds of the same sources give byte-identical statements (and, with Ed25519,
byte-identical envelopes).  Serialisation is JSON with sorted keys and no
spaces.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tamapy import __version__
from tamapy.build import BuildResult
from tamapy.diagnostics import TamapyError, display_path, error
from tamapy.inputs import read_input
from tamapy.verify import ProofStore
from tamapy.verify.store import FORMAT as PROOF_FORMAT

STATEMENT_TYPE = "https://in-toto.io/Statement/v1"
PREDICATE_TYPE = "https://slsa.dev/provenance/v1"
BUILD_TYPE = "https://tamapy.dev/attestation/build/v1"
BUILDER_ID = "https://tamapy.dev/attestation/builder/local/v1"
PROOF_SUMMARY = "tamapy-proof-summary"
"""Name of the ``runDetails.byproducts`` entry that holds the proof summary."""
BAD_STATEMENT = "E725"  # payload (signed) is not a tamapy provenance statement
STATUSES = ("proved", "failed", "unknown")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def toolchain() -> list[dict[str, Any]]:
    """The tools whose versions decide the output bytes, as package-URL dependencies."""
    import llvmlite.binding as llvm

    llvm_version = ".".join(str(part) for part in llvm.llvm_version_info)
    return [
        {"name": "tamapy", "uri": f"pkg:pypi/tamapy@{__version__}"},
        {"name": "llvmlite", "uri": f"pkg:pypi/llvmlite@{importlib.metadata.version('llvmlite')}"},
        {"name": "LLVM", "uri": f"pkg:generic/llvm@{llvm_version}"},
        {"name": "z3", "uri": f"pkg:pypi/z3-solver@{importlib.metadata.version('z3-solver')}"},
    ]


def _relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        raise error(str(path), 0, 0, BAD_STATEMENT, "build input lies outside the project root",
                    f"keep firmware and specs under {root}") from None


def _dependency(path: Path, root: Path) -> dict[str, Any]:
    """One build input as a resolved dependency: project-relative name and SHA-256."""
    data = read_input(path, display_path(path), BAD_STATEMENT, "build input",
                      "build again: the file changed after it was compiled")
    return {"name": _relative(path, root), "digest": {"sha256": sha256(data)}}


def obligation_totals(result: BuildResult) -> dict[str, int]:
    """Totals by status of every obligation of the build, the two stack bounds included."""
    totals = dict.fromkeys(STATUSES, 0)
    obligations = [*(result.report.obligations if result.report else ()), *result.stack]
    for o in obligations:
        totals[o.status.value] = totals.get(o.status.value, 0) + 1
    return totals


def make_statement(result: BuildResult, app: Path, project_root: Path) -> dict[str, Any]:
    """The provenance statement for the images of ``result``, built from ``app``.

    ``project_root`` is the directory holding ``firmware/``, ``specs/`` and
    ``proofs/``; every path in the statement is relative to it.
    """
    store = ProofStore(project_root)
    dependencies = [_dependency(Path(p), project_root) for p in result.program.sources]
    dependencies.sort(key=lambda d: str(d["name"]))
    summary = {
        "name": PROOF_SUMMARY,
        "digest": {"sha256": store.digest()},
        "annotations": {
            "format": PROOF_FORMAT,
            "certificates": len(store.files()),
            "obligations": obligation_totals(result),
            "verified": result.verified,
        },
    }
    return {
        "_type": STATEMENT_TYPE,
        "subject": [{"name": name, "digest": {"sha256": sha256(data)}} for name, data in result.images.items()],
        "predicateType": PREDICATE_TYPE,
        "predicate": {
            "buildDefinition": {
                "buildType": BUILD_TYPE,
                "externalParameters": {"app": _relative(app, project_root), "board": result.program.board.name},
                "resolvedDependencies": dependencies + toolchain(),
            },
            "runDetails": {
                "builder": {"id": BUILDER_ID, "version": {"tamapy": __version__}},
                "byproducts": [summary],
            },
        },
    }


def serialize(statement: Mapping[str, Any]) -> bytes:
    """Deterministic JSON bytes: sorted keys, no insignificant whitespace, ASCII only."""
    return json.dumps(statement, sort_keys=True, separators=(",", ":")).encode("ascii")


# --- reading a statement back (for verification) ---------------------------


@dataclass(frozen=True)
class ProofSummary:
    obligations: dict[str, int]
    verified: bool
    certificates_digest: str


@dataclass(frozen=True)
class Provenance:
    """The parts of a tamapy statement that verification checks."""

    subjects: dict[str, str]
    """file name -> sha256 hex"""
    app: str
    board: str
    proofs: ProofSummary


def _bad(name: str, message: str) -> TamapyError:
    return error(name, 0, 0, BAD_STATEMENT, f"not a tamapy provenance statement: {message}",
                 "the envelope is signed but its payload was not written by `tamapy build --sign`")


def _get(obj: object, key: str, kind: type, name: str, where: str) -> Any:
    if not isinstance(obj, dict) or not isinstance(obj.get(key), kind) or isinstance(obj.get(key), bool) != (kind is bool):
        raise _bad(name, f"{where}.{key} is missing or not {kind.__name__}")
    return obj[key]


def read_statement(payload: bytes, name: str = "<statement>") -> Provenance:
    """Parse a (signature-checked) payload; TamapyError E725 if it is not a tamapy statement."""
    try:
        doc = json.loads(payload.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise _bad(name, "the payload is not JSON") from None
    if _get(doc, "_type", str, name, "statement") != STATEMENT_TYPE:
        raise _bad(name, f"_type is not {STATEMENT_TYPE}")
    if _get(doc, "predicateType", str, name, "statement") != PREDICATE_TYPE:
        raise _bad(name, f"predicateType is not {PREDICATE_TYPE}")
    subjects: dict[str, str] = {}
    for i, s in enumerate(_get(doc, "subject", list, name, "statement")):
        digest = _get(s, "digest", dict, name, f"subject[{i}]")
        file_name = _get(s, "name", str, name, f"subject[{i}]")
        if file_name in ("", ".", "..") or "/" in file_name or "\\" in file_name:
            raise _bad(name, f"subject[{i}].name {file_name!r} is not a plain file name")
        subjects[file_name] = _get(digest, "sha256", str, name, f"subject[{i}].digest")
    predicate = _get(doc, "predicate", dict, name, "statement")
    build = _get(predicate, "buildDefinition", dict, name, "predicate")
    if _get(build, "buildType", str, name, "buildDefinition") != BUILD_TYPE:
        raise _bad(name, f"buildType is not {BUILD_TYPE}")
    params = _get(build, "externalParameters", dict, name, "buildDefinition")
    run = _get(predicate, "runDetails", dict, name, "predicate")
    found = [b for b in _get(run, "byproducts", list, name, "runDetails") if isinstance(b, dict) and b.get("name") == PROOF_SUMMARY]
    if len(found) != 1:
        raise _bad(name, f"runDetails.byproducts must hold exactly one {PROOF_SUMMARY!r}")
    annotations = _get(found[0], "annotations", dict, name, PROOF_SUMMARY)
    totals = _get(annotations, "obligations", dict, name, f"{PROOF_SUMMARY}.annotations")
    counts = {status: _get(totals, status, int, name, f"{PROOF_SUMMARY}.annotations.obligations") for status in STATUSES}
    summary = ProofSummary(
        counts,
        _get(annotations, "verified", bool, name, f"{PROOF_SUMMARY}.annotations"),
        _get(_get(found[0], "digest", dict, name, PROOF_SUMMARY), "sha256", str, name, f"{PROOF_SUMMARY}.digest"),
    )
    return Provenance(
        subjects,
        _get(params, "app", str, name, "externalParameters"),
        _get(params, "board", str, name, "externalParameters"),
        summary,
    )
