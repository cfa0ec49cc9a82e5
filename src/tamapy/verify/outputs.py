"""Everything ``tamapy verify`` writes about a report, read off the report alone.

* the failures on stderr, ``file:line:col: failed[category]: message``
  with their counterexamples;
* ``--json FILE``: stable JSON (documented in the README);
* ``--sarif FILE``: a SARIF 2.1.0 log, so code-scanning tools show every
  obligation that is not proved at its place in the source;
* ``--junit FILE``: JUnit XML, one test case per obligation, so CI
  dashboards count proofs like tests;
* ``--smt2 DIR``: every obligation as a self-contained SMT-LIB2 script, so
  anyone can re-check a proof with the solver of their choice;
* ``--replay DIR`` (:mod:`tamapy.verify.replay`) and ``--recheck cvc5``
  (:mod:`tamapy.verify.recheck`).

Nothing here verifies or checks again: the report carries the scripts (when
verification was asked for them, :attr:`OutputOptions.needs_scripts`) and
the checked IR.  Every file is written atomically and is byte-for-byte the
same for the same results (sorted keys, the report's stable order, no time
stamps except the JUnit ``time`` attributes, which that format requires).
"""

from __future__ import annotations

import json
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tamapy import __version__
from tamapy.diagnostics import error
from tamapy.outputs import write_atomic
from tamapy.verify import Report, recheck, replay
from tamapy.verify.engine import DEFAULT_TIMEOUT_MS
from tamapy.verify.locations import sanitize, source_path, source_uri
from tamapy.verify.obligation import Category, Obligation, Status
from tamapy.verify.store import counterexample_json, obligation_json

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
SRCROOT = "%SRCROOT%"
SMT2_INDEX_FORMAT = "tamapy-smt2-1"


@dataclass(frozen=True)
class OutputOptions:
    """Which outputs to write, and where; ``None`` leaves an output out."""

    json: Path | None = None
    sarif: Path | None = None
    junit: Path | None = None
    replay: Path | None = None
    smt2: Path | None = None
    recheck: str | None = None
    """The second solver to re-check every script with (``cvc5``)."""
    timeout_ms: int = DEFAULT_TIMEOUT_MS
    """The second solver's time limit per script."""
    jobs: int | None = None
    """Parallel second-solver processes (``None``: all cores)."""

    @property
    def needs_scripts(self) -> bool:
        """Verification must keep every obligation's SMT-LIB2 script for these outputs."""
        return self.smt2 is not None or self.recheck is not None


def write_outputs(report: Report, options: OutputOptions, root: Path) -> int:
    """Print failures, write the requested files; 1 when the second solver disagrees with z3, else 0.

    A disagreement between the solvers means a proof cannot be trusted, so
    ``cmd_verify`` must fail on it.
    """
    # Files first: a reader that closes the pipe early (``| head``) must not cost the files.
    if options.json is not None:
        write_atomic(options.json, (json.dumps(to_json(report), indent=1, sort_keys=True) + "\n").encode())
    if options.sarif is not None:
        write_atomic(options.sarif, _dumps(sarif_log(report, root)))
    if options.junit is not None:
        write_atomic(options.junit, junit_xml(report, root))
    if options.smt2 is not None:
        export_smt2(report, _output_dir(options.smt2), root)
    if options.replay is not None:
        replay.write_replays(report, _output_dir(options.replay), root)
    text = human(report)
    if text:
        print(text, file=sys.stderr)
    if options.recheck is not None:
        verdicts = recheck.recheck(report.obligations, report.scripts(), options.timeout_ms, options.jobs)
        if recheck.print_verdicts(verdicts, sys.stderr):
            return 1
    return 0


def _output_dir(path: Path) -> Path:
    if path.exists() and not path.is_dir():
        raise error("<command line>", 0, 0, "E611", f"{path} exists and is not a directory",
                    "give a directory for --smt2 and --replay")
    return path


def _dumps(doc: Any) -> bytes:
    return (json.dumps(doc, indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode()


# ---------------------------------------------------------------- human and JSON


def _text(o: Obligation) -> list[str]:
    """The obligation's message, then its counterexample one fact per line (or why there is none)."""
    parts = [f"{o.status.value}[{o.category.value}]: {o.message} (in {o.function})"]
    if o.counterexample is not None:
        parts.extend(o.counterexample.lines())
    elif o.status is Status.UNKNOWN:
        parts.append("the solver gave up (timeout): this obligation is not proved")
    return parts


def human(report: Report) -> str:
    """Every obligation not proved, as ``file:line:col: status[category]: message`` and indented facts."""
    lines: list[str] = []
    for o in report.obligations:
        if o.status is Status.PROVED:
            continue
        first, *facts = _text(o)
        lines.append(f"{o.span.file}:{o.span.line}:{o.span.col}: {first}")
        lines.extend(f"  {fact}" for fact in facts)
    return "\n".join(lines)


def to_json(report: Report) -> dict[str, Any]:
    return {
        "format": "tamapy-verify-1",
        "totals": report.totals(),
        "stale": list(report.stale),
        "functions": [
            {"function": r.function, "module": r.module, "key": r.key, "cached": r.cached, "boards": list(boards),
             "obligations": [obligation_json(o) for o in r.obligations]}
            for r, boards in report.proofs
        ],
    }


# ---------------------------------------------------------------- SARIF


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


def _region(o: Obligation, columns: _Columns) -> dict[str, int]:
    """The obligation's span in SARIF's terms: 1-based, code-point columns, never ending before it starts."""
    s = o.span
    region = {
        "startLine": max(s.line, 1),
        "startColumn": columns.convert(s.file, s.line, max(s.col, 1)),
        "endLine": max(s.end_line, s.line, 1),
        "endColumn": columns.convert(s.file, s.end_line, max(s.end_col, 1)),
    }
    if region["endLine"] == region["startLine"] and region["endColumn"] < region["startColumn"]:
        region["endColumn"] = region["startColumn"]
    return region


def _sarif_result(o: Obligation, columns: _Columns, root: Path) -> dict[str, Any]:
    properties: dict[str, Any] = {"obligation": o.id, "status": o.status.value, "solver": o.solver}
    if o.counterexample is not None:
        properties["counterexample"] = counterexample_json(o.counterexample)
    return {
        "ruleId": o.category.value,
        "ruleIndex": list(Category).index(o.category),
        "level": "error" if o.status is Status.FAILED else "warning",
        "message": {"text": "\n".join(_text(o))},
        "locations": [{
            "physicalLocation": {
                "artifactLocation": {"uri": source_uri(o.span.file, root), "uriBaseId": SRCROOT},
                "region": _region(o, columns),
            },
            "logicalLocations": [{"fullyQualifiedName": o.function, "kind": "function"}],
        }],
        "partialFingerprints": {"tamapyObligation/v1": o.id},
        "properties": properties,
    }


def sarif_log(report: Report, root: Path) -> dict[str, Any]:
    """The report as a SARIF 2.1.0 log: one run, one result per obligation not proved, a rule per category."""
    columns = _Columns(root)
    results = [_sarif_result(o, columns, root) for o in report.obligations if o.status is not Status.PROVED]
    rules = [
        {"id": c.value, "name": c.name.title(), "shortDescription": {"text": c.description},
         "defaultConfiguration": {"level": "error"}}
        for c in Category
    ]
    run: dict[str, Any] = {
        "tool": {"driver": {"name": "tamapy", "version": __version__, "semanticVersion": __version__,
                            "rules": rules}},
        "columnKind": "unicodeCodePoints",
        "results": results,
        "properties": {"totals": report.totals(), "functions": len({r.function for r in report.results}),
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
    for r, _ in report.proofs:
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
                failure.text = "\n".join(_text(o))
            elif o.status is Status.UNKNOWN:
                err = ET.SubElement(case, "error", message=o.message, type="unknown")
                err.text = "\n".join(_text(o))
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
