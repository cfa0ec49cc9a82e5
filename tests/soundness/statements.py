"""Random statements for one generated function body.

Locals are all declared at the top of the body (so no read is of a
possibly unassigned name, E212); loops, branches and calls then assign
them.  ``while`` loops count a dedicated local up to a bound, so each has
a termination measure; ``for`` loops run over constants or an array's
length.  Loop bodies may ``break`` and ``continue``, conditions call
helpers with effects (also inside ``while`` conditions and ``and``/``or``).
"""

from __future__ import annotations

import random

from tests.soundness.expressions import Exprs
from tests.soundness.types import ELEMENTS, SCALARS, U32, Arr, IntType, Scope, Var

IND = "    "


class Body:
    """Statement generator for one function; ``prelude`` collects the local declarations."""

    def __init__(self, rng: random.Random, scope: Scope, risk: float, ret: IntType | None) -> None:
        self.rng = rng
        self.scope = scope
        self.x = Exprs(rng, scope, risk)
        self.ret = ret
        self.prelude: list[str] = []

    def declare_locals(self) -> None:
        """Two to four integer locals, maybe a bool and a local array."""
        for _ in range(self.rng.randint(1, 2)):
            t = self.rng.choice(SCALARS)
            name = self.scope.fresh("v")
            self.prelude.append(f"{name}: {t.name} = {self.x.literal(t)}")
            self.scope.vars.append(Var(name, t, "local"))
        if self.rng.random() < 0.4:
            name = self.scope.fresh("b")
            self.prelude.append(f"{name}: bool = {self.rng.choice(['True', 'False'])}")
            self.scope.vars.append(Var(name, None, "local"))
        if self.rng.random() < 0.35:
            elem, n = self.rng.choice(ELEMENTS), self.rng.choice([4, 8, 5])
            name = self.scope.fresh("L")
            self.prelude.append(f"{name}: Array[{elem.name}, {n}] = Array[{elem.name}, {n}]()")
            self.scope.arrays.append(Arr(name, elem, n, True, False))
            if self.rng.random() < 0.5:
                self.prelude += self.fill(name, elem, n)

    def fill(self, name: str, elem: IntType, n: int) -> list[str]:
        """Loops writing the new local array ``name`` right after its declaration: every element
        before any read (the image then leaves the zeroing out: ``lang/initialised.py``), or a
        near miss (a gap, a read of the element being written or of one ahead) where a read must
        still see the zeroing."""
        k = self.rng.randint(1, n - 1)
        c = self.rng.randint(1, k)
        lo, hi, read = k, n, f"{name}[{{v}} - {c}]"
        miss = self.rng.choice(["none", "none", "gap", "self", "ahead", "short"])
        if miss == "gap":
            lo = k + 1 if k + 1 < n else k
        elif miss == "self":
            read = f"{name}[{{v}}]"
        elif miss == "ahead":
            read, hi = f"{name}[{{v}} + 1]", n - 1
        elif miss == "short":
            hi = n - 1
        first, second = self.scope.fresh("i"), self.scope.fresh("i")
        mask = (1 << elem.bits) - 1
        return [f"for {first} in range(0, {k}):", IND + f"{name}[{first}] = {self.x.literal(elem)}",
                f"for {second} in range({lo}, {hi}):",
                IND + f"{name}[{second}] = ({read.format(v=second)} ^ {self.rng.randint(0, mask)}) & {mask}"]

    def block(self, depth: int, count: int) -> list[str]:
        out: list[str] = []
        for _ in range(count):
            out += self.statement(depth)
        return out or ["pass"]

    def statement(self, depth: int) -> list[str]:
        kinds = ["assign", "assign", "guarded", "store", "call", "global", "bool"]
        if depth > 0:
            kinds += ["if", "if", "for", "while"]
        if self.scope.loop_depth > 0:
            kinds += ["exit", "exit"]
        kinds += ["return", "assert"]
        kind = self.rng.choice(kinds)
        handler = getattr(self, f"_{kind}")
        result: list[str] = handler(depth)
        return result

    def _assign(self, depth: int) -> list[str]:
        targets = [v for v in self.scope.targets() if v.kind == "local"]
        if not targets:
            return self._call(depth)
        v = self.rng.choice(targets)
        assert v.type is not None
        op = "+=" if self.x.risky() else "="
        return [f"{v.name} {op} {self.x.int_expr(v.type, self.rng.randint(1, 2))}"]

    def _global(self, depth: int) -> list[str]:
        targets = [v for v in self.scope.targets() if v.kind == "global"]
        if not targets:
            return self._assign(depth)
        v = self.rng.choice(targets)
        assert v.type is not None
        self.scope.globals_written.add(v.name)
        if self.rng.random() < 0.5:
            guard, update = self.x.guard_for(v.type, v.name)
            return [f"if {guard}:", IND + update]
        return [f"{v.name} = {self.x.int_expr(v.type, 1)}"]

    def _guarded(self, depth: int) -> list[str]:
        targets = self.scope.targets()
        if not targets:
            return self._call(depth)
        v = self.rng.choice(targets)
        assert v.type is not None
        if v.kind == "global":
            self.scope.globals_written.add(v.name)
        guard, update = self.x.guard_for(v.type, v.name)
        if self.rng.random() < 0.35:
            guard = f"{guard} and {self.x.cond(0)}"  # the second operand may call a helper that moves v
        return [f"if {guard}:", IND + update]

    def _store(self, depth: int) -> list[str]:
        arrays = [a for a in self.scope.arrays if a.writable]
        if not arrays:
            return self._assign(depth)
        a = self.rng.choice(arrays)
        i = self.x.index(a)
        if i is None:
            return self._assign(depth)
        return [f"{a.name}[{i}] = {self.x.int_expr(a.elem, 1)}"]

    def _call(self, depth: int) -> list[str]:
        helpers = [h for h in self.scope.helpers if self.x.can_call(h)]
        if not helpers:
            return ["pass"]
        return [self.x.call(self.rng.choice(helpers))]

    def _bool(self, depth: int) -> list[str]:
        bools = [v for v in self.scope.bools() if v.kind == "local"]
        if not bools:
            return self._call(depth)
        return [f"{self.rng.choice(bools).name} = {self.x.cond(1)}"]

    def _if(self, depth: int) -> list[str]:
        ints = self.scope.ints(U32)
        cond = self.x.cond(1)
        if ints and self.rng.random() < 0.1:
            cond = self.rng.choice(ints).name  # an integer condition compares with 0
        out = [f"if {cond}:", *self.indent(self.block(depth - 1, self.rng.randint(1, 2)))]
        if self.rng.random() < 0.3:
            out += [f"elif {self.x.cond(1)}:", *self.indent(self.block(depth - 1, 1))]
        if self.rng.random() < 0.4:
            out += ["else:", *self.indent(self.block(depth - 1, self.rng.randint(1, 2)))]
        return out

    def _for(self, depth: int) -> list[str]:
        var = self.scope.fresh("i")
        arrays = [a for a in self.scope.arrays if a.length is not None or self.rng.random() < 0.5]
        over: Arr | None = None
        r = self.rng.random()
        if arrays and r < 0.5:
            over = self.rng.choice(arrays)
            header = f"for {var} in range(0, len({over.name})):"
        elif r < 0.7:
            n = self.rng.randint(0, 8)
            header = f"for {var} in range({n}, 0, -1):"
        else:
            lo = self.rng.randint(0, 3)
            step = self.rng.choice([1, 1, 2, 3])
            header = f"for {var} in range({lo}, {self.rng.randint(lo, 9)}, {step}):"
        inv: list[str] = []
        if self.x.risky():
            inv = [f"invariant({self.x.pure_cond()})"]
        return [header, *self.indent(inv + self.loop_body(depth, Var(var, U32, "loop"), over))]

    def _while(self, depth: int) -> list[str]:
        w = self.scope.fresh("w")
        self.prelude.append(f"{w}: u32 = 0")
        bound = self.rng.randint(0, 10)
        cond = f"{w} < {bound}"
        if self.rng.random() < 0.6:
            op = "or" if self.x.risky() else "and"
            cond = f"{cond} {op} {self.x.cond(1)}"
        measure = f"{w}" if self.x.risky() else f"{bound} - {w}"
        head = [f"invariant({w} <= {bound})"] if not self.x.risky() else []
        if self.x.risky():
            head.append(f"invariant({self.x.pure_cond()})")
        head += [f"decreases({measure})", f"{w} += 1"]
        body = self.loop_body(depth, None, None)
        return [f"{w} = 0", f"while {cond}:", *self.indent(head + body)]

    def loop_body(self, depth: int, var: Var | None, over: Arr | None) -> list[str]:
        """The body of a loop, with ``var`` (and what it indexes) in scope only inside it."""
        saved_vars, saved_safe = list(self.scope.vars), dict(self.scope.safe)
        if var is not None:
            self.scope.vars.append(var)
        if over is not None and var is not None:
            self.scope.safe[over.name] = var.name
        self.scope.loop_depth += 1
        body = self.block(depth - 1, self.rng.randint(1, 2))
        self.scope.loop_depth -= 1
        self.scope.vars, self.scope.safe = saved_vars, saved_safe
        return body

    def _exit(self, depth: int) -> list[str]:
        return [f"if {self.x.cond(1)}:", IND + self.rng.choice(["break", "continue"])]

    def _return(self, depth: int) -> list[str]:
        if self.rng.random() < 0.5:
            return self._assign(depth)
        return [f"if {self.x.cond(1)}:", IND + self.return_stmt()]

    def _assert(self, depth: int) -> list[str]:
        ints = self.scope.ints(U32)
        if ints and not self.x.risky():
            v = self.rng.choice(ints)
            assert v.type is not None
            return [f"assert {v.name} <= {v.type.hi}" if self.rng.random() < 0.5
                    else f"assert ({v.name} & 7) < 8"]
        return [f"assert {self.x.pure_cond()}"]

    def return_stmt(self) -> str:
        if self.ret is None:
            return f"return {self.x.cond(1)}"
        return f"return {self.x.int_expr(self.ret, 1)}"

    @staticmethod
    def indent(lines: list[str]) -> list[str]:
        return [IND + line for line in lines]
