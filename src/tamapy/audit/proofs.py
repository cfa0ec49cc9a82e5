"""Section 2, the proofs: what the verifier established for this build, and what it did not.

Solver seconds are taken only from current certificates (inputs, like the sources): a proof
made during the audit is timed by this run, which would make the report differ between runs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from tamapy.audit.collect import CURRENT, Evidence
from tamapy.build import EXCEPTION_STACK_SIZE
from tamapy.codegen.startup import FAULTS, RESET
from tamapy.verify.obligation import Obligation, Status
from tamapy.verify.stack import StackBound, image_frames, stack_bound

STATUSES = tuple(s.value for s in Status)


def _counts(obligations: Iterable[Obligation]) -> dict[str, int]:
    found = list(obligations)
    counts = {"obligations": len(found)}
    counts.update({s: sum(o.status.value == s for o in found) for s in STATUSES})
    return counts


def _seconds(obligations: Iterable[Obligation]) -> float:
    return round(sum(o.seconds for o in obligations), 4)


def timed(ev: Evidence) -> dict[str, tuple[Obligation, ...]]:
    """Each function's obligations, their seconds kept only when its certificate is current."""
    out: dict[str, tuple[Obligation, ...]] = {}
    for r, _ in ev.result.report.proofs if ev.result.report else ():
        current = ev.certificates.get(r.function) == CURRENT
        out[r.function] = tuple(o if current else _untimed(o) for o in r.obligations)
    return out


def _untimed(o: Obligation) -> Obligation:
    return replace(o, seconds=0.0)


def unproved_entry(ev: Evidence, o: Obligation) -> dict[str, Any]:
    facts = None
    if o.counterexample is not None:
        c = o.counterexample
        facts = dict(sorted((*c.arguments, *c.locals, *c.registers, *c.ghost)))
    return {"id": o.id, "function": o.function, "category": o.category.value, "file": ev.relative(o.span.file),
            "line": o.span.line, "col": o.span.col, "message": o.message, "status": o.status.value,
            "counterexample": facts}


def proofs_section(ev: Evidence) -> dict[str, Any]:
    by_function_obligations = timed(ev)
    every = [*(o for os in by_function_obligations.values() for o in os), *ev.result.stack]
    program = ev.result.program
    categories = sorted({o.category.value for o in every})
    modules: dict[str, list[str]] = {}
    for name in by_function_obligations:
        modules.setdefault(program.function(name).module, []).append(name)
    functions = []
    for name, obligations in sorted(by_function_obligations.items()):
        fn = program.function(name)
        functions.append({"function": name, "module": fn.module, "file": ev.relative(fn.span.file),
                          "line": fn.span.line, **_counts(obligations), "seconds": _seconds(obligations),
                          "solvers": sorted({o.solver for o in obligations if o.solver}),
                          "certificate": ev.certificates[name]})
    unproved = [unproved_entry(ev, o) for o in every if o.status is not Status.PROVED]
    return {
        "totals": {**_counts(every), "seconds": _seconds(every)},
        "by_category": [{"category": c, **_counts(o for o in every if o.category.value == c)} for c in categories],
        "by_module": [{"module": m, "functions": len(names),
                       **_counts(o for n in names for o in by_function_obligations[n]),
                       "seconds": _seconds(o for n in names for o in by_function_obligations[n])}
                      for m, names in sorted(modules.items())],
        "by_function": functions,
        "unproved": sorted(unproved, key=lambda u: (u["file"], u["line"], u["col"], u["id"])),
        "recheck": {"solver": "cvc5", "status": "not run",
                    "detail": "the audit reads the certificates; `tamapy verify --recheck cvc5` re-checks every proof"},
        "stack": _stack(ev),
    }


def _bounds(elf: bytes) -> tuple[StackBound, StackBound]:
    """The main stack's bound and the exception stack's, chosen as ``stack_obligations`` chooses
    (the first handler that cannot be bounded, else the deepest).  Mirrored rather than shared:
    any edit under ``verify/`` changes every certificate's key (the verifier's own digest)."""
    handlers = [h for h, _ in FAULTS]
    frames = image_frames(elf, roots=(RESET, *handlers))
    bounds = [stack_bound(frames, h) for h in handlers]
    unbounded = [b for b in bounds if b.depth is None]
    return stack_bound(frames, RESET), unbounded[0] if unbounded else max(bounds, key=lambda b: b.depth or 0)


def _stack(ev: Evidence) -> list[dict[str, Any]]:
    """Both stack bounds with their worst chains, read from the image as the build's obligations were."""
    result = ev.result
    sizes = (result.program.board.stack_size, EXCEPTION_STACK_SIZE)
    return [{"stack": which, "proved": o.status is Status.PROVED, "needed": bound.depth if bound.depth is not None else -1,
             "size": size, "chain": list(bound.path)}
            for which, o, bound, size in zip(("main", "exception"), result.stack, _bounds(result.image.elf), sizes,
                                             strict=True)]
