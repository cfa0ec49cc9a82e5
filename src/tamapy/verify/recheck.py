"""Re-check every obligation with cvc5, a second solver independent of z3.

A proof is only as good as the solver that found it.  ``--recheck cvc5``
parses each obligation's SMT-LIB2 script (the path condition and the
negated goal: ``unsat`` means proved) with cvc5's own parser and checks it
again.  A decisive answer that contradicts z3 is a *disagreement*, and the
command fails; cvc5 giving up (time limit, unsupported construct) is
reported but changes nothing, since it neither confirms nor refutes z3.

cvc5 is tried in two configurations: first with bit-vectors translated to
integers (fast on the verifier's 72-bit arithmetic, where bit-blasting
divisions is slow), then, if that gives no answer, by bit-blasting.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterable, Mapping
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any, TextIO

from tamapy.diagnostics import error
from tamapy.verify.obligation import Obligation, Status

CONFIGURATIONS: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    ("bv-as-int", (("solve-bv-as-int", "sum"),)),
    ("bit-blasting", ()),
)
"""cvc5 option sets, tried in order until one decides the script."""

BASE_OPTIONS: tuple[tuple[str, str], ...] = (
    ("incremental", "false"),
    ("arrays-exp", "true"),
)
"""Options for every run: one check-sat per script, and constant arrays (z3's ``(as const ...)``)."""


@dataclass(frozen=True)
class Verdict:
    """cvc5's answer on one obligation, next to z3's."""

    obligation: Obligation
    answer: str
    """``unsat``, ``sat``, ``unknown`` or ``error``."""
    detail: str
    """The configuration that decided, or why none did."""

    @property
    def disagrees(self) -> bool:
        """cvc5 decided, and its answer contradicts z3's proved/failed status."""
        z3 = self.obligation.status
        return (z3 is Status.PROVED and self.answer == "sat") or (z3 is Status.FAILED and self.answer == "unsat")

    @property
    def undecided(self) -> bool:
        return self.answer not in ("sat", "unsat")


def _cvc5() -> Any:
    """The cvc5 module, looked up at run time: it is optional and ships no type information."""
    return importlib.import_module("cvc5")


def check_script(script: str, timeout_ms: int) -> tuple[str, str]:
    """cvc5's answer (``sat``/``unsat``/``unknown``/``error``) on one SMT-LIB2 script, and a detail."""
    cvc5 = _cvc5()
    notes: list[str] = []
    gave_up = False
    for name, options in CONFIGURATIONS:
        tm = cvc5.TermManager()
        solver = cvc5.Solver(tm)
        try:
            for key, value in (*BASE_OPTIONS, ("tlimit-per", str(max(timeout_ms, 1))), *options):
                solver.setOption(key, value)
            symbols = cvc5.SymbolManager(tm)
            parser = cvc5.InputParser(solver, symbols)
            parser.setStringInput(cvc5.InputLanguage.SMT_LIB_2_6, script, "obligation.smt2")
            answers: list[str] = []
            while True:
                command = parser.nextCommand()
                if command.isNull():
                    break
                out = command.invoke(solver, symbols).strip()
                if out.startswith("(error"):
                    raise RuntimeError(out)
                if out:
                    answers.append(out)
        except Exception as exc:  # cvc5 reports parse and option errors as exceptions or "(error ...)"
            notes.append(f"{name}: {str(exc).strip() or type(exc).__name__}")
            continue
        if len(answers) != 1:
            notes.append(f"{name}: expected one check-sat answer, got {answers!r}")
            continue
        answer = answers[0].split()[0]
        if answer in ("sat", "unsat"):
            return answer, name
        gave_up = True
        notes.append(f"{name}: {answers[0]}")
    return ("unknown" if gave_up else "error"), "; ".join(notes)


def _check(item: tuple[str, int]) -> tuple[str, str]:
    return check_script(*item)


def _isolated(item: tuple[str, int]) -> tuple[str, str]:
    try:
        with ProcessPoolExecutor(max_workers=1) as pool:
            return pool.submit(_check, item).result()
    except BrokenProcessPool:
        return "error", "cvc5 crashed"


def recheck(obligations: Iterable[Obligation], scripts: Mapping[str, str], timeout_ms: int,
            workers: int | None = None) -> list[Verdict]:
    """cvc5's verdict on every obligation that has a script, in parallel worker processes.

    Obligations without a script (such as stack bounds, which no solver
    decides) are left out.
    """
    try:
        _cvc5()
    except ImportError:
        raise error("<command line>", 0, 0, "E610", "--recheck cvc5 needs the cvc5 Python package",
                    "pip install cvc5") from None
    todo = [o for o in obligations if scripts.get(o.id)]
    items = [(scripts[o.id], timeout_ms) for o in todo]
    count = max(1, min(workers or os.cpu_count() or 1, len(items)))
    if count <= 1:
        answers = [_check(i) for i in items]
    else:
        try:
            with ProcessPoolExecutor(max_workers=count) as pool:
                answers = list(pool.map(_check, items, chunksize=1))
        except BrokenProcessPool:  # cvc5 crashed a worker: find which scripts, each in a process of its own
            answers = [_isolated(i) for i in items]
    return [Verdict(o, a, d) for o, (a, d) in zip(todo, answers, strict=True)]


def print_verdicts(verdicts: list[Verdict], out: TextIO) -> int:
    """Print disagreements and undecided scripts, then a summary; returns the number of disagreements."""
    disagreements = undecided = beyond = 0
    for v in verdicts:
        o = v.obligation
        where = f"{o.span.file}:{o.span.line}:{o.span.col}"
        if v.disagrees:
            disagreements += 1
            print(f"{where}: recheck[{o.category.value}]: cvc5 says {v.answer} but z3 said {o.status.value} "
                  f"for {o.id} ({v.detail})", file=out)
        elif v.undecided:
            undecided += 1
            print(f"{where}: recheck[{o.category.value}]: cvc5 could not decide {o.id}: {v.answer} ({v.detail})",
                  file=out)
        elif o.status is Status.UNKNOWN:
            beyond += 1
            print(f"{where}: recheck[{o.category.value}]: z3 gave up on {o.id} but cvc5 says {v.answer}", file=out)
    agree = len(verdicts) - disagreements - undecided - beyond
    print(f"cvc5 recheck: {len(verdicts)} obligations: {agree} agree with z3, {disagreements} disagree, "
          f"{undecided} undecided by cvc5, {beyond} decided by cvc5 only", file=out)
    return disagreements
