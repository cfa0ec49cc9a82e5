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
from tamapy.lang.core import TEMP_PREFIX, require_core
from tamapy.lang.walk import array_roots, walk_expr
from tamapy.verify.arithmetic import Arithmetic
from tamapy.verify.effects import (
    ANY_GLOBAL,
    Effects,
    code_effects,
    raw_access_effects,
    root_name,
)
from tamapy.verify.hardware import Hardware
from tamapy.verify.obligation import Category
from tamapy.verify.state import (
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
from tamapy.verify.structs import Members


@dataclass
class _LoopFrame:
    breaks: list[State] = field(default_factory=list)
    continues: list[State] = field(default_factory=list)


class FunctionEncoder:
    """Encodes one function: walks its body once, collecting an obligation per check it must pass."""

    def __init__(self, fn: ir.Function, ctx: Context) -> None:
        require_core(fn)
        self.fn = fn
        self.ctx = ctx
        self.pending: list[Pending] = []
        self.reads: list[tuple[str, z3.BitVecRef]] = []
        self.loops: list[_LoopFrame] = []
        self.fresh_count = 0
        self.entry_args: dict[str, Value] = {}
        self.pure = 0
        """Above zero: encoding a contract proved or assumed elsewhere (no obligations)."""
        self.ghost_depth = 0
        """Above zero: encoding ghost code at its own site (its well-definedness is obliged)."""
        self.old_values: dict[int, Value] = {}
        """``id`` of each ``old(e)`` node of the post-conditions being encoded -> its entry value."""
        self.hw = Hardware(self)
        self.arith = Arithmetic(self)
        self.members = Members(self)

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
        if isinstance(t, ir.PeripheralType):  # made only from instance constants (lang never converts)
            v = z3.BitVec(tag, WIDTH)
            return v, z3.Or(*[v == bv(base) for _, base in t.peripheral.instances])
        v = z3.BitVec(tag, WIDTH)
        return v, fits(v, int_of(t))

    def oblige(self, state: State, category: Category, span: ir.Span, goal: z3.BoolRef, message: str) -> None:
        """``goal`` must hold on ``state``'s path (contracts are assumed or proved elsewhere: none there)."""
        if self.pure:
            return
        if z3.is_false(state.pc):
            return
        snapshot = tuple((k, v) for k, v in state.vars.items() if not k.startswith("$") and not k.startswith(TEMP_PREFIX))
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
            state = state.assume(self.ghost_cond(req, state, checked=True))
        self.old_values = self.entry_values(fn.ensures, state, checked=True)
        state = self.block(fn.body, state)
        if isinstance(fn.ret, ir.VoidType):
            self._check_ensures(state, None, fn.span)
        return self.pending

    def _init_global(self, state: State, symbol: str, g: ir.GlobalVar, is_entry: bool) -> State:
        if g.const and isinstance(g.init, bytes | tuple):
            if not self._uses(symbol):
                return state  # a constant this function and its callees never name: no Store chain
            state.vars[f"${symbol}"] = constant_array(g.init)
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

    def _uses(self, symbol: str) -> bool:
        """Whether this function, its contracts or its callees (transitively) may name ``symbol``."""
        effects = self.ctx.effects.get(self.fn.qualname)
        return effects is None or effects.may_touch(symbol)

    @property
    def ghost(self) -> bool:
        """True while encoding a contract, invariant or measure: Python's unbounded integers."""
        return self.pure > 0 or self.ghost_depth > 0

    def ghost_value(self, e: ir.Expr, state: State, *, checked: bool) -> Value:
        """The value of ghost code (a contract, invariant or measure).  ``checked``: at its own
        site, where its evaluation must be well-defined (CPython evaluates it there too);
        otherwise it is assumed or proved as a whole, its well-definedness shown elsewhere."""
        if checked:
            self.ghost_depth += 1
        else:
            self.pure += 1
        try:
            return self.expr(e, state)
        finally:
            if checked:
                self.ghost_depth -= 1
            else:
                self.pure -= 1

    def ghost_cond(self, e: ir.Expr, state: State, *, checked: bool) -> z3.BoolRef:
        value = self.ghost_value(e, state, checked=checked)
        assert isinstance(value, z3.BoolRef)
        return value

    def ghost_int(self, e: ir.Expr, state: State, *, checked: bool) -> z3.BitVecRef:
        value = self.ghost_value(e, state, checked=checked)
        assert isinstance(value, z3.BitVecRef)
        return value

    def entry_values(self, ensures: tuple[ir.Expr, ...], entry: State, *, checked: bool) -> dict[int, Value]:
        """Every ``old(e)`` of ``ensures`` evaluated on ``entry``.  CPython evaluates them all on
        entry (the import hook hoists them), whatever guards them in the condition: so, where
        ``checked``, each must be well-defined there, after the pre-conditions."""
        out: dict[int, Value] = {}
        for e in ensures:
            for sub in walk_expr(e):
                if isinstance(sub, ir.Old) and id(sub) not in out:
                    out[id(sub)] = self.ghost_value(sub.value, entry, checked=checked)
        return out

    def _old(self, e: ir.Old, state: State) -> Value:
        return self.old_values[id(e)]  # computed on entry (or before the call) by entry_values

    def _check_ensures(self, state: State, result: Value | None, span: ir.Span) -> None:
        if not self.fn.ensures:
            return
        env = dict(state.vars)
        # Scalars as they were on entry; arrays and MutViews (passed by reference) as they are now.
        writes = {p.name for p in self.fn.params if ir.modifiable(p.type)}
        env.update({k: v for k, v in self.entry_args.items() if k not in writes})
        if result is not None:
            env["result"] = result
        post = replace(state, vars=env)
        for e in self.fn.ensures:
            self.oblige(state, Category.POSTCONDITION, span, self.ghost_cond(e, post, checked=True),
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
            return self._havoc(state, raw_access_effects(self.fn.modifies))
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
        assert isinstance(value, z3.BitVecRef)
        if isinstance(target, ir.Member) or isinstance(target.base, ir.Member):
            return self.members.assign(target, value, state)
        arr, index = self._element(target, state)
        name = root_name(target.base)
        stored = z3.Store(arr, index, value)
        old = state.vars[name]  # a MutView parameter keeps its offset and length
        return replace(state, vars={**state.vars, name: (stored, old[1], old[2]) if isinstance(old, tuple) else stored})

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
            old = new_vars[name]
            if isinstance(old, tuple) and isinstance(value, tuple):  # a view: new contents, same window
                value, fact = (value[0], old[1], old[2]), z3.BoolVal(True)
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
            self.oblige(state, Category.INVARIANT, inv.span, self.ghost_cond(inv, state, checked=True),
                        "loop invariant may not hold on entry")
        # The head is reached again after the body and after the condition: both may change state.
        head = self._havoc(state, code_effects((s,), self.ctx.effects, self.fn.modifies))
        for inv in s.invariants:
            head = head.assume(self.ghost_cond(inv, head, checked=False))
        # The measure is compared head to head, before the condition runs: a condition with
        # effects is part of the iteration the measure must decrease over.
        measure = self.ghost_int(s.decreases, head, checked=False) if s.decreases is not None else None
        tested = self.block(s.pre, head)  # the condition's effects, again on every iteration
        c = self.cond(s.cond, tested)
        body_state = tested.assume(c)
        self._body_start(s, body_state, measure)
        self.loops.append(_LoopFrame())
        end = self.block(s.body, body_state)
        frame = self.loops.pop()
        for back in [end, *frame.continues]:
            for inv in s.invariants:
                self.oblige(back, Category.INVARIANT, inv.span, self.ghost_cond(inv, back, checked=True),
                            "loop invariant may not be preserved")
            if s.decreases is not None and measure is not None:
                after = self.ghost_int(s.decreases, back, checked=False)
                self.oblige(back, Category.TERMINATION, s.decreases.span,
                            after < measure, "decreases() measure may not decrease in this iteration")
        exit_state = tested.assume(z3.Not(c))
        return merge_all([exit_state, *frame.breaks])

    def _body_start(self, s: ir.While, body: State, measure: z3.BitVecRef | None) -> None:
        """What holds when the body starts, after the condition: CPython checks the invariants
        and the measure there (``invariant()``, ``decreases()`` are calls in the body)."""
        for inv in s.invariants:
            self.oblige(body, Category.INVARIANT, inv.span, self.ghost_cond(inv, body, checked=True),
                        "loop invariant may not hold when the body starts (after the condition)")
        if s.decreases is not None and measure is not None:
            here = self.ghost_int(s.decreases, body, checked=True)
            self.oblige(body, Category.TERMINATION, s.decreases.span, z3.And(measure >= bv(0), here >= bv(0)),
                        "decreases() measure may be negative when the loop runs")
        elif not s.forever:
            self.oblige(body, Category.TERMINATION, s.span, z3.BoolVal(False),
                        "loop may not terminate: give it a decreases() measure, or wait with poll(..., limit=N)")

    def _for(self, s: ir.For, state: State) -> State:
        start = self.expr(s.start, state)
        stop = self.expr(s.stop, state)
        assert isinstance(start, z3.BitVecRef) and isinstance(stop, z3.BitVecRef)
        entry = replace(state, vars={**state.vars, s.var.name: start})
        for inv in s.invariants:
            self.oblige(entry, Category.INVARIANT, inv.span, self.ghost_cond(inv, entry, checked=True),
                        "loop invariant may not hold on entry")
        body = code_effects(s.body, self.ctx.effects, self.fn.modifies)
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
            head = head.assume(self.ghost_cond(inv, head_vars, checked=False))
        body_state = replace(head, vars={**head.vars, s.var.name: counter}).assume(more)
        self.loops.append(_LoopFrame())
        end = self.block(s.body, body_state)
        frame = self.loops.pop()
        for back in [end, *frame.continues]:
            nxt = replace(back, vars={**back.vars, s.var.name: counter + step})
            for inv in s.invariants:
                self.oblige(back, Category.INVARIANT, inv.span, self.ghost_cond(inv, nxt, checked=True),
                            "loop invariant may not be preserved")
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

    def _boolop(self, e: ir.BoolOp, state: State) -> Value:
        acc: list[z3.BoolRef] = []
        exits: list[State] = []
        current = state
        for i, v in enumerate(e.values):
            c = self.cond(v, current)
            acc.append(c)
            stop = z3.Not(c) if e.op == "and" else c
            if i == len(e.values) - 1:
                exits.append(current)
            else:
                exits.append(current.assume(stop))
                current = current.assume(z3.Not(stop))
        self.join(state, exits)
        return z3.And(*acc) if e.op == "and" else z3.Or(*acc)

    def _ifexp(self, e: ir.IfExp, state: State) -> Value:
        c = self.cond(e.cond, state)
        then, orelse = state.assume(c), state.assume(z3.Not(c))
        if isinstance(e.type, ir.ViewType):  # (array, offset, length) of the chosen arm
            va, vb = self._view(e.then, then), self._view(e.orelse, orelse)
            self.join(state, [then, orelse])
            arr, off, length = (z3.If(c, x, y) for x, y in zip(va, vb, strict=True))
            assert isinstance(arr, z3.ArrayRef) and isinstance(off, z3.BitVecRef) and isinstance(length, z3.BitVecRef)
            return (arr, off, length)
        a = self.expr(e.then, then)
        b = self.expr(e.orelse, orelse)
        self.join(state, [then, orelse])
        return z3.If(c, a, b)

    def _index(self, e: ir.Index, state: State) -> Value:
        if isinstance(e.base, ir.Member):
            return self.members.element(e, state)
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

    def _mmio_read(self, e: ir.MmioRead, state: State) -> Value:
        self.expr(e.address, state)
        state.become(self._havoc(state, raw_access_effects(self.fn.modifies)))  # a read may have side effects
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
            self.oblige(state, Category.PRECONDITION, e.span, self.ghost_cond(req, call_state, checked=False),
                        f"pre-condition of `{callee.name}` (line {req.span.line}) may not hold")
        # The callee's old(e): e with its parameters bound to the arguments, before the call.
        callee_olds = self.entry_values(callee.ensures, call_state, checked=False)
        result: Value | None = None
        if not isinstance(callee.ret, ir.VoidType):
            result, fact = self.fresh(f"{callee.name}()", callee.ret)
            state.assume_in_place(fact)
        # What the callee may change: globals it writes, arrays passed to it, clock gates.
        eff = self.ctx.effects.get(e.function, Effects())
        for a, param in zip(e.args, callee.params, strict=True):
            writes = ir.modifiable(param.type)
            for viewed in array_roots(a):
                if not (isinstance(viewed, ir.GlobalRef) and isinstance(viewed.type, ir.ArrayType)):
                    continue
                # A modifiable argument must not be used directly by the callee at all; a read-only
                # view must not be written by it behind the view's back.
                clash = eff.may_touch(viewed.symbol) if writes else eff.may_write(viewed.symbol)
                if clash:
                    self.oblige(state, Category.PRECONDITION, a.span, z3.BoolVal(False),
                                f"`{viewed.symbol}` is passed to `{callee.name}`, which also uses it directly: "
                                "the two names would alias")
        arrays = {root_name(r) for a, p in zip(e.args, callee.params, strict=True) if ir.modifiable(p.type)
                  for r in array_roots(a)}
        callee_effects = eff.callee_view()
        after = self._havoc(state, replace(callee_effects, names=callee_effects.names | arrays))
        post_env = {k: v for k, v in after.vars.items() if k.startswith("$")}
        post_env.update({p.name: v for p, v in zip(callee.params, args, strict=True)})
        for a, p, v in zip(e.args, callee.params, args, strict=True):
            if isinstance(p.type, ir.ArrayType) and isinstance(a, ir.Local | ir.GlobalRef):
                post_env[p.name] = after.vars[root_name(a)]  # the array as the callee left it
            elif ir.modifiable(p.type) and isinstance(v, tuple):  # the window, over what the callee left
                (root,) = array_roots(a)
                left = after.vars[root_name(root)]
                post_env[p.name] = (left[0] if isinstance(left, tuple) else left, v[1], v[2])
        if result is not None:
            post_env["result"] = result
        own_olds, self.old_values = self.old_values, callee_olds
        try:
            for ens in callee.ensures:
                after = after.assume(self.ghost_cond(ens, replace(after, vars=post_env), checked=False))
        finally:
            self.old_values = own_olds
        state.become(after)
        return result if result is not None else z3.BoolVal(True)

    def join(self, state: State, exits: list[State]) -> None:
        """Operands evaluated on some paths only (short-circuit operators, conditional
        expressions): afterwards ``state`` is the merge of every way the evaluation ended."""
        def unchanged(x: State) -> bool:
            return (x.facts == state.facts and x.vars.keys() == state.vars.keys() and all(state.vars[n] is v for n, v in x.vars.items())
                    and all(state.gates.get(g) is v for g, v in x.gates.items())
                    and all(state.ghosts.get(g) is v for g, v in x.ghosts.items()))
        if not all(unchanged(x) for x in exits):
            state.become(merge_all(exits))


_EXPRESSIONS: dict[type, Callable[[FunctionEncoder, Any, State], Value]] = {
    ir.Const: FunctionEncoder._const,
    ir.Local: FunctionEncoder._local,
    ir.GlobalRef: FunctionEncoder._global,
    ir.Unary: lambda enc, e, state: enc.arith.unary(e, state),
    ir.Binary: lambda enc, e, state: enc.arith.binary(e, state),
    ir.Compare: lambda enc, e, state: enc.arith.compare(e, state),
    ir.BoolOp: FunctionEncoder._boolop,
    ir.IfExp: FunctionEncoder._ifexp,
    ir.Convert: lambda enc, e, state: enc.arith.convert(e, state),
    ir.Call: FunctionEncoder._call,
    ir.Index: FunctionEncoder._index,
    ir.SliceView: FunctionEncoder._slice,
    ir.Len: FunctionEncoder._len,
    ir.RegRead: lambda enc, e, state: enc.hw.reg_read(e, state),
    ir.FieldElement: lambda enc, e, state: enc.hw.field_element(e, state),
    ir.MmioRead: FunctionEncoder._mmio_read,
    ir.GhostRead: lambda enc, e, state: enc.hw.ghost(e.instance, e.name, state),
    ir.AddrOf: FunctionEncoder._addr_of,
    ir.Member: lambda enc, e, state: enc.members.read(e, state),
    ir.ClockOn: lambda enc, e, state: enc.hw.clock_on(e, state),
    ir.Old: FunctionEncoder._old,
}
"""How each kind of expression node is encoded (the IR is closed: every kind is here)."""


def constant_array(elements: bytes | tuple[int, ...]) -> z3.ArrayRef:
    """The exact contents of a bytes constant or constant table (zero beyond its end, never read)."""
    arr = z3.K(z3.BitVecSort(WIDTH), bv(0))
    for i, value in enumerate(elements):
        arr = z3.Store(arr, bv(i), bv(value))
    return arr
