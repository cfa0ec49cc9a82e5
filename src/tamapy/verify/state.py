"""The symbolic state the encoder threads through a function, and obligations before solving.

Integers are Z3 bit-vectors of ``WIDTH`` bits holding the exact Python
value: every machine value fits in 64 bits, and each operation's result is
computed wide enough to be exact before the obligation that it fits its
type is stated (DESIGN §4).  A path's variables, clock gates and protocol
invariants live in one :class:`State`; paths meet in :func:`merge`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TypeAlias

import z3

from tamapy.lang import ir
from tamapy.specs.model import Soc
from tamapy.verify.effects import Effects
from tamapy.verify.obligation import Category

WIDTH = 72
WIDE = 136
"""Width for 64-bit products and shifts, exact before their range check."""

Term: TypeAlias = "z3.BitVecRef | z3.BoolRef | z3.ArrayRef"
ViewTerm: TypeAlias = "tuple[z3.ArrayRef, z3.BitVecRef, z3.BitVecRef]"
"""(backing array, offset, length) of a view."""
Value: TypeAlias = "Term | ViewTerm"


def bv(value: int) -> z3.BitVecRef:
    return z3.BitVecVal(value, WIDTH)


def fits(v: z3.BitVecRef, t: ir.IntType) -> z3.BoolRef:
    return z3.And(v >= bv(t.min), v <= bv(t.max))


int_of = ir.machine_int


@dataclass
class State:
    """One symbolic path: its condition and the values of variables and ghost state."""

    pc: z3.BoolRef
    vars: dict[str, Value]
    gates: dict[tuple[str, str], z3.BitVecRef]
    """Clock gates: (CCM register, field) -> field value."""
    ghosts: dict[tuple[int, str], z3.BoolRef] = field(default_factory=dict)
    """Protocol invariants: (instance base address, invariant name) -> holds."""
    facts: int = 0
    """How many facts were added in place: a branch that added some must be merged back."""

    def assume(self, fact: z3.BoolRef) -> State:
        return replace(self, pc=z3.And(self.pc, fact))

    def dead(self) -> State:
        return replace(self, pc=z3.BoolVal(False))

    def assume_in_place(self, fact: z3.BoolRef) -> None:
        """Facts about fresh values (type ranges) hold on every path: add them to this state."""
        self.pc = z3.And(self.pc, fact)
        self.facts += 1

    def become(self, other: State) -> None:
        """Take over ``other``'s path in place (callers hold on to this state object)."""
        self.pc, self.vars, self.gates, self.ghosts = other.pc, other.vars, other.gates, other.ghosts
        self.facts = max(self.facts, other.facts) + 1


@dataclass(frozen=True)
class Pending:
    """An obligation before solving: ``pc`` must imply ``goal``."""

    category: Category
    span: ir.Span
    message: str
    pc: z3.BoolRef
    goal: z3.BoolRef
    snapshot: tuple[tuple[str, Value], ...]
    reads: tuple[tuple[str, z3.BitVecRef], ...]
    gates: tuple[tuple[str, z3.BitVecRef], ...]


@dataclass
class Context:
    """What the encoder needs to know about the rest of the program."""

    functions: dict[str, ir.Function]
    effects: dict[str, Effects]
    globals: dict[str, ir.GlobalVar]
    soc: Soc
    entry: str | None
    dma: tuple[int, int, int] | None = None
    """The board's DMA region: (base, size, alignment)."""

    def gate_of(self, instance: ir.Expr) -> tuple[str, str] | None:
        """The clock gate of a constant register instance (None: no gate, or not constant)."""
        assert isinstance(instance.type, ir.PeripheralType)
        if not isinstance(instance, ir.Const):
            return None
        p = instance.type.peripheral
        name = self.soc.instance_name(p, instance.value)
        return p.clock_of(name) if name else None

    def all_gates(self) -> list[tuple[str, str]]:
        return sorted({(r, f) for p in self.soc.peripherals for _, r, f in p.clocks})

    def in_dma(self, address: z3.BitVecRef, length: z3.BitVecRef) -> z3.BoolRef:
        """``address .. address+length`` lies in the DMA region and is aligned."""
        if self.dma is None:
            return z3.BoolVal(False)
        base, size, align = self.dma
        return z3.And(address >= bv(base), address + length <= bv(base + size), z3.URem(address, bv(align)) == bv(0))


def merge(a: State, b: State) -> State:
    if z3.is_false(a.pc):
        return b
    if z3.is_false(b.pc):
        return a
    names = set(a.vars) | set(b.vars)
    merged: dict[str, Value] = {}
    for n in names:
        x, y = a.vars.get(n), b.vars.get(n)
        if x is None or y is None:
            merged[n] = x if x is not None else y
        elif x is y:
            merged[n] = x
        elif isinstance(x, tuple) and isinstance(y, tuple):
            merged[n] = tuple(z3.If(a.pc, p, q) for p, q in zip(x, y, strict=True))
        else:
            merged[n] = z3.If(a.pc, x, y)
    gates = {g: (v if v is b.gates.get(g) else z3.If(a.pc, v, b.gates[g])) for g, v in a.gates.items()}
    ghosts = {g: (v if v is b.ghosts.get(g) else z3.If(a.pc, v, b.ghosts[g])) for g, v in a.ghosts.items()}
    return State(z3.Or(a.pc, b.pc), merged, gates, ghosts)


def merge_all(states: list[State]) -> State:
    out = states[0]
    for s in states[1:]:
        out = merge(out, s)
    return out
