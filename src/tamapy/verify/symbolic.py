"""Symbolic execution of one IR function into proof obligations.

Values are exact Z3 terms (:mod:`tamapy.verify.state`), so shifts, masks
and field packing are decided, not approximated.  Control flow merges
states with ``If`` terms; loops are cut at their head with the invariants
(what they may change is havocked, :mod:`tamapy.verify.effects`), and calls
are replaced by their contracts, which makes the encoding modular.  Register
accesses, clock gates and protocol invariants are :mod:`tamapy.verify.hardware`'s.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import z3

from tamapy.lang import ir
from tamapy.verify.effects import ANY_GLOBAL, Effects, code_effects, expression_effects, root_name
from tamapy.verify.hardware import Hardware
from tamapy.verify.obligation import Category
from tamapy.verify.state import (
    WIDE,
    WIDTH,
    Context,
    Pending,
    State,
    Value,
    ViewTerm,
    bv,
    fits,
    int_of,
    merge,
    merge_all,
)


@dataclass
class _LoopFrame:
    breaks: list[State] = field(default_factory=list)
    continues: list[State] = field(default_factory=list)


class FunctionEncoder:
    """Encodes one function: walks its body once, collecting an obligation per check it must pass."""

    def __init__(self, fn: ir.Function, ctx: Context) -> None:
        self.fn = fn
        self.ctx = ctx
        self.pending: list[Pending] = []
        self.reads: list[tuple[str, z3.BitVecRef]] = []
        self.loops: list[_LoopFrame] = []
        self.fresh_count = 0
        self.entry_args: dict[str, Value] = {}
        self.pure = 0
        self.hw = Hardware(self)

    # ------------------------------------------------------------ helpers

    def fresh(self, name: str, t: ir.Type) -> tuple[Value, z3.BoolRef]:
        """A new unknown value of type ``t`` and the fact that it is well-typed."""
        self.fresh_count += 1
        tag = re.sub(r"[^A-Za-z0-9_.]", "_", name) + f"!{self.fresh_count}"  # a plain SMT-LIB symbol
        if isinstance(t, ir.BoolType):
            return z3.Bool(tag), z3.BoolVal(True)
        if isinstance(t, ir.ArrayType):
            return z3.Array(tag, z3.BitVecSort(WIDTH), z3.BitVecSort(WIDTH)), z3.BoolVal(True)
        if isinstance(t, ir.ViewType):
            arr = z3.Array(tag, z3.BitVecSort(WIDTH), z3.BitVecSort(WIDTH))
            off, length = z3.BitVec(f"{tag}.off", WIDTH), z3.BitVec(f"{tag}.len", WIDTH)
            return (arr, off, length), z3.And(fits(off, ir.U32), fits(length, ir.U32), fits(off + length, ir.U32))
        if isinstance(t, ir.EnumType):
            v = z3.BitVec(tag, WIDTH)
            return v, z3.Or(*[v == bv(val) for _, val in t.members])
        v = z3.BitVec(tag, WIDTH)
        return v, fits(v, int_of(t))

    def oblige(self, state: State, category: Category, span: ir.Span, goal: z3.BoolRef, message: str) -> None:
        """``goal`` must hold on ``state``'s path (contracts are assumed or proved elsewhere: none there)."""
        if self.pure:
            return
        if z3.is_false(state.pc):
            return
        snapshot = tuple((k, v) for k, v in state.vars.items() if not k.startswith("$"))
        gates = tuple((f"{r}.{f}", v) for (r, f), v in sorted(state.gates.items())) if category is Category.CLOCK else ()
        self.pending.append(Pending(category, span, message, state.pc, goal, snapshot, tuple(self.reads), gates))

    # ------------------------------------------------------------ entry

    def run(self) -> list[Pending]:
        fn = self.fn
        state = State(z3.BoolVal(True), {}, {})
        for p in fn.params:
            value, fact = self.fresh(p.name, p.type)
            state.vars[p.name] = value
            state = state.assume(fact)
        self.entry_args = dict(state.vars)
        is_entry = fn.qualname == self.ctx.entry
        for symbol, g in sorted(self.ctx.globals.items()):
            state = self._init_global(state, symbol, g, is_entry)
        state = self.hw.initial(state, is_entry)
        for req in fn.requires:
            state = state.assume(self.pure_cond(req, state))
        state = self.block(fn.body, state)
        if isinstance(fn.ret, ir.VoidType):
            self._check_ensures(state, None, fn.span)
        return self.pending

    def _init_global(self, state: State, symbol: str, g: ir.GlobalVar, is_entry: bool) -> State:
        if g.const and isinstance(g.init, bytes):
            arr = z3.K(z3.BitVecSort(WIDTH), bv(0))
            for i, b in enumerate(g.init):
                arr = z3.Store(arr, bv(i), bv(b))
            state.vars[f"${symbol}"] = arr
            return state
        if is_entry:
            if isinstance(g.type, ir.ArrayType):
                state.vars[f"${symbol}"] = z3.K(z3.BitVecSort(WIDTH), bv(0))
            elif isinstance(g.type, ir.BoolType):
                state.vars[f"${symbol}"] = z3.BoolVal(bool(g.init))
            else:
                state.vars[f"${symbol}"] = bv(g.init if isinstance(g.init, int) else 0)
            return state
        value, fact = self.fresh(symbol.rsplit(".", 1)[-1], g.type)
        state.vars[f"${symbol}"] = value
        return state.assume(fact)

    def pure_cond(self, e: ir.Expr, state: State) -> z3.BoolRef:
        """A contract expression's value, without obligations of its own."""
        self.pure += 1
        try:
            value = self.expr(e, state)
        finally:
            self.pure -= 1
        assert isinstance(value, z3.BoolRef)
        return value

    def _check_ensures(self, state: State, result: Value | None, span: ir.Span) -> None:
        if not self.fn.ensures:
            return
        env = dict(state.vars)
        # Scalars as they were on entry; arrays (passed by reference) as they are now.
        env.update({k: v for k, v in self.entry_args.items() if not isinstance(v, z3.ArrayRef)})
        if result is not None:
            env["result"] = result
        post = replace(state, vars=env)
        for e in self.fn.ensures:
            self.oblige(state, Category.POSTCONDITION, span, self.pure_cond(e, post),
                        f"post-condition of `{self.fn.name}` (line {e.span.line}) may not hold here")

    # ------------------------------------------------------------ statements

    def block(self, stmts: tuple[ir.Stmt, ...], state: State) -> State:
        for s in stmts:
            if z3.is_false(state.pc):
                break
            state = self.stmt(s, state)
        return state

    def stmt(self, s: ir.Stmt, state: State) -> State:
        if isinstance(s, ir.Assign):
            return self._assign(s, state)
        if isinstance(s, ir.ExprStmt):
            self.expr(s.expr, state)
            return state
        if isinstance(s, ir.If):
            c = self.cond(s.cond, state)
            then = self.block(s.then, state.assume(c))
            orelse = self.block(s.orelse, state.assume(z3.Not(c)))
            return merge(then, orelse)
        if isinstance(s, ir.While):
            return self._while(s, state)
        if isinstance(s, ir.For):
            return self._for(s, state)
        if isinstance(s, ir.Break):
            self.loops[-1].breaks.append(state)
            return state.dead()
        if isinstance(s, ir.Continue):
            self.loops[-1].continues.append(state)
            return state.dead()
        if isinstance(s, ir.Return):
            result = self.expr(s.value, state) if s.value is not None else None
            self._check_ensures(state, result, s.span)
            return state.dead()
        if isinstance(s, ir.Assert):
            c = self.cond(s.cond, state)
            self.oblige(state, Category.ASSERT, s.span, c, "assertion may fail")
            return state.assume(c)
        if isinstance(s, ir.RegWrite):
            return self.hw.reg_write(s, state)
        if isinstance(s, ir.Panic):
            self.expr(s.code, state)
            return state.dead()
        if isinstance(s, ir.Intrinsic):
            return state
        if isinstance(s, ir.MmioWrite):
            self.expr(s.address, state)
            self.expr(s.value, state)
            return self._havoc(state, Effects(names=frozenset({ANY_GLOBAL})))
        raise AssertionError(s)  # pragma: no cover - the IR is closed

    def _assign(self, s: ir.Assign, state: State) -> State:
        target = s.target
        if isinstance(target, ir.Local) and isinstance(target.type, ir.ArrayType):
            state.vars = {**state.vars, target.name: z3.K(z3.BitVecSort(WIDTH), bv(0))}
            return state
        value = self.expr(s.value, state)
        if isinstance(target, ir.Local):
            return replace(state, vars={**state.vars, target.name: value})
        if isinstance(target, ir.GlobalRef):
            return replace(state, vars={**state.vars, f"${target.symbol}": value})
        arr, index = self._element(target, state)
        assert isinstance(value, z3.BitVecRef)
        name = root_name(target.base)
        return replace(state, vars={**state.vars, name: z3.Store(arr, index, value)})

    def _havoc(self, state: State, effects: Effects) -> State:
        """Forget what ``effects`` may change: variables, then clock gates and protocol invariants."""
        types = self._var_types()
        new_vars = dict(state.vars)
        names = set(effects.names)
        if ANY_GLOBAL in names:
            names |= {n for n in types if n.startswith("$")}
        for name in sorted(names):
            t = types.get(name)
            if t is None or name not in new_vars:
                continue
            value, fact = self.fresh(name.lstrip("$"), t)
            new_vars[name] = value
            state = state.assume(fact)
        return self.hw.havoc(replace(state, vars=new_vars), effects)

    def _var_types(self) -> dict[str, ir.Type]:
        types: dict[str, ir.Type] = {p.name: p.type for p in self.fn.params}
        types.update(dict(self.fn.locals))
        types.update({f"${s}": g.type for s, g in self.ctx.globals.items()})
        return types

    def _while(self, s: ir.While, state: State) -> State:
        for inv in s.invariants:
            self.oblige(state, Category.INVARIANT, inv.span, self.pure_cond(inv, state), "loop invariant may not hold on entry")
        # The head is reached again after the body and after the condition: both may change state.
        head = self._havoc(state, code_effects((s,), self.ctx.effects))
        for inv in s.invariants:
            head = head.assume(self.pure_cond(inv, head))
        c = self.cond(s.cond, head)
        body_state = head.assume(c)
        measure: z3.BitVecRef | None = None
        if s.decreases is not None:
            m = self.expr(s.decreases, body_state)
            assert isinstance(m, z3.BitVecRef)
            measure = m
            self.oblige(body_state, Category.TERMINATION, s.decreases.span, m >= bv(0),
                        "decreases() measure may be negative when the loop runs")
        elif not s.forever:
            self.oblige(body_state, Category.TERMINATION, s.span, z3.BoolVal(False),
                        "loop may not terminate: give it a decreases() measure, or wait with poll(..., limit=N)")
        self.loops.append(_LoopFrame())
        end = self.block(s.body, body_state)
        frame = self.loops.pop()
        for back in [end, *frame.continues]:
            for inv in s.invariants:
                self.oblige(back, Category.INVARIANT, inv.span, self.pure_cond(inv, back), "loop invariant may not be preserved")
            if measure is not None:
                after = self.pure_value(s.decreases, back)
                self.oblige(back, Category.TERMINATION, s.decreases.span if s.decreases else s.span,
                            after < measure, "decreases() measure may not decrease in this iteration")
        exit_state = head.assume(z3.Not(c))
        return merge_all([exit_state, *frame.breaks])

    def pure_value(self, e: ir.Expr | None, state: State) -> z3.BitVecRef:
        assert e is not None
        self.pure += 1
        try:
            v = self.expr(e, state)
        finally:
            self.pure -= 1
        assert isinstance(v, z3.BitVecRef)
        return v

    def _for(self, s: ir.For, state: State) -> State:
        start = self.expr(s.start, state)
        stop = self.expr(s.stop, state)
        assert isinstance(start, z3.BitVecRef) and isinstance(stop, z3.BitVecRef)
        entry = replace(state, vars={**state.vars, s.var.name: start})
        for inv in s.invariants:
            self.oblige(entry, Category.INVARIANT, inv.span, self.pure_cond(inv, entry), "loop invariant may not hold on entry")
        body = code_effects(s.body, self.ctx.effects)
        head = self._havoc(state, replace(body, names=body.names - {s.var.name}))
        counter, _ = self.fresh(s.var.name, ir.I64)
        assert isinstance(counter, z3.BitVecRef)
        step = bv(s.step)
        if s.step > 0:
            bound = z3.And(counter >= start, counter <= z3.If(stop > start, stop + step - 1, start))
            more = counter < stop
        else:
            bound = z3.And(counter <= start, counter >= z3.If(stop < start, stop + step + 1, start))
            more = counter > stop
        head = head.assume(z3.And(bound, z3.SRem(counter - start, step) == 0))
        head_vars = replace(head, vars={**head.vars, s.var.name: counter})
        for inv in s.invariants:
            head = head.assume(self.pure_cond(inv, head_vars))
        body_state = replace(head, vars={**head.vars, s.var.name: counter}).assume(more)
        self.loops.append(_LoopFrame())
        end = self.block(s.body, body_state)
        frame = self.loops.pop()
        for back in [end, *frame.continues]:
            nxt = replace(back, vars={**back.vars, s.var.name: counter + step})
            for inv in s.invariants:
                self.oblige(back, Category.INVARIANT, inv.span, self.pure_cond(inv, nxt), "loop invariant may not be preserved")
        previous = state.vars.get(s.var.name)
        last = counter - step
        ran = last if previous is None else z3.If(counter == start, previous, last)
        exit_state = replace(head, vars={**head.vars, s.var.name: ran}).assume(z3.Not(more))
        return merge_all([exit_state, *frame.breaks])

    # ------------------------------------------------------------ expressions

    def cond(self, e: ir.Expr, state: State) -> z3.BoolRef:
        v = self.expr(e, state)
        assert isinstance(v, z3.BoolRef)
        return v

    def expr(self, e: ir.Expr, state: State) -> Value:
        """The value of ``e`` on ``state``'s path, stating the obligations its evaluation carries."""
        return _EXPRESSIONS[type(e)](self, e, state)

    def _const(self, e: ir.Const, state: State) -> Value:
        if isinstance(e.type, ir.BoolType):
            return z3.BoolVal(bool(e.value))
        return bv(e.value)

    def _local(self, e: ir.Local, state: State) -> Value:
        return state.vars[e.name]

    def _global(self, e: ir.GlobalRef, state: State) -> Value:
        return state.vars[f"${e.symbol}"]

    def _unary(self, e: ir.Unary, state: State) -> Value:
        v = self.expr(e.operand, state)
        if e.op == "not":
            assert isinstance(v, z3.BoolRef)
            return z3.Not(v)
        assert isinstance(v, z3.BitVecRef)
        r = -v if e.op == "neg" else ~v
        self._range(state, e, r)
        return r

    def _boolop(self, e: ir.BoolOp, state: State) -> Value:
        acc: list[z3.BoolRef] = []
        current = state
        for v in e.values:
            c = self.cond(v, current)
            acc.append(c)
            current = current.assume(c if e.op == "and" else z3.Not(c))
        self._leak(state, current)
        return z3.And(*acc) if e.op == "and" else z3.Or(*acc)

    def _ifexp(self, e: ir.IfExp, state: State) -> Value:
        c = self.cond(e.cond, state)
        then, orelse = state.assume(c), state.assume(z3.Not(c))
        a = self.expr(e.then, then)
        b = self.expr(e.orelse, orelse)
        self._leak(state, then)
        self._leak(state, orelse)
        return z3.If(c, a, b)

    def _index(self, e: ir.Index, state: State) -> Value:
        arr, index = self._element(e, state)
        if isinstance(e.base.type, ir.ArrayType) and e.base.type.dma:
            # A DMA engine may write its buffers at any time: every read is a fresh value.
            fresh, fact = self.fresh(f"{root_name(e.base)}[]", e.type)
            state.assume_in_place(fact)
            return fresh
        return z3.Select(arr, index)

    def _slice(self, e: ir.SliceView, state: State) -> Value:
        base = self._view(e.base, state)
        start = self.expr(e.start, state)
        stop = self.expr(e.stop, state)
        assert isinstance(start, z3.BitVecRef) and isinstance(stop, z3.BitVecRef)
        self.oblige(state, Category.INDEX, e.span, z3.And(start >= bv(0), start <= stop, stop <= base[2]),
                    "slice bounds may be outside the array")
        return (base[0], base[1] + start, stop - start)

    def _len(self, e: ir.Len, state: State) -> Value:
        return self._view(e.base, state)[2]

    def _poll(self, e: ir.Poll, state: State) -> Value:
        # The condition runs up to ``limit`` times: check it (and leave the state) as after any number of runs.
        state.become(self._havoc(state, expression_effects(e.cond, self.ctx.effects)))
        self.expr(e.cond, state)
        value, _ = self.fresh("poll", ir.BOOL)
        return value

    def _mmio_read(self, e: ir.MmioRead, state: State) -> Value:
        self.expr(e.address, state)
        value, fact = self.fresh("mmio", e.type)
        state.assume_in_place(fact)
        return value

    def _addr_of(self, e: ir.AddrOf, state: State) -> Value:
        value, fact = self.fresh(f"addr_of({root_name(e.base)})", ir.U32)
        assert isinstance(value, z3.BitVecRef) and isinstance(e.base.type, ir.ArrayType)
        if e.base.type.dma and self.ctx.dma is not None:
            fact = z3.And(fact, self.ctx.in_dma(value, bv(e.base.type.size)))
        state.assume_in_place(fact)
        return value

    def _range(self, state: State, e: ir.Expr, value: z3.BitVecRef) -> None:
        t = int_of(e.type)
        self.oblige(state, Category.RANGE, e.span, fits(value, t), f"result may not fit {t} ({t.min}..{t.max})")

    def _operand(self, e: ir.Expr, state: State, masked: bool) -> Value:
        """An operand; under ``&`` a ``~x`` is exempt from its own range check: the mask
        makes the result fit (checked on the ``&``), as in ``~x & 0xFFFF_FFFF``."""
        if masked and isinstance(e, ir.Unary) and e.op == "invert":
            v = self.expr(e.operand, state)
            assert isinstance(v, z3.BitVecRef)
            return ~v
        return self.expr(e, state)

    def _binary(self, e: ir.Binary, state: State) -> z3.BitVecRef:
        a = self._operand(e.left, state, e.op == "and")
        b = self._operand(e.right, state, e.op == "and")
        assert isinstance(a, z3.BitVecRef) and isinstance(b, z3.BitVecRef)
        t = e.type
        if e.op in ("add", "sub", "and", "or", "xor"):
            r = {"add": a + b, "sub": a - b, "and": a & b, "or": a | b, "xor": a ^ b}[e.op]
            self._range(state, e, r)
            return r
        if e.op == "mul":
            if t.bits <= 32:
                r = a * b
                self._range(state, e, r)
                return r
            wide = z3.SignExt(WIDE - WIDTH, a) * z3.SignExt(WIDE - WIDTH, b)
            ok = z3.And(wide >= z3.BitVecVal(t.min, WIDE), wide <= z3.BitVecVal(t.max, WIDE))
            self.oblige(state, Category.RANGE, e.span, ok, f"product may not fit {t} ({t.min}..{t.max})")
            return z3.Extract(WIDTH - 1, 0, wide)
        if e.op in ("floordiv", "mod"):
            self.oblige(state, Category.DIVISION, e.right.span, b != bv(0), "divisor may be zero")
            safe = z3.If(b == bv(0), bv(1), b)
            mod = a % safe  # bvsmod: the remainder takes the divisor's sign, as in Python
            r = mod if e.op == "mod" else (a - mod) / safe
            self._range(state, e, r)
            return r
        self.oblige(state, Category.SHIFT, e.right.span, z3.And(b >= bv(0), b < bv(t.bits)),
                    f"shift amount may be outside 0..{t.bits - 1}")
        amount = z3.If(z3.And(b >= bv(0), b < bv(64)), b, bv(0))
        if e.op == "rshift":
            return a >> amount
        wide = z3.SignExt(WIDE - WIDTH, a) << z3.ZeroExt(WIDE - WIDTH, amount)
        ok = z3.And(wide >= z3.BitVecVal(t.min, WIDE), wide <= z3.BitVecVal(t.max, WIDE))
        self.oblige(state, Category.RANGE, e.span, ok, f"shifted value may not fit {t} ({t.min}..{t.max})")
        return z3.Extract(WIDTH - 1, 0, wide)

    def _compare(self, e: ir.Compare, state: State) -> z3.BoolRef:
        ops = {"eq": lambda x, y: x == y, "ne": lambda x, y: x != y, "lt": lambda x, y: x < y,
               "le": lambda x, y: x <= y, "gt": lambda x, y: x > y, "ge": lambda x, y: x >= y}
        current = state
        left = self._scalar(self.expr(e.operands[0], current))
        parts: list[z3.BoolRef] = []
        for i, op in enumerate(e.ops):
            right = self._scalar(self.expr(e.operands[i + 1], current))
            part = ops[op](left, right)
            parts.append(part)
            current = current.assume(part)
            left = right
        self._leak(state, current)
        return z3.And(*parts) if len(parts) > 1 else parts[0]

    @staticmethod
    def _scalar(v: Value) -> z3.BitVecRef:
        if isinstance(v, z3.BoolRef):
            return z3.If(v, bv(1), bv(0))
        assert isinstance(v, z3.BitVecRef)
        return v

    def _convert(self, e: ir.Convert, state: State) -> Value:
        v = self.expr(e.value, state)
        value = self._scalar(v)
        target = e.type
        if isinstance(target, ir.EnumType):
            self.oblige(state, Category.RANGE, e.span, z3.Or(*[value == bv(x) for _, x in target.members]),
                        f"value may not be a member of {target}")
            return value
        t = int_of(target)
        src = e.value.type
        src_range = (0, 1) if isinstance(src, ir.BoolType) else (int_of(src).min, int_of(src).max)
        if not (t.min <= src_range[0] and src_range[1] <= t.max):
            self.oblige(state, Category.RANGE, e.span, fits(value, t), f"value may not fit {t} ({t.min}..{t.max})")
        return value

    def _view(self, e: ir.Expr, state: State) -> ViewTerm:
        v = self.expr(e, state)
        if isinstance(v, tuple):
            return v
        assert isinstance(v, z3.ArrayRef) and isinstance(e.type, ir.ArrayType)
        return (v, bv(0), bv(e.type.length))

    def _element(self, e: ir.Index, state: State) -> tuple[z3.ArrayRef, z3.BitVecRef]:
        arr, off, length = self._view(e.base, state)
        index = self.expr(e.index, state)
        assert isinstance(index, z3.BitVecRef)
        self.oblige(state, Category.INDEX, e.index.span, z3.And(index >= bv(0), index < length),
                    "index may be out of bounds")
        state.assume_in_place(fits(z3.Select(arr, off + index), e.type))
        return arr, off + index

    def _call(self, e: ir.Call, state: State) -> Value:
        callee = self.ctx.functions[e.function]
        args = [self.expr(a, state) for a in e.args]
        # Contracts see the callee's parameters and the program's globals (shared with the caller).
        env = {k: v for k, v in state.vars.items() if k.startswith("$")}
        env.update({p.name: v for p, v in zip(callee.params, args, strict=True)})
        call_state = replace(state, vars=env)
        for req in callee.requires:
            self.oblige(state, Category.PRECONDITION, e.span, self.pure_cond(req, call_state),
                        f"pre-condition of `{callee.name}` (line {req.span.line}) may not hold")
        result: Value | None = None
        if not isinstance(callee.ret, ir.VoidType):
            result, fact = self.fresh(f"{callee.name}()", callee.ret)
            state.assume_in_place(fact)
        # What the callee may change: globals it writes, arrays passed to it, clock gates.
        eff = self.ctx.effects.get(e.function, Effects())
        for a in e.args:
            viewed = a.base if isinstance(a, ir.SliceView) else a
            if not (isinstance(viewed, ir.GlobalRef) and isinstance(viewed.type, ir.ArrayType)):
                continue
            # A modifiable argument must not be used directly by the callee at all; a read-only
            # view must not be written by it behind the view's back.
            clash = eff.may_touch(viewed.symbol) if isinstance(a.type, ir.ArrayType) else eff.may_write(viewed.symbol)
            if clash:
                self.oblige(state, Category.PRECONDITION, a.span, z3.BoolVal(False),
                            f"`{viewed.symbol}` is passed to `{callee.name}`, which also uses it directly: the two names would alias")
        arrays = {root_name(a) for a in e.args if isinstance(a.type, ir.ArrayType) and isinstance(a, ir.Local | ir.GlobalRef)}
        callee_effects = eff.callee_view()
        after = self._havoc(state, replace(callee_effects, names=callee_effects.names | arrays))
        post_env = {k: v for k, v in after.vars.items() if k.startswith("$")}
        post_env.update({p.name: v for p, v in zip(callee.params, args, strict=True)})
        for a, p in zip(e.args, callee.params, strict=True):
            if isinstance(p.type, ir.ArrayType) and isinstance(a, ir.Local | ir.GlobalRef):
                post_env[p.name] = after.vars[root_name(a)]  # the array as the callee left it
        if result is not None:
            post_env["result"] = result
        for ens in callee.ensures:
            after = after.assume(self.pure_cond(ens, replace(after, vars=post_env)))
        state.become(after)
        return result if result is not None else z3.BoolVal(True)

    def _leak(self, state: State, branch: State) -> None:
        """Calls evaluated only on some paths (short-circuit operands) may still have changed
        variables: havoc in ``state`` whatever ``branch`` changed."""
        changed = {n for n, v in branch.vars.items() if state.vars.get(n) is not v and n in state.vars}
        effects = replace(self.hw.changed(state, branch), names=frozenset(changed))
        if effects.names or effects.gates or effects.accesses:
            state.become(self._havoc(state, effects))


_EXPRESSIONS: dict[type, Callable[[FunctionEncoder, Any, State], Value]] = {
    ir.Const: FunctionEncoder._const,
    ir.Local: FunctionEncoder._local,
    ir.GlobalRef: FunctionEncoder._global,
    ir.Unary: FunctionEncoder._unary,
    ir.Binary: FunctionEncoder._binary,
    ir.Compare: FunctionEncoder._compare,
    ir.BoolOp: FunctionEncoder._boolop,
    ir.IfExp: FunctionEncoder._ifexp,
    ir.Convert: FunctionEncoder._convert,
    ir.Call: FunctionEncoder._call,
    ir.Index: FunctionEncoder._index,
    ir.SliceView: FunctionEncoder._slice,
    ir.Len: FunctionEncoder._len,
    ir.RegRead: lambda enc, e, state: enc.hw.reg_read(e, state),
    ir.Poll: FunctionEncoder._poll,
    ir.MmioRead: FunctionEncoder._mmio_read,
    ir.GhostRead: lambda enc, e, state: enc.hw.ghost(e.instance, e.name, state),
    ir.AddrOf: FunctionEncoder._addr_of,
    ir.ClockOn: lambda enc, e, state: enc.hw.clock_on(e, state),
}
"""How each kind of expression node is encoded (the IR is closed: every kind is here)."""
