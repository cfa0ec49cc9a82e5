"""Proof obligations and their outcomes.

An obligation is one fact the verifier must establish at one place in the
source (DESIGN §4).  Only ``proved`` counts: ``failed`` carries a
counterexample in source terms, and a solver timeout is ``unknown``, never
``proved``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from tamapy.lang.ir import Span


class Category(StrEnum):
    """What kind of run-time error or protocol rule an obligation rules out."""

    RANGE = "range"
    """A value fits its machine type (overflow, underflow, narrowing, intermediates)."""
    INDEX = "index"
    """Index and slice bounds."""
    DIVISION = "division"
    """Division or modulo by zero."""
    SHIFT = "shift"
    """Shift amount in 0..width-1."""
    REGISTER = "register"
    """Register rules: field values fit, reserved bits written with their required value."""
    DMA = "dma"
    """Register invariant: addresses given to a DMA engine lie in the board's DMA region, aligned."""
    PROTOCOL = "protocol"
    """Register invariants the spec declares (e.g. RNG output only while healthy)."""
    CLOCK = "clock"
    """Register invariant: a peripheral's clock gate is on before its registers are touched."""
    PRECONDITION = "precondition"
    POSTCONDITION = "postcondition"
    INVARIANT = "invariant"
    """Loop invariant initiation and preservation."""
    ASSERT = "assert"
    TERMINATION = "termination"
    """Loops terminate: a decreasing, bounded measure (polling is bounded by construction)."""
    STACK = "stack"
    """The deepest call chain fits the board's stack."""


class Status(StrEnum):
    PROVED = "proved"
    FAILED = "failed"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Counterexample:
    """Values that break an obligation, named as in the source."""

    arguments: tuple[tuple[str, str], ...]
    locals: tuple[tuple[str, str], ...]
    registers: tuple[tuple[str, str], ...]
    """Register values read on the failing path, e.g. ``UART1.USR1 (line 12)``."""
    ghost: tuple[tuple[str, str], ...]
    """Ghost state such as clock gates."""
    raw_arguments: tuple[tuple[str, int], ...] = ()
    """Argument values as integers, for replaying the failure on the host."""

    def lines(self) -> list[str]:
        out: list[str] = []
        for title, items in (
            ("arguments", self.arguments), ("locals", self.locals),
            ("registers read", self.registers), ("ghost state", self.ghost),
        ):
            if items:
                out.append(f"{title}: " + ", ".join(f"{k} = {v}" for k, v in items))
        return out


@dataclass(frozen=True)
class Obligation:
    id: str
    """Stable identifier: function, category, line, column and a per-place counter."""
    category: Category
    function: str
    span: Span
    message: str
    status: Status = Status.UNKNOWN
    seconds: float = 0.0
    solver: str = ""
    counterexample: Counterexample | None = None
    smt2: str = field(default="", compare=False)
    """The obligation as an SMT-LIB2 script (negated goal: unsat means proved)."""
