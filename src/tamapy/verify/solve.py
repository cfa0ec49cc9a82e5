"""Discharge obligations with Z3 and explain failures in source terms.

Each obligation is checked on its own: the path condition with the negated
goal is handed to the solver; ``unsat`` proves it, a model is a
counterexample, and anything else (timeout, resource limit) is ``unknown``.
"""

from __future__ import annotations

import time

import z3

from tamapy.verify.obligation import Counterexample, Status
from tamapy.verify.state import Pending, Value

SOLVER = f"z3 {z3.get_version_string()}"


def smt2(p: Pending) -> str:
    """The obligation as a self-contained SMT-LIB2 script: ``unsat`` means proved."""
    s = z3.Solver()
    s.add(p.pc, z3.Not(p.goal))
    return "(set-logic ALL)\n" + s.to_smt2()


def solve(p: Pending, timeout_ms: int, args: dict[str, Value]) -> tuple[Status, float, Counterexample | None]:
    start = time.perf_counter()
    goal = z3.simplify(p.goal)
    if z3.is_true(goal):
        return Status.PROVED, time.perf_counter() - start, None
    s = z3.Solver()
    s.set("timeout", timeout_ms)
    s.add(p.pc, z3.Not(goal))
    result = s.check()
    seconds = time.perf_counter() - start
    if result == z3.unsat:
        return Status.PROVED, seconds, None
    if result == z3.sat:
        return Status.FAILED, seconds, _counterexample(s.model(), p, args)
    return Status.UNKNOWN, seconds, None


def _show(model: z3.ModelRef, v: Value) -> tuple[str, int | None]:
    if isinstance(v, tuple):
        length = model.eval(v[2], model_completion=True)
        return f"<view of length {length.as_signed_long()}>", None
    if isinstance(v, z3.ArrayRef):
        return "<array>", None
    value = model.eval(v, model_completion=True)
    if isinstance(v, z3.BoolRef):
        return str(z3.is_true(value)), int(z3.is_true(value))
    n = value.as_signed_long()
    return (f"{n}" if -256 < n < 256 else f"{n} (0x{n & ((1 << 64) - 1):x})"), n


def _counterexample(model: z3.ModelRef, p: Pending, args: dict[str, Value]) -> Counterexample:
    arguments = [(k, _show(model, v)) for k, v in args.items()]
    locals_ = [(k, _show(model, v)[0]) for k, v in p.snapshot if k not in args]
    regs = [(k, _show(model, v)[0]) for k, v in p.reads]
    ghost = [(k, _show(model, v)[0]) for k, v in p.gates]
    return Counterexample(
        arguments=tuple((k, text) for k, (text, _) in arguments),
        locals=tuple(locals_),
        registers=tuple(regs),
        ghost=tuple(ghost),
        raw_arguments=tuple((k, n) for k, (_, n) in arguments if n is not None),
    )
