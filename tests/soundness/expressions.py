"""Random expressions and conditions for generated subset programs.

Each choice comes in a *safe* shape, which the verifier should be able to
prove (masked operands, guarded divisors, masked indices), and a *risky*
one, which may overflow, divide by zero or index out of bounds.  ``risk``
is the probability of a risky shape, set per program: the mix gives both
fully proved programs (which the oracle runs) and near misses (which
exercise the verifier's refusals).

An expression is generated with the type the checker will give it (a
literal takes the type of the other operand, so a literal inside a
compound expression is kept small enough to fit any of them, and masks fit
the masked operand's type).
"""

from __future__ import annotations

import random

from tests.soundness.types import (
    I32,
    U8,
    U16,
    U32,
    U64,
    Arr,
    Helper,
    IntType,
    Scope,
    compatible,
    join,
)

BINOPS = ("+", "+", "-", "-", "*", "//", "%", "&", "&", "|", "^", ">>", "<<")
"""Weighted: symbolic multiplication and division are the slowest obligations."""
COMPARES = ("<", "<=", ">", ">=", "==", "!=")
E = tuple[str, IntType | None]
"""Expression text and its type (None: an untyped literal)."""


class Exprs:
    """Expression generator over one function's scope."""

    def __init__(self, rng: random.Random, scope: Scope, risk: float) -> None:
        self.rng = rng
        self.scope = scope
        self.risk = risk
        self.pure = False
        """Set while generating contracts and invariants, which may not call functions."""
        self.nest = 0
        """Calls and elements being generated around the current point (bounds the nesting)."""

    def risky(self) -> bool:
        return self.rng.random() < self.risk

    def literal(self, t: IntType) -> str:
        """A literal of type ``t``, for a place of that type (never inside a compound expression)."""
        r = self.rng.random()
        if r < 0.6:
            v = self.rng.randint(0, min(t.hi, 20))
        elif r < 0.75 and t.signed:
            v = -self.rng.randint(1, 20)
        elif r < 0.85:
            v = self.rng.choice([t.hi, t.lo, t.hi - 1, t.hi // 2])
        else:
            v = self.rng.randint(max(t.lo, -1000), min(t.hi, 100000))
        return f"({v})" if v < 0 else str(v)

    def mask(self, t: IntType, of: IntType | None) -> int:
        """A mask whose values fit ``t`` with room for one addition, and that fits ``of``."""
        m = self.rng.choice([0x7, 0xF, 0x3F, 0x7F]) if t.bits <= 8 else self.rng.choice([0xFF, 0xFFF, 0x7FFF])
        return m if of is None or of.signed else min(m, of.hi >> 1)

    def masked(self, e: E, t: IntType) -> E:
        return f"({e[0]} & {self.mask(t, e[1])})", e[1]

    def fit(self, e: E, t: IntType) -> E:
        """``e`` as is when its type fits ``t`` (or, risky, anyway), else masked."""
        if e[1] is None or t.contains(e[1]) or self.risky():
            return e
        return self.masked(e, t)

    def atom(self, t: IntType, small: bool) -> E:
        """A literal, a variable, an element, a length or a call; ``small`` literals fit every type."""
        kind = self.rng.choice(["lit", "var", "var", "var", "elem", "len", "call"])
        if kind == "var":
            cands = self.scope.ints(t)
            if cands:
                v = self.rng.choice(cands)
                return self.fit((v.name, v.type), t)
        if kind == "elem" and self.nest < 2:
            elem = self.element(t)
            if elem:
                return elem
        if kind == "len" and t.hi >= 255:
            arrays = [a for a in self.scope.arrays if a.length is not None or t in (U32, U64)]
            if arrays:
                return f"len({self.rng.choice(arrays).name})", U32
        if kind == "call" and not self.pure and self.nest == 0:
            call = self.call_int(t)
            if call:
                return call
        return (str(self.rng.randint(0, 15)), None) if small else (self.literal(t), None)

    def element(self, t: IntType) -> E | None:
        arrays = [a for a in self.scope.arrays if compatible(t, a.elem)]
        if not arrays:
            return None
        a = self.rng.choice(arrays)
        self.nest += 1
        i = self.index(a)
        self.nest -= 1
        if i is None:
            return None
        return self.fit((f"{a.name}[{i}]", a.elem), t)

    def index(self, a: Arr) -> str | None:
        """An index into ``a``: a loop variable running over it, masked or reduced modulo its
        length, or (risky) unguarded; None when a view has no safe index here."""
        if a.name in self.scope.safe and self.rng.random() < 0.7:
            return self.scope.safe[a.name]
        e = self.typed(U32, 0, True)
        i = e[0]
        if self.risky() and (e[1] is not None or a.length is None):
            return self.rng.choice([i, f"{i} + 1", f"{i} % len({a.name})"])
        if a.length is None:
            return None
        if a.length & (a.length - 1) == 0 and self.rng.random() < 0.6:
            return f"({i}) & {a.length - 1}"
        return f"({i}) % {a.length}"

    def call_int(self, t: IntType) -> E | None:
        helpers = [h for h in self.scope.helpers
                   if h.ret is not None and compatible(t, h.ret) and self.can_call(h)]
        if not helpers:
            return None
        h = self.rng.choice(helpers)
        return self.fit((self.call(h), h.ret), t)

    def call(self, h: Helper) -> str:
        """A call of ``h``: each argument of the parameter's type, an index kept below its bound."""
        args: list[str] = []
        self.nest += 1
        taken: set[str] = set()
        for p in h.params:
            if p.array is not None:
                args.append(self.array_arg(p.array, h, taken))
            elif p.type is None:
                args.append(self.cond(1))
            elif p.bound is not None and not self.risky():
                args.append(f"({self.int_expr(U32, 0)}) % {p.bound}")
            else:
                args.append(self.int_expr(p.type, 1))
        self.nest -= 1
        self.scope.globals_used |= h.globals_used
        return f"{h.name}({', '.join(args)})"

    def can_call(self, h: Helper) -> bool:
        """Whether every array or view parameter of ``h`` can get its own argument in scope."""
        taken: set[str] = set()
        for p in h.params:
            if p.array is not None:
                fits = self.sources(p.array, h, True, taken)
                if not fits:
                    return False
                taken.add(fits[0].name)
        return True

    def sources(self, want: Arr, h: Helper, risky: bool, taken: set[str]) -> list[Arr]:
        """Arrays in scope that fit an array or view parameter of ``h`` and are not yet passed.

        Unless ``risky``, module arrays ``h`` also uses by name are left out
        (passing one would alias it: a precondition failure).
        """
        fits = [a for a in self.scope.arrays if a.elem == want.elem and a.name not in taken and (
            want.length is None or (a.writable and a.length == want.length))
            and ("." not in a.name or (want.length is None and a.elem == U8))]  # a member: only bytes, as a view
        return fits if risky else [a for a in fits if a.name not in h.globals_used] or fits

    def array_arg(self, want: Arr, h: Helper, taken: set[str]) -> str:
        """An argument for an array or view parameter: a matching array, or a slice for a view."""
        a = self.rng.choice(self.sources(want, h, self.risky(), taken) or self.sources(want, h, True, set()))
        taken.add(a.name)
        if want.length is not None or self.rng.random() < 0.4:
            return a.name
        return self.slice(a)

    def slice(self, a: Arr) -> str:
        if a.length is not None and not self.risky():
            lo = self.rng.randint(0, a.length)
            return f"{a.name}[{lo}:{self.rng.randint(lo, a.length)}]"
        j = self.int_expr(U32, 0)
        if a.length is not None and self.rng.random() < 0.5:
            return f"{a.name}[0:({j}) % {a.length + 1}]"
        return f"{a.name}[{j}:len({a.name})]"

    def int_expr(self, t: IntType, depth: int) -> str:
        return self.typed(t, depth, False)[0]

    def typed(self, t: IntType, depth: int, small: bool) -> E:
        """An integer expression meant for a place of type ``t``, with its type."""
        if depth <= 0 or self.rng.random() < 0.4:
            return self.atom(t, small)
        op = self.rng.choice(BINOPS)
        safe = not self.risky()
        sub = t if t.bits >= 16 or not safe else U8
        a, b = self.typed(sub, depth - 1, True), self.typed(sub, depth - 1, True)
        if a[1] is None and b[1] is None:
            return a
        ty = join(a[1], b[1])
        if op in ("+", "-", "*"):
            # Without a wider context (a comparison) the operation is computed in the operands' type.
            place = ty if ty is not None and t.contains(ty) and ty.signed == t.signed else t
            return self.arith(place, op, a, b, safe), ty
        if op in ("//", "%"):
            return f"({a[0]} {op} {self.divisor(b, safe)})", ty
        if op in (">>", "<<"):
            return self.shift(op, a, safe), a[1]
        return f"({a[0]} {op} {b[0]})", ty

    def arith(self, t: IntType, op: str, a: E, b: E, safe: bool) -> str:
        if not safe:
            return f"({a[0]} {op} {b[0]})"
        if op == "-" and not t.signed:
            m = min(self.mask(t, a[1]), self.mask(t, b[1]))
            return f"(({a[0]} & {m}) | {m + 1}) - ({b[0]} & {m})"
        m = (0xF if op == "*" else 0x7F) if t.bits <= 8 else 0xFF
        if t.signed and op != "*":
            m = 0xFFFF
        ma, mb = (m if e[1] is None or e[1].signed else min(m, e[1].hi) for e in (a, b))
        return f"(({a[0]} & {ma}) {op} ({b[0]} & {mb}))"

    def divisor(self, b: E, safe: bool) -> str:
        if not safe:
            return b[0]
        return self.rng.choice([f"(({b[0]} & 7) + 1)", str(self.rng.randint(1, 9)), str(self.rng.randint(1, 9))])

    def shift(self, op: str, a: E, safe: bool) -> str:
        if op == ">>":
            amount = str(self.rng.randint(0, 7)) if safe else self.int_expr(U8, 0)
            return f"({a[0]} >> {amount})"
        if safe:
            return f"(({a[0]} & 0xF) << {self.rng.randint(0, 3)})"
        return f"({a[0]} << {self.rng.randint(0, 9)})"

    def operand(self, t: IntType) -> E:
        """A typed operand (not a bare literal), for comparisons."""
        for _ in range(6):
            e = self.typed(t, 1, True)
            if e[1] is not None:
                return e
        return e

    def compare(self) -> str:
        t = self.rng.choice([U32, U32, I32, U64, U8, U16])
        a = self.operand(t)
        if self.rng.random() < 0.5 and a[1] is not None:
            return f"{a[0]} {self.rng.choice(COMPARES)} {self.literal(a[1])}"
        if a[1] is None:
            return f"{a[0]} {self.rng.choice(COMPARES)} {self.rng.randint(0, 15)}"
        b = self.typed(t, 1, True) if self.rng.random() < 0.6 else (self.literal(a[1]), None)
        if self.rng.random() < 0.15:
            return f"{self.rng.randint(0, 15)} <= {a[0]} < {b[0]}"
        return f"{a[0]} {self.rng.choice(COMPARES)} {b[0]}"

    def cond(self, depth: int) -> str:
        """A bool condition: comparisons, bool helpers and locals, ``not``/``and``/``or``, ``poll``."""
        r = self.rng.random()
        if depth > 0 and r < 0.3:
            op = self.rng.choice(["and", "and", "or"])
            return f"({self.cond(depth - 1)} {op} {self.cond(depth - 1)})"
        if depth > 0 and r < 0.36:
            return f"not ({self.cond(depth - 1)})"
        if r < 0.5 and not self.pure and self.nest == 0:
            bools = [h for h in self.scope.helpers if h.ret is None and self.can_call(h)]
            if bools:
                call = self.call(self.rng.choice(bools))
                if self.rng.random() < 0.15:
                    return f"poll({call}, limit={self.rng.randint(1, 4)})"
                return call
        if r < 0.6 and self.scope.bools():
            return self.rng.choice(self.scope.bools()).name
        return self.compare()

    def pure_cond(self) -> str:
        """A condition without calls, for ``invariant``, ``assert`` and contracts."""
        self.pure = True
        try:
            return self.cond(0)
        finally:
            self.pure = False

    def guard_for(self, t: IntType, name: str) -> tuple[str, str]:
        """A guard and an update of ``name`` (of type ``t``) that the guard keeps in range."""
        k = self.rng.randint(1, 5)
        if self.rng.random() < 0.5:
            bound = t.hi - k + (1 if self.risky() else 0)
            return f"{name} <= {bound}", f"{name} += {k}"
        bound = t.lo + k - (1 if self.risky() else 0)
        return f"{name} >= {bound}", f"{name} -= {k}"


__all__ = ["I32", "U8", "U16", "U32", "U64", "Exprs"]
