"""Proof obligations and their outcomes.

An obligation is one fact the verifier must establish at one place in the
source (DESIGN §4).  Only ``proved`` counts: ``failed`` carries a
counterexample in source terms, and a solver timeout is ``unknown``, never
``proved``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from tamapy.lang.ir import Span


class Category(StrEnum):
    """What kind of run-time error or protocol rule an obligation rules out.

    The order is the SARIF rule index; :attr:`description` is the one text
    that says what a proof of the category establishes.
    """

    RANGE = "range"
    INDEX = "index"
    DIVISION = "division"
    SHIFT = "shift"
    REGISTER = "register"
    DMA = "dma"
    PROTOCOL = "protocol"
    CLOCK = "clock"
    PRECONDITION = "precondition"
    POSTCONDITION = "postcondition"
    INVARIANT = "invariant"
    ASSERT = "assert"
    TERMINATION = "termination"
    STACK = "stack"

    @property
    def description(self) -> str:
        """What a proved obligation of this category establishes, in one sentence."""
        return CATEGORY_DESCRIPTIONS[self]


CATEGORY_DESCRIPTIONS: Mapping[Category, str] = {
    Category.RANGE: "A value fits its machine type (overflow, underflow, narrowing, intermediate results).",
    Category.INDEX: "An index or slice bound lies inside the array or view.",
    Category.DIVISION: "The divisor of // or % is not zero.",
    Category.SHIFT: "A shift amount lies in 0..width-1.",
    Category.REGISTER: "A value written to a register field fits it; reserved bits keep their required value.",
    Category.DMA: "An address given to a DMA engine lies in the board's DMA region and is aligned.",
    Category.PROTOCOL: "A register invariant the spec declares holds (e.g. RNG output only while the RNG is healthy).",
    Category.CLOCK: "A peripheral's clock gate is on before its registers are touched.",
    Category.PRECONDITION: "A call satisfies the callee's @requires pre-condition.",
    Category.POSTCONDITION: "A function satisfies its @ensures post-condition on every return.",
    Category.INVARIANT: "A loop invariant holds on entry and is preserved by every iteration.",
    Category.ASSERT: "An assert statement cannot fail.",
    Category.TERMINATION: "A loop terminates: its decreases() measure is non-negative and decreases.",
    Category.STACK: "The deepest call chain fits the board's stack.",
}


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
