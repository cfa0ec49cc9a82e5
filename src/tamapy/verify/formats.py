"""Machine-readable outputs of ``tamapy verify`` beyond ``--json``.

* ``--sarif FILE``: a SARIF 2.1.0 log, so code-scanning tools show every
  obligation that is not proved at its place in the source.
* ``--junit FILE``: JUnit XML, one test case per obligation, so CI
  dashboards count proofs like tests.
* ``--smt2 DIR``: every obligation as a self-contained SMT-LIB2 script, so
  anyone can re-check a proof with the solver of their choice.
* ``--replay DIR`` (:mod:`tamapy.verify.replay`) and ``--recheck cvc5``
  (:mod:`tamapy.verify.recheck`).

Every file is written atomically and is byte-for-byte the same for the
same results (sorted keys, the report's stable order, no time stamps
except the JUnit ``time`` attributes, which that format requires).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tamapy import __version__
from tamapy.diagnostics import error
from tamapy.outputs import write_atomic
from tamapy.verify import Report, recheck
from tamapy.verify.obligation import Category, Obligation, Status

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
SRCROOT = "%SRCROOT%"
SMT2_INDEX_FORMAT = "tamapy-smt2-1"

RULES: Mapping[str, str] = {
    "range": "A value fits its machine type (overflow, underflow, narrowing, intermediate results).",
    "index": "An index or slice bound lies inside the array or view.",
    "division": "The divisor of // or % is not zero.",
    "shift": "A shift amount lies in 0..width-1.",
    "register": "A value written to a register field fits it; reserved bits keep their required value.",
    "dma": "An address given to a DMA engine lies in the board's DMA region and is aligned.",
    "clock": "A peripheral's clock gate is on before its registers are touched.",
    "precondition": "A call satisfies the callee's @requires pre-condition.",
    "postcondition": "A function satisfies its @ensures post-condition on every return.",
    "invariant": "A loop invariant holds on entry and is preserved by every iteration.",
    "assert": "An assert statement cannot fail.",
    "termination": "A loop terminates: its decreases() measure is non-negative and decreases.",
    "stack": "The deepest call chain fits the board's stack.",
}
"""Rule descriptions by category; SARIF has one rule per category, in the enum's order (the rule index)."""


def write_extra_outputs(report: Report, args: argparse.Namespace, root: Path) -> int:
    """Write the outputs that ``args`` asks for; 1 when the cvc5 re-check disagrees with z3, else 0.

    The return value is for ``cmd_verify``: a disagreement between the
    solvers means a proof cannot be trusted, so the command must fail.
    """
    status = 0
    if getattr(args, "sarif", None):
        write_atomic(Path(args.sarif), _dumps(sarif_log(report, root)))
    if getattr(args, "junit", None):
        write_atomic(Path(args.junit), junit_xml(report, root))
    if getattr(args, "smt2", None):
        export_smt2(report, _output_dir(args.smt2), root)
    if getattr(args, "replay", None):
        from tamapy.verify import replay

        functions, globals_ = replay.load_ir([Path(p) for p in args.paths], args.board)
        replay.write_replays(report, _output_dir(args.replay), root, functions, globals_)
    if getattr(args, "recheck", None):
        timeout_ms = int(float(getattr(args, "timeout", 10.0)) * 1000)
        scripts = _scripts(report, args, timeout_ms)
        verdicts = recheck.recheck(report.obligations, scripts, timeout_ms, getattr(args, "jobs", None))
        if recheck.print_verdicts(verdicts, sys.stderr):
            status = 1
    return status


def _scripts(report: Report, args: argparse.Namespace, timeout_ms: int) -> dict[str, str]:
    """SMT-LIB2 scripts by obligation id.

    They come from the report when it was produced with scripts; otherwise
    (an older ``cmd_verify`` that asks for them only with ``--smt2``) the
    functions are encoded once more, which costs a second solver run.
    """
    scripts = {o.id: o.smt2 for o in report.obligations if o.smt2}
    if any(not o.smt2 and o.solver.startswith("z3") for o in report.obligations):
        from tamapy.verify import verify_tree

        again = verify_tree([Path(p) for p in args.paths], args.board, workers=getattr(args, "jobs", None),
                            timeout_ms=timeout_ms, with_smt2=True)
        for o in again.obligations:
            scripts.setdefault(o.id, o.smt2)
    return scripts


def _output_dir(name: str) -> Path:
    path = Path(name)
    if path.exists() and not path.is_dir():
        raise error("<command line>", 0, 0, "E611", f"{name} exists and is not a directory",
                    "give a directory for --smt2 and --replay")
    return path


def _dumps(doc: Any) -> bytes:
    return (json.dumps(doc, indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode()


# ---------------------------------------------------------------- locations


def source_path(file: str, root: Path) -> Path | None:
    """The source file a span names, found as the verifier saw it.

    Spans hold paths as displayed when they were made: relative to the
    working directory of that run (certificates keep them), or absolute.
    """
    p = Path(file)
    candidates = [p] if p.is_absolute() else [Path.cwd() / p, root / p]
    for c in candidates:
        if c.is_file():
            return c.resolve()
    return None


def source_uri(file: str, root: Path) -> str:
    """A span's file as a URI relative to the project root (``%SRCROOT%``), POSIX separators."""
    found = source_path(file, root)
    if found is not None:
        try:
            return found.relative_to(root.resolve()).as_posix()
        except ValueError:
            return found.as_uri()
    return Path(file).as_posix()


class _Columns:
    """Converts the IR's UTF-8 byte columns to the code-point columns SARIF counts in."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.lines: dict[str, list[bytes] | None] = {}

    def convert(self, file: str, line: int, col: int) -> int:
        if file not in self.lines:
            found = source_path(file, self.root)
            self.lines[file] = found.read_bytes().splitlines() if found is not None else None
        lines = self.lines[file]
        if lines is None or not 1 <= line <= len(lines):
            return col
        return len(lines[line - 1][: max(col - 1, 0)].decode("utf-8", errors="replace")) + 1


# ---------------------------------------------------------------- SARIF


def _text(o: Obligation) -> str:
    """The obligation's message with its counterexample, on one line per fact."""
    parts = [f"{o.status.value}[{o.category.value}]: {o.message} (in {o.function})"]
    if o.counterexample is not None:
        parts.extend(o.counterexample.lines())
    elif o.status is Status.UNKNOWN:
        parts.append("the solver gave up (timeout): this obligation is not proved")
    return "\n".join(parts)


def _counterexample_json(o: Obligation) -> dict[str, Any] | None:
    c = o.counterexample
    if c is None:
        return None
    return {"arguments": dict(c.arguments), "locals": dict(c.locals), "registers": dict(c.registers),
            "ghost": dict(c.ghost)}


def sarif_log(report: Report, root: Path) -> dict[str, Any]:
    """The report as a SARIF 2.1.0 log: one run, one result per obligation not proved."""
    categories = list(Category)
    columns = _Columns(root)
    results: list[dict[str, Any]] = []
    for o in report.obligations:
        if o.status is Status.PROVED:
            continue
        s = o.span
        region = {
            "startLine": max(s.line, 1),
            "startColumn": columns.convert(s.file, s.line, max(s.col, 1)),
            "endLine": max(s.end_line, s.line, 1),
            "endColumn": columns.convert(s.file, s.end_line, max(s.end_col, 1)),
        }
        if region["endLine"] == region["startLine"] and region["endColumn"] < region["startColumn"]:
            region["endColumn"] = region["startColumn"]
        properties: dict[str, Any] = {"obligation": o.id, "status": o.status.value, "solver": o.solver}
        cex = _counterexample_json(o)
        if cex is not None:
            properties["counterexample"] = cex
        results.append({
            "ruleId": o.category.value,
            "ruleIndex": categories.index(o.category),
            "level": "error" if o.status is Status.FAILED else "warning",
            "message": {"text": _text(o)},
            "locations": [{
                "physicalLocation": {
                    "artifactLocation": {"uri": source_uri(s.file, root), "uriBaseId": SRCROOT},
                    "region": region,
                },
                "logicalLocations": [{"fullyQualifiedName": o.function, "kind": "function"}],
            }],
            "partialFingerprints": {"tamapyObligation/v1": o.id},
            "properties": properties,
        })
    rules = [
        {"id": c.value, "name": c.name.title(),
         "shortDescription": {"text": RULES.get(c.value, f"Obligations of category {c.value} hold.")},
         "defaultConfiguration": {"level": "error"}}
        for c in categories
    ]
    run: dict[str, Any] = {
        "tool": {"driver": {"name": "tamapy", "version": __version__, "semanticVersion": __version__,
                            "rules": rules}},
        "columnKind": "unicodeCodePoints",
        "results": results,
        "properties": {"totals": report.totals(), "functions": len(report.results),
                       "stale": list(report.stale), "format": "tamapy-verify-sarif-1"},
    }
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}


# ---------------------------------------------------------------- JUnit


def junit_xml(report: Report, root: Path) -> bytes:
    """The report as JUnit XML: a test suite per module, a test case per obligation.

    Failed obligations are ``<failure>``s and unknown ones ``<error>``s:
    an unknown is not a disproof but it is not a proof either.
    """
    by_module: dict[str, list[Obligation]] = {}
    for r in report.results:
        by_module.setdefault(r.module, []).extend(r.obligations)
    suites = ET.Element("testsuites", name="tamapy verify")
    totals = {"tests": 0, "failures": 0, "errors": 0}
    total_time = 0.0
    for module, obligations in sorted(by_module.items()):
        failures = sum(o.status is Status.FAILED for o in obligations)
        errors = sum(o.status is Status.UNKNOWN for o in obligations)
        seconds = sum(o.seconds for o in obligations)
        suite = ET.SubElement(suites, "testsuite", name=module, tests=str(len(obligations)),
                              failures=str(failures), errors=str(errors), skipped="0", time=_secs(seconds))
        for o in obligations:
            case = ET.SubElement(suite, "testcase", name=o.id, classname=o.function, time=_secs(o.seconds),
                                 file=source_uri(o.span.file, root), line=str(o.span.line))
            if o.status is Status.FAILED:
                failure = ET.SubElement(case, "failure", message=o.message, type=o.category.value)
                failure.text = _text(o)
            elif o.status is Status.UNKNOWN:
                err = ET.SubElement(case, "error", message=o.message, type="unknown")
                err.text = _text(o)
        totals["tests"] += len(obligations)
        totals["failures"] += failures
        totals["errors"] += errors
        total_time += seconds
    for k, v in totals.items():
        suites.set(k, str(v))
    suites.set("time", _secs(total_time))
    ET.indent(suites)
    data: bytes = ET.tostring(suites, encoding="utf-8", xml_declaration=True)
    return data + b"\n"


def _secs(seconds: float) -> str:
    return f"{seconds:.4f}"


# ---------------------------------------------------------------- SMT-LIB2


def sanitize(text: str, keep: str = "._-") -> str:
    """``text`` reduced to letters, digits, ``_`` and the characters in ``keep`` (one file name component)."""
    return re.sub(rf"[^A-Za-z0-9_{re.escape(keep)}]", "_", text)


def export_smt2(report: Report, directory: Path, root: Path) -> list[Path]:
    """Write ``DIR/<function>/<id>.smt2`` for every obligation with a script, and ``DIR/index.json``.

    Scripts listed by an earlier index but not produced now are removed, so
    the directory always matches the index (nothing else is touched).
    """
    files: dict[str, dict[str, Any]] = {}
    written: list[Path] = []
    without: list[str] = []
    for o in report.obligations:
        if not o.smt2:
            without.append(o.id)
            continue
        rel = f"{sanitize(o.function)}/{sanitize(o.id)}.smt2"
        files[rel] = {"id": o.id, "category": o.category.value, "status": o.status.value, "function": o.function,
                      "solver": o.solver, "source": f"{source_uri(o.span.file, root)}:{o.span.line}:{o.span.col}"}
        path = directory / rel
        write_atomic(path, recheck.standard_smt2(o.smt2).encode())
        written.append(path)
    _remove_stale(directory, set(files))
    index = {"format": SMT2_INDEX_FORMAT,
             "note": "each script asserts the path condition and the negated goal: unsat means proved",
             "files": files, "without_script": sorted(without)}
    write_atomic(directory / "index.json", _dumps(index))
    return written


def _remove_stale(directory: Path, keep: set[str]) -> None:
    index = directory / "index.json"
    try:
        old = json.loads(index.read_text())
        previous = old["files"] if old.get("format") == SMT2_INDEX_FORMAT else {}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return
    for rel in previous:
        target = directory / rel
        if rel not in keep and target.suffix == ".smt2" and directory.resolve() in target.resolve().parents:
            target.unlink(missing_ok=True)
