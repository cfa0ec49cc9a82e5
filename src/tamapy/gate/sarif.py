"""The gate's SARIF log: only what the change introduced, at HEAD's source lines, so a code
review tool annotates the diff and nothing that was already there.

New unproved obligations come from the verifier's SARIF writer (:func:`sarif_log`); new or
changed trusted functions and weakened contracts are results of rules of their own.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tamapy.gate.snapshot import Snapshot
from tamapy.verify import FunctionResult, Report
from tamapy.verify.obligation import Obligation, Status
from tamapy.verify.outputs import SRCROOT, sarif_log

RULES = {
    "trusted-added": "A new @trusted function: assumed, not proved (it grows the TCB).",
    "trusted-changed": "A @trusted function whose source changed: assumed, not proved.",
    "contract-changed": "A contract clause changed: callers and proofs rest on the new text.",
    "contract-removed": "A contract clause was removed: what callers relied on is gone.",
}


def new_unproved(pairs: list[tuple[Snapshot, Snapshot]]) -> list[Obligation]:
    """HEAD's unproved obligations that BASE had not, or had proved (once each over the targets)."""
    found: dict[str, Obligation] = {}
    for base, head in pairs:
        for key, o in head.obligations.items():
            old = base.obligations.get(key)
            if o.status is not Status.PROVED and (old is None or old.status is Status.PROVED):
                found.setdefault(o.id, o)
    return [found[i] for i in sorted(found)]


def gate_sarif(doc: dict[str, Any], pairs: list[tuple[Snapshot, Snapshot]], head_root: Path) -> dict[str, Any]:
    """``doc``: the gate's JSON document; ``head_root``: where HEAD is materialised (still present)."""
    image = FunctionResult("<gate>", "<gate>", "", tuple(new_unproved(pairs)))
    log = sarif_log(Report((image,), ()), head_root)
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    for kind, text in RULES.items():
        rules.append({"id": kind, "name": kind.title().replace("-", ""), "shortDescription": {"text": text},
                      "defaultConfiguration": {"level": "warning"}})
    index = {r["id"]: i for i, r in enumerate(rules)}
    for f in doc["findings"]:
        if f["kind"] not in RULES or f["file"] is None:
            continue
        text = f["message"] if f["before"] is None or f["kind"].startswith("trusted") else \
            f"{f['message']}: before `{f['before']}`, after `{f['after'] or '(none)'}`"
        run["results"].append({
            "ruleId": f["kind"], "ruleIndex": index[f["kind"]], "level": "warning",
            "message": {"text": text},
            "locations": [{"physicalLocation": {
                "artifactLocation": {"uri": f["file"], "uriBaseId": SRCROOT},
                "region": {"startLine": f["line"], "endLine": f["end_line"]}},
                "logicalLocations": [{"fullyQualifiedName": f["subject"], "kind": "function"}]}],
            "partialFingerprints": {"tamapyGate/v1": f"{f['kind']}:{f['subject']}:{f['after']}"},
        })
    run["properties"] = {"format": "tamapy-gate-sarif-1", "passed": doc["passed"], "summary": doc["summary"],
                         "base": doc["base"], "head": doc["head"]}
    return log
