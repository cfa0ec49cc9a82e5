"""What a gate compares of one revision, for one application on one board: its audit (built by
:mod:`tamapy.audit`'s collectors), every obligation under a key that survives moved lines, the
contract clauses' source text, and each trusted function's source digest."""

from __future__ import annotations

import ast
import dataclasses
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tamapy.audit import audit_json
from tamapy.audit.collect import Evidence, collect
from tamapy.gate.policy import source_sha256
from tamapy.lang import ir
from tamapy.verify.obligation import Category, Obligation

ObligationKey = tuple[str, str, str, int]
"""(function, category, message with every number replaced by ``N``, ordinal among equal ones)."""
ClauseKey = tuple[str, str]
"""(function, ``requires`` | ``ensures``)."""


@dataclass(frozen=True)
class Clause:
    """One contract clause as written: its source text (whitespace runs made one space) and place,
    and what it means: its checked IR without source positions, so a clause whose text stays while
    a name in it changes value (``result < LIMIT`` after ``LIMIT: Final = 100``) is a change too."""

    text: str
    file: str
    line: int
    end_line: int
    meaning: str = ""


@dataclass
class Snapshot:
    """A revision's side of the comparison for one target (``app@board``); empty when it has no such app."""

    target: str
    audit: dict[str, Any] = field(default_factory=dict)
    obligations: dict[ObligationKey, Obligation] = field(default_factory=dict)
    locations: dict[ObligationKey, tuple[str, int]] = field(default_factory=dict)
    contracts: dict[ClauseKey, list[Clause]] = field(default_factory=dict)
    trusted: dict[str, dict[str, Any]] = field(default_factory=dict)
    functions: dict[str, tuple[str, int]] = field(default_factory=dict)
    """Every function of the program: its file (from the project root) and ``def`` line."""


def obligation_keys(obligations: list[Obligation]) -> dict[ObligationKey, Obligation]:
    """Key each obligation by what stays when code moves: ids and messages carry line numbers
    (``pre-condition of `f` (line 16)``), so numbers are masked and equal keys are told apart by
    their order in the source.  The image's two stack bounds have fixed ids (their messages
    name the deepest call chain, which any call can change): they are keyed by id."""
    ordered = sorted(obligations, key=lambda o: (o.function, o.span.line, o.span.col, o.id))
    seen: dict[tuple[str, str, str], int] = {}
    keyed: dict[ObligationKey, Obligation] = {}
    for o in ordered:
        text = o.id if o.category is Category.STACK else re.sub(r"\d+", "N", o.message)
        base = (o.function, o.category.value, text)
        seen[base] = seen.get(base, 0) + 1
        keyed[(*base, seen[base])] = o
    return keyed


def _source(root: Path, rel: str) -> list[bytes]:
    return (root / rel).read_bytes().splitlines(keepends=True)


def meaning(node: object) -> str:
    """``node`` (IR) rendered without its spans; spec objects (registers, fields) by name alone."""
    if isinstance(node, tuple):
        return "(" + ", ".join(meaning(item) for item in node) + ")"
    if dataclasses.is_dataclass(node) and not isinstance(node, type):
        if type(node).__module__.startswith("tamapy.specs"):
            return f"{type(node).__name__}:{getattr(node, 'name', '?')}"
        fields = (f"{f.name}={meaning(getattr(node, f.name))}" for f in dataclasses.fields(node) if f.name != "span")
        return f"{type(node).__name__}({', '.join(fields)})"
    return repr(node)


def clause_text(lines: list[bytes], span: ir.Span) -> str:
    """The source text a span covers (columns 1-based, the end exclusive), whitespace collapsed."""
    chosen = [line.decode() for line in lines[span.line - 1:span.end_line]]
    if not chosen:
        return ""
    chosen[-1] = chosen[-1][:span.end_col - 1]
    chosen[0] = chosen[0][span.col - 1:]
    return " ".join(" ".join(chosen).split())


def _first_line(source: bytes, def_line: int) -> int:
    """The line of a function's first decorator (its ``def`` line when it has none)."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef) and node.lineno == def_line:
            return min([def_line, *(d.lineno for d in node.decorator_list)])
    return def_line


def _contracts(ev: Evidence, files: dict[str, list[bytes]]) -> dict[ClauseKey, list[Clause]]:
    out: dict[ClauseKey, list[Clause]] = {}
    for fn in ev.result.program.functions:
        for kind, exprs in (("requires", fn.requires), ("ensures", fn.ensures)):
            for e in exprs:
                span = e.span
                rel = ev.relative(span.file)
                lines = files.setdefault(rel, _source(ev.root, rel))
                out.setdefault((fn.qualname, kind), []).append(Clause(clause_text(lines, span), rel, span.line,
                                                                      span.end_line, meaning(e)))
    return out


def _trusted(ev: Evidence, audit: dict[str, Any]) -> dict[str, dict[str, Any]]:
    out = {}
    for t in audit["tcb"]["trusted_functions"]:
        data = (ev.root / t["file"]).read_bytes()
        first = _first_line(data, t["line"])
        lines = data.splitlines(keepends=True)[first - 1:t["end_line"]]
        out[t["function"]] = {"function": t["function"], "file": t["file"], "line": first, "end_line": t["end_line"],
                              "lines": t["lines"], "reason": t["reason"], "sha256": source_sha256(lines)}
    return out


def take(app: Path, board: str, target: str, cache: Path, objects: Path) -> Snapshot:
    """Build and describe ``app`` on ``board``; proofs come from ``cache`` or are made anew.

    Run inside the revision's root: the build records source files relative to the working
    directory, which must therefore be the revision's, never the repository's work tree."""
    ev = collect(app, board, cache, objects)
    # Through JSON, so tuples are the lists the audit's readers see.
    audit = json.loads(json.dumps(audit_json(ev)))
    every = [o for r in (ev.result.report.results if ev.result.report else ()) for o in r.obligations]
    keyed = obligation_keys([*every, *ev.result.stack])
    return Snapshot(target, audit, keyed, {k: (ev.relative(o.span.file), o.span.line) for k, o in keyed.items()},
                    _contracts(ev, {}), _trusted(ev, audit),
                    {f.qualname: (ev.relative(f.span.file), f.span.line) for f in ev.result.program.functions})
