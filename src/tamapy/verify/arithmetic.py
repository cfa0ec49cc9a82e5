"""Integer operators in the encoding: exact values, and the checks each operation carries.

In code, every operator's result is computed exactly (72-bit terms, 136
bits for 64-bit products and shifts) and must fit its machine type.  In
ghost code (contracts, invariants, measures) the operators are Python's
unbounded integers: there is no machine type to fit, but the exact term
must stay inside the 72-bit range where it *is* the mathematical value, so
a contract that would need more bits fails rather than wrapping.  Division
and shifts are checked in both (CPython raises on them in contracts too).
"""

from __future__ import annotations

from typing import Protocol

import z3

from tamapy.lang import ir
from tamapy.verify.obligation import Category
from tamapy.verify.state import WIDE, WIDTH, State, Value, bv, fits, int_of

EXACT_MIN, EXACT_MAX = -(1 << (WIDTH - 1)), (1 << (WIDTH - 1)) - 1
"""The range in which a 72-bit term is the exact value of a ghost expression."""
GHOST_SHIFT_LIMIT = 64
"""Shift amounts allowed in ghost code (larger ones would leave the exact range)."""

_COMPARISONS = {"eq": lambda x, y: x == y, "ne": lambda x, y: x != y, "lt": lambda x, y: x < y,
                "le": lambda x, y: x <= y, "gt": lambda x, y: x > y, "ge": lambda x, y: x >= y}


class Encoding(Protocol):
    """What operator encoding needs from the function encoder."""

    @property
    def ghost(self) -> bool:
        """True while a contract, invariant or measure is being encoded."""

    def oblige(self, state: State, category: Category, span: ir.Span, goal: z3.BoolRef, message: str) -> None: ...

    def expr(self, e: ir.Expr, state: State) -> Value: ...

    def join(self, state: State, exits: list[State]) -> None: ...


def scalar(v: Value) -> z3.BitVecRef:
    """A truth value as 0/1, an integer as itself."""
    if isinstance(v, z3.BoolRef):
        return z3.If(v, bv(1), bv(0))
    assert isinstance(v, z3.BitVecRef)
    return v


def _unsigned(e: ir.Expr, ghost: bool) -> ir.IntType | None:
    """The unsigned type ``e``'s value is known to lie in, if any.  Code checks every result
    against its type; ghost arithmetic does not, so there only leaves (variables, elements,
    constants, conversions) are bounded by their type."""
    t = ir.scalar_int(e.type)
    if t is None or t.signed or (ghost and isinstance(e, ir.Binary | ir.Unary | ir.IfExp)):
        return None
    return t


class Arithmetic:
    """Unary and binary operators, comparisons and conversions of one function's encoding."""

    def __init__(self, encoding: Encoding) -> None:
        self.enc = encoding

    def fits_result(self, state: State, e: ir.Expr, value: z3.BitVecRef) -> None:
        """Code: the result fits its type.  Ghost code: the term is exact (no 72-bit wrap)."""
        if self.enc.ghost:
            return  # exactness is stated where the wide term exists (see ``_exact``)
        t = int_of(e.type)
        self.enc.oblige(state, Category.RANGE, e.span, fits(value, t), f"result may not fit {t} ({t.min}..{t.max})")

    def _exact(self, state: State, e: ir.Expr, wide: z3.BitVecRef) -> None:
        ok = z3.And(wide >= z3.BitVecVal(EXACT_MIN, wide.size()), wide <= z3.BitVecVal(EXACT_MAX, wide.size()))
        self.enc.oblige(state, Category.RANGE, e.span, ok,
                        "contract arithmetic may exceed the verifier's exact range (|value| < 2**71)")

    def _widened(self, state: State, e: ir.Expr, wide: z3.BitVecRef, t: ir.IntType, what: str) -> z3.BitVecRef:
        """A term computed at WIDE bits: exact in ghost code, else fitting ``t``; then narrowed."""
        if self.enc.ghost:
            self._exact(state, e, wide)
        else:
            ok = z3.And(wide >= z3.BitVecVal(t.min, WIDE), wide <= z3.BitVecVal(t.max, WIDE))
            self.enc.oblige(state, Category.RANGE, e.span, ok, f"{what} may not fit {t} ({t.min}..{t.max})")
        return z3.Extract(WIDTH - 1, 0, wide)

    @staticmethod
    def _wide(v: z3.BitVecRef) -> z3.BitVecRef:
        return z3.SignExt(WIDE - WIDTH, v)

    def unary(self, e: ir.Unary, state: State) -> Value:
        v = self.enc.expr(e.operand, state)
        if e.op == "not":
            assert isinstance(v, z3.BoolRef)
            return z3.Not(v)
        assert isinstance(v, z3.BitVecRef)
        if self.enc.ghost:
            return self._widened(state, e, -self._wide(v) if e.op == "neg" else ~self._wide(v), int_of(e.type), "")
        r = -v if e.op == "neg" else ~v
        self.fits_result(state, e, r)
        return r

    def _operand(self, e: ir.Expr, state: State, masked: bool) -> Value:
        """An operand; under ``&`` a ``~x`` is exempt from its own range check: the mask
        makes the result fit (checked on the ``&``), as in ``~x & 0xFFFF_FFFF``."""
        if masked and isinstance(e, ir.Unary) and e.op == "invert" and not self.enc.ghost:
            v = self.enc.expr(e.operand, state)
            assert isinstance(v, z3.BitVecRef)
            return ~v
        return self.enc.expr(e, state)

    def binary(self, e: ir.Binary, state: State) -> z3.BitVecRef:
        a = self._operand(e.left, state, e.op == "and")
        b = self._operand(e.right, state, e.op == "and")
        assert isinstance(a, z3.BitVecRef) and isinstance(b, z3.BitVecRef)
        t = int_of(e.type)
        if e.op in ("and", "or", "xor"):
            r = {"and": a & b, "or": a | b, "xor": a ^ b}[e.op]
            self.fits_result(state, e, r)
            return r
        if e.op in ("add", "sub"):
            if self.enc.ghost:
                wa, wb = self._wide(a), self._wide(b)
                return self._widened(state, e, wa + wb if e.op == "add" else wa - wb, t, "")
            r = a + b if e.op == "add" else a - b
            self.fits_result(state, e, r)
            return r
        if e.op == "mul":
            if t.bits <= 32 and not self.enc.ghost:
                r = a * b
                self.fits_result(state, e, r)
                return r
            return self._widened(state, e, self._wide(a) * self._wide(b), t, "product")
        if e.op in ("floordiv", "mod"):
            return self._divide(e, a, b, state)
        return self._shift(e, a, b, state)

    def _divide(self, e: ir.Binary, a: z3.BitVecRef, b: z3.BitVecRef, state: State) -> z3.BitVecRef:
        self.enc.oblige(state, Category.DIVISION, e.right.span, b != bv(0), "divisor may be zero")
        lt, rt = _unsigned(e.left, self.enc.ghost), _unsigned(e.right, self.enc.ghost)
        if lt is not None and rt is not None:
            # Both operands lie in unsigned types: Python's floor division is the machine's
            # unsigned one, at their width.  Its two laws are stated alongside, so proofs that
            # need only them do not have to reason through the divider's circuit.
            w = max(lt.bits, rt.bits)
            x, y = z3.Extract(w - 1, 0, a), z3.Extract(w - 1, 0, b)
            q, m = z3.UDiv(x, y), z3.URem(x, y)
            state.assume_in_place(z3.Implies(y != 0, z3.And(z3.ULE(q, x), z3.ULT(m, y))))
            r = z3.ZeroExt(WIDTH - w, q if e.op == "floordiv" else m)
            if self.enc.ghost:
                return r  # no larger than the dividend: exact
        elif self.enc.ghost:
            wa, wb = self._wide(a), self._wide(b)
            safe = z3.If(wb == 0, z3.BitVecVal(1, WIDE), wb)
            mod = wa % safe
            return self._widened(state, e, mod if e.op == "mod" else (wa - mod) / safe, int_of(e.type), "")
        else:
            safe = z3.If(b == bv(0), bv(1), b)
            mod = a % safe  # bvsmod: the remainder takes the divisor's sign, as in Python
            r = mod if e.op == "mod" else (a - mod) / safe
        self.fits_result(state, e, r)
        return r

    def _shift(self, e: ir.Binary, a: z3.BitVecRef, b: z3.BitVecRef, state: State) -> z3.BitVecRef:
        t = int_of(e.type)
        limit = GHOST_SHIFT_LIMIT if self.enc.ghost else t.bits
        self.enc.oblige(state, Category.SHIFT, e.right.span, z3.And(b >= bv(0), b < bv(limit)),
                        f"shift amount may be outside 0..{limit - 1}")
        amount = z3.If(z3.And(b >= bv(0), b < bv(limit)), b, bv(0))
        if e.op == "rshift":
            return a >> amount
        return self._widened(state, e, self._wide(a) << z3.ZeroExt(WIDE - WIDTH, amount), t, "shifted value")

    def compare(self, e: ir.Compare, state: State) -> z3.BoolRef:
        current = state
        left = scalar(self.enc.expr(e.operands[0], current))
        parts: list[z3.BoolRef] = []
        exits: list[State] = []
        for i, op in enumerate(e.ops):
            right = scalar(self.enc.expr(e.operands[i + 1], current))
            part = _COMPARISONS[op](left, right)
            parts.append(part)
            if i < len(e.ops) - 1:  # a chain stops at the first false link
                exits.append(current.assume(z3.Not(part)))
                current = current.assume(part)
            left = right
        self.enc.join(state, [*exits, current])
        return z3.And(*parts) if len(parts) > 1 else parts[0]

    def convert(self, e: ir.Convert, state: State) -> Value:
        value = scalar(self.enc.expr(e.value, state))
        target = e.type
        if isinstance(target, ir.EnumType):
            self.enc.oblige(state, Category.RANGE, e.span, z3.Or(*[value == bv(x) for _, x in target.members]),
                            f"value may not be a member of {target}")
            return value
        t = int_of(target)
        src = e.value.type
        src_range = (0, 1) if isinstance(src, ir.BoolType) else (int_of(src).min, int_of(src).max)
        if self.enc.ghost or not (t.min <= src_range[0] and src_range[1] <= t.max):
            # In ghost code the operand's type does not bound its value: always check.
            self.enc.oblige(state, Category.RANGE, e.span, fits(value, t), f"value may not fit {t} ({t.min}..{t.max})")
        return value
