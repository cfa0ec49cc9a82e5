"""``tamapy audit``: the evidence a security review signs off on (docs/audit.md).

One build of an application for a board (:mod:`.collect`) is described in seven sections,
each computed by its own module from that one build, and written in five formats: JSON
(the contract, ``tamapy-audit/1``), Markdown, HTML, SARIF and a CycloneDX SBOM.  Every file
is written atomically and is a function of the inputs alone (sources, specs, certificates,
toolchain): no time stamps, no paths of the machine it ran on, lists sorted.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tamapy.audit.collect import Evidence, collect
from tamapy.audit.crypto import crypto_section
from tamapy.audit.html import render_html
from tamapy.audit.image import image_section
from tamapy.audit.inputs import digests, input_files, inputs_section
from tamapy.audit.markdown import render_markdown
from tamapy.audit.proofs import proofs_section
from tamapy.audit.registers import registers_section
from tamapy.audit.sarif import audit_sarif
from tamapy.audit.sbom import sbom_json
from tamapy.audit.tcb import tcb_section
from tamapy.audit.verdict import verdict_section
from tamapy.diagnostics import display_path, error
from tamapy.outputs import write_atomic
from tamapy.sim.variants import variant_for

FORMAT = "tamapy-audit/1"
BAD_OUTPUT = "E621"
"""The output directory given is not one."""


def audit_json(ev: Evidence, envelope: Path | None = None, key: Path | None = None) -> dict[str, Any]:
    """The audit of ``ev`` as the JSON document docs/audit.md specifies."""
    program = ev.result.program
    files = input_files(ev)
    sha = digests(files)
    proofs = proofs_section(ev)
    image = image_section(ev.result.images, program)
    inputs = inputs_section(ev, files, sha, envelope, key)
    return {
        "format": FORMAT,
        "app": ev.app,
        "board": program.board.name,
        "soc": variant_for(program.board.name).name,
        "verdict": verdict_section(ev, proofs, image, inputs["attestation"]),
        "proofs": proofs,
        "tcb": tcb_section(ev, sha),
        "registers": registers_section(program),
        "crypto": crypto_section(program, ev.project),
        "image": image,
        "inputs": inputs,
        "call_graph": {
            "nodes": [{"function": f.qualname, "module": f.module, "trusted": f.trusted is not None}
                      for f in sorted(program.functions, key=lambda f: f.qualname)],
            "edges": sorted({(caller, callee) for caller, sites in program.calls.items() for callee, _ in sites}),
        },
    }


def _dumps(doc: Any) -> bytes:
    return (json.dumps(doc, indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode()


def write_audit(app: Path, board: str, out_dir: Path, envelope: Path | None = None, key: Path | None = None,
                cache: Path | None = None) -> dict[str, Any]:
    """Audit ``app`` on ``board`` and write every file of the report to ``out_dir``; the JSON document."""
    if out_dir.exists() and not out_dir.is_dir():  # refused before the build, not after
        raise error(display_path(out_dir), 0, 0, BAD_OUTPUT, "exists and is not a directory",
                    "give -o a directory (it is created if missing)")
    ev = collect(app, board, cache)
    audit = audit_json(ev, envelope, key)
    # Lists become JSON arrays: the edges' tuples are written as the [caller, callee] pairs the schema names.
    audit = dict(json.loads(_dumps(audit)))
    files = {"audit.json": _dumps(audit), "audit.md": render_markdown(audit).encode(),
             "audit.html": render_html(audit).encode(), "audit.sarif": _dumps(audit_sarif(ev, audit)),
             "sbom.cdx.json": sbom_json(audit)}
    for name, data in files.items():
        write_atomic(out_dir / name, data)
    return audit
