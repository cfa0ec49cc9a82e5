"""Re-check every obligation with cvc5, a second solver independent of z3.

A proof is only as good as the solver that found it.  ``--recheck cvc5``
parses each obligation's SMT-LIB2 script (the path condition and the
negated goal: ``unsat`` means proved) with cvc5's own parser and checks it
again.  A decisive answer that contradicts z3 is a *disagreement*, and the
command fails; cvc5 giving up (time limit, unsupported construct) is
reported but changes nothing, since it neither confirms nor refutes z3.

cvc5 is tried in two configurations: bit-vectors translated to integers
(fast on the verifier's 72-bit multiplications and divisions, which
bit-blasting handles slowly) and bit-blasting (fast on bitwise code, where
the integer translation is slow).  Symbols that z3 prints bare but SMT-LIB
only allows quoted are quoted first (:func:`standard_smt2`).
"""

from __future__ import annotations

import importlib
import os
import re
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


ARITHMETIC = ("bvmul", "bvudiv", "bvurem", "bvsdiv", "bvsrem", "bvsmod")
"""Operations that bit-blasting handles slowly at 72 bits and the integer translation handles fast."""

FIRST_SLICE_MS = 1000
"""Time each configuration gets in the first round, before either gets the full limit."""


def check_script(script: str, timeout_ms: int) -> tuple[str, str]:
    """cvc5's answer (``sat``/``unsat``/``unknown``/``error``) on one SMT-LIB2 script, and a detail.

    Each configuration first gets a short slice, the likelier one first
    (integer translation for multiplication and division, bit-blasting for
    bitwise code), then both get the full limit: most scripts are decided
    in the first slice, whichever configuration suits them.
    """
    cvc5 = _cvc5()
    script = standard_smt2(script)
    arithmetic = any(op in script for op in ARITHMETIC)
    configurations = CONFIGURATIONS if arithmetic else tuple(reversed(CONFIGURATIONS))
    limit = max(timeout_ms, 1)
    rounds = [min(limit, FIRST_SLICE_MS), limit] if limit > FIRST_SLICE_MS else [limit]
    notes: list[str] = []
    gave_up = False
    for budget in rounds:
        for name, options in configurations:
            answer, note = _run(cvc5, script, budget, options)
            if answer in ("sat", "unsat"):
                return answer, name
            gave_up |= answer == "unknown"
            notes.append(f"{name} ({budget} ms): {note}")
            if answer == "error":
                return "error", "; ".join(notes)
    return ("unknown" if gave_up else "error"), "; ".join(notes)


def _run(cvc5: Any, script: str, budget_ms: int, options: tuple[tuple[str, str], ...]) -> tuple[str, str]:
    """One cvc5 run: (``sat``/``unsat``/``unknown``/``error``, what cvc5 said)."""
    tm = cvc5.TermManager()
    solver = cvc5.Solver(tm)
    try:
        for key, value in (*BASE_OPTIONS, ("tlimit-per", str(budget_ms)), *options):
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
        return "error", str(exc).strip() or type(exc).__name__
    if len(answers) != 1:
        return "error", f"expected one check-sat answer, got {answers!r}"
    word = answers[0].split()[0]
    return (word if word in ("sat", "unsat") else "unknown"), answers[0]


_SIMPLE = re.compile(r"[A-Za-z~!@$%^&*_+=<>.?/-][A-Za-z0-9~!@$%^&*_+=<>.?/-]*")
_LITERAL = re.compile(r"[0-9]+(\.[0-9]+)?|#x[0-9A-Fa-f]+|#b[01]+|:[A-Za-z0-9~!@$%^&*_+=<>.?/-]+")
_TOKEN = re.compile(r'\s+|;[^\n]*|"(?:[^"]|"")*"|\|[^|]*\||[()]|[^\s()";|]+|[\s\S]')
"""Whitespace, comment, string, quoted symbol, parenthesis, other token; or any one character (so every
character is kept)."""


def standard_smt2(script: str) -> str:
    """``script`` with every symbol that SMT-LIB 2.6 only allows quoted put in ``|...|``.

    z3 prints some symbols bare that the standard does not allow bare
    (``CCGR5'!16``); cvc5 and other solvers reject those.  Everything else
    is left as it is.
    """
    out: list[str] = []
    for m in _TOKEN.finditer(script):
        token = m.group(0)
        if token[0].isspace() or token[0] in ';"|()' or _SIMPLE.fullmatch(token) or _LITERAL.fullmatch(token):
            out.append(token)
        else:
            out.append(f"|{token}|")
    return "".join(out)


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
