"""Section 7, inputs and toolchain: every file the build read with its SHA-256, the tools whose
versions decide the bytes, and, when given, the attestation checked against these images."""

from __future__ import annotations

import hashlib
import importlib.metadata
import platform
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tamapy import __version__
from tamapy.attest import dsse, verify_envelope
from tamapy.attest.keys import load_verifying_key
from tamapy.attest.statement import read_statement
from tamapy.audit.collect import Evidence
from tamapy.audit.tcb import spec_files
from tamapy.diagnostics import display_path
from tamapy.inputs import read_input
from tamapy.verify import ProofStore

UNREADABLE_INPUT = "E620"
"""An input of the audited build changed or vanished while the audit read it."""


def input_files(ev: Evidence) -> dict[str, tuple[str, Path]]:
    """Project-relative path -> (kind, file) for every firmware, spec and certificate file."""
    firmware = ev.project.firmware.resolve()
    files = {ev.relative(s): ("firmware", Path(s)) for s in ev.result.program.sources
             if firmware in Path(s).resolve().parents}
    files |= {ev.relative(str(p)): ("spec", p) for p in spec_files(ev)}
    store = ProofStore(ev.root)
    for module in {f.module for f in ev.result.program.functions}:
        path = store.path_for(module)
        if path.is_file():
            files[ev.relative(str(path))] = ("certificate", path)
    return dict(sorted(files.items()))


def digests(files: Mapping[str, tuple[str, Path]]) -> dict[str, str]:
    return {rel: hashlib.sha256(read_input(path, rel, UNREADABLE_INPUT, f"{kind} file",
                                           "run the audit again once the file is back")).hexdigest()
            for rel, (kind, path) in files.items()}


def toolchain() -> dict[str, str]:
    import llvmlite.binding as llvm
    import z3

    return {"tamapy": __version__, "python": platform.python_version(),
            "llvm": ".".join(str(p) for p in llvm.llvm_version_info),
            "llvmlite": importlib.metadata.version("llvmlite"), "z3": z3.get_version_string()}


def _shown(ev: Evidence, path: Path) -> str:
    """A path inside the project relative to its root; outside it, the file name alone (no machine paths)."""
    resolved = path.resolve()
    return resolved.relative_to(ev.root.resolve()).as_posix() if resolved.is_relative_to(ev.root.resolve()) else path.name


def attestation(ev: Evidence, envelope: Path, key: Path) -> dict[str, Any]:
    """The envelope checked with the key (:func:`verify_envelope`: signature, files beside it,
    proof summary, certificates), and whether its subjects are exactly the images audited."""
    verifier = load_verifying_key(key)
    reasons = verify_envelope(key, envelope, project=ev.root)
    parsed = dsse.parse(read_input(envelope, display_path(envelope), dsse.MALFORMED_ENVELOPE, "envelope",
                                   "pass the .intoto.jsonl file that `tamapy build --sign` wrote",
                                   limit=dsse.ENVELOPE_LIMIT), display_path(envelope))
    audited = {name: hashlib.sha256(data).hexdigest() for name, data in ev.result.images.items()}
    signed = not dsse.check_signatures(parsed, verifier)
    match = signed and read_statement(parsed.payload, display_path(envelope)).subjects == audited
    return {"envelope": _shown(ev, envelope), "key_id": verifier.keyid, "verified": not reasons,
            "reasons": reasons, "subjects_match": match}


def inputs_section(ev: Evidence, files: Mapping[str, tuple[str, Path]], sha: Mapping[str, str],
                   envelope: Path | None, key: Path | None) -> dict[str, Any]:
    return {
        "files": [{"path": rel, "kind": kind, "sha256": sha[rel]} for rel, (kind, _) in files.items()],
        "toolchain": toolchain(),
        "attestation": attestation(ev, envelope, key) if envelope is not None and key is not None else None,
    }
