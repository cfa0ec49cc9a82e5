"""``audit.sarif``: the verifier's SARIF log of this build (:func:`tamapy.verify.outputs.sarif_log`)
with the image's unproved stack bounds added, and every trusted function as a note, so a
code-scanning tool shows at its place each piece of code nobody proved."""

from __future__ import annotations

from typing import Any

from tamapy.audit.collect import Evidence
from tamapy.verify import FunctionResult, Report
from tamapy.verify.obligation import Status
from tamapy.verify.outputs import SRCROOT, sarif_log

TRUSTED_RULE = "trusted"


def audit_sarif(ev: Evidence, audit: dict[str, Any]) -> dict[str, Any]:
    report = ev.result.report
    assert report is not None
    stack = tuple(o for o in ev.result.stack if o.status is not Status.PROVED)
    image = FunctionResult("<image>", "<image>", "", stack, board=ev.result.program.board.name)
    log = sarif_log(Report((*report.results, image), report.stale, report.functions, report.globals), ev.root)
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    rules.append({"id": TRUSTED_RULE, "name": "Trusted",
                  "shortDescription": {"text": "A @trusted function: assumed, not proved (part of the TCB)."},
                  "defaultConfiguration": {"level": "note"}})
    for t in audit["tcb"]["trusted_functions"]:
        run["results"].append({
            "ruleId": TRUSTED_RULE, "ruleIndex": len(rules) - 1, "level": "note",
            "message": {"text": f"trusted, not proved: {t['reason']}"},
            "locations": [{"physicalLocation": {
                "artifactLocation": {"uri": t["file"], "uriBaseId": SRCROOT},
                "region": {"startLine": t["line"], "endLine": t["end_line"]}},
                "logicalLocations": [{"fullyQualifiedName": t["function"], "kind": "function"}]}],
            "partialFingerprints": {"tamapyTrusted/v1": t["function"]},
        })
    run["properties"] = {"format": "tamapy-audit-sarif-1", "app": audit["app"], "board": audit["board"],
                         "verdict": audit["verdict"]["summary"], "totals": audit["proofs"]["totals"]}
    return log
