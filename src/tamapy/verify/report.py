"""Human and machine-readable verification results.

Human output lists every failed or unknown obligation as
``file:line:col: failed[category]: message`` with its counterexample.
``--json`` is stable JSON (documented in the README); SARIF and JUnit are
produced by :mod:`tamapy.verify.formats`.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from tamapy.outputs import write_atomic
from tamapy.verify import Report
from tamapy.verify.obligation import Status
from tamapy.verify.store import obligation_json


def human(report: Report) -> str:
    lines: list[str] = []
    for o in report.obligations:
        if o.status is Status.PROVED:
            continue
        lines.append(f"{o.span.file}:{o.span.line}:{o.span.col}: {o.status.value}[{o.category.value}]: {o.message} (in {o.function})")
        if o.counterexample is not None:
            lines.extend(f"  {line}" for line in o.counterexample.lines())
        elif o.status is Status.UNKNOWN:
            lines.append("  the solver gave up (timeout): this obligation is not proved")
    return "\n".join(lines)


def to_json(report: Report) -> dict[str, Any]:
    return {
        "format": "tamapy-verify-1",
        "totals": report.totals(),
        "stale": list(report.stale),
        "functions": [
            {"function": r.function, "module": r.module, "key": r.key, "cached": r.cached,
             "obligations": [obligation_json(o) for o in r.obligations]}
            for r in report.results
        ],
    }


def write_outputs(report: Report, args: argparse.Namespace, root: Path) -> int:
    """Print failures, write the requested files; 1 if a second-solver re-check disagreed."""
    text = human(report)
    if text:
        print(text, file=sys.stderr)
    if args.json:
        write_atomic(Path(args.json), (json.dumps(to_json(report), indent=1, sort_keys=True) + "\n").encode())
    if args.sarif or args.junit or args.replay or args.smt2 or args.recheck:
        from tamapy.verify import formats

        return formats.write_extra_outputs(report, args, root)
    return 0
