"""Symbolic execution of one IR function into proof obligations.

Integers are Z3 bit-vectors of ``WIDTH`` bits holding the exact Python
value: every machine value fits in 64 bits, and each operation's result is
computed wide enough to be exact before the obligation that it fits its
type is stated (DESIGN §4) — so shifts, masks and field packing are decided,
not approximated.  Control flow merges states with ``If`` terms; loops are cut
at their head with the invariants (variables they modify are havocked), and
calls are replaced by their contracts, which makes the encoding modular.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import TypeAlias

import z3

from tamapy.lang import ir
from tamapy.specs.conditions import COMPARISONS, WHOLE_REGISTER, evaluate
from tamapy.specs.model import GhostRule, Register, Soc
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

    def assume(self, fact: z3.BoolRef) -> State:
        return replace(self, pc=z3.And(self.pc, fact))

    def dead(self) -> State:
        return replace(self, pc=z3.BoolVal(False))


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


@dataclass(frozen=True)
class Effects:
    """What code may change beyond its return value (for a function: transitively)."""

    names: frozenset[str] = frozenset()
    """Variables it assigns: locals by name, globals as ``$symbol``, arrays by their root."""
    gates: frozenset[tuple[str, str]] = frozenset()
    """CCM (register, field) pairs it writes: the clock gates it may change."""
    accesses: frozenset[tuple[str, str, str]] = frozenset()
    """(peripheral, register, "read" or "write") accesses: the protocol invariants it may change."""
    touched: frozenset[str] = frozenset()
    """Globals it reads or writes."""

    @property
    def globals(self) -> frozenset[str]:
        return frozenset(n[1:] for n in self.names if n.startswith("$"))

    def callee_view(self) -> Effects:
        """What a caller sees: the callee's locals are its own."""
        return Effects(frozenset(n for n in self.names if n.startswith("$")), self.gates, self.accesses, self.touched)


def code_effects(body: tuple[ir.Stmt, ...], callees: dict[str, Effects]) -> Effects:
    """The effects of a statement list, including what the calls in it may do."""
    names: set[str] = set()
    gates: set[tuple[str, str]] = set()
    accesses: set[tuple[str, str, str]] = set()
    touched: set[str] = set()
    for s in _walk_stmts(body):
        if isinstance(s, ir.Assign):
            t = s.target
            names.add(t.name if isinstance(t, ir.Local) else f"${t.symbol}" if isinstance(t, ir.GlobalRef) else _root_name(t.base))
            if isinstance(t, ir.Index) and isinstance(t.base, ir.GlobalRef):
                touched.add(t.base.symbol)
            elif isinstance(t, ir.GlobalRef):
                touched.add(t.symbol)
        elif isinstance(s, ir.For):
            names.add(s.var.name)
        elif isinstance(s, ir.RegWrite) and isinstance(s.instance.type, ir.PeripheralType):
            periph = s.instance.type.peripheral
            accesses.add((periph.name, s.register.name, "write"))
            if periph.name == "CCM":
                named = [f for f, _ in s.fields] if s.mode in ("modify", "set", "clear", "toggle") else list(s.register.fields)
                gates |= {(s.register.name, f.name) for f in named}
        for e in _stmt_exprs(s):
            for sub in _walk_expr(e):
                if isinstance(sub, ir.GlobalRef):
                    touched.add(sub.symbol)
                elif isinstance(sub, ir.RegRead) and isinstance(sub.instance.type, ir.PeripheralType):
                    accesses.add((sub.instance.type.peripheral.name, sub.register.name, "read"))
                elif isinstance(sub, ir.Call):
                    callee = callees.get(sub.function)
                    if callee is not None:
                        inner = callee.callee_view()
                        names |= inner.names
                        gates |= inner.gates
                        accesses |= inner.accesses
                        touched |= inner.touched
                    for a in sub.args:
                        if isinstance(a.type, ir.ArrayType) and isinstance(a, ir.Local | ir.GlobalRef):
                            names.add(_root_name(a))
    return Effects(frozenset(names), frozenset(gates), frozenset(accesses), frozenset(touched))


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


@dataclass
class _LoopFrame:
    breaks: list[State] = field(default_factory=list)
    continues: list[State] = field(default_factory=list)


class FunctionEncoder:
    def __init__(self, fn: ir.Function, ctx: Context) -> None:
        self.fn = fn
        self.ctx = ctx
        self.pending: list[Pending] = []
        self.reads: list[tuple[str, z3.BitVecRef]] = []
        self.loops: list[_LoopFrame] = []
        self.fresh_count = 0
        self.entry_args: dict[str, Value] = {}
        self.pure = 0

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
        for gate in self.ctx.all_gates():
            if is_entry:
                reg = self._ccm_register(gate[0])
                f = reg.field(gate[1]) if reg else None
                state.gates[gate] = bv(f.reset if f else 0)
            else:
                value, fact = self.fresh(f"{gate[0]}.{gate[1]}", ir.U8)
                assert isinstance(value, z3.BitVecRef)
                state.gates[gate] = value
                state = state.assume(z3.And(fact, value <= 3))
        for periph in self.ctx.soc.peripherals:
            for inv in periph.invariants:
                for _, base in periph.instances:
                    if is_entry:
                        state.ghosts[(base, inv.name)] = z3.BoolVal(inv.initial)
                    else:
                        value, _ = self.fresh(f"{periph.name}.{inv.name}", ir.BOOL)
                        assert isinstance(value, z3.BoolRef)
                        state.ghosts[(base, inv.name)] = value
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

    def _ccm_register(self, name: str) -> Register | None:
        ccm = self.ctx.soc.peripheral("CCM")
        return ccm.register(name) if ccm else None

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
            return self._reg_write(s, state)
        if isinstance(s, ir.Panic):
            self.expr(s.code, state)
            return state.dead()
        if isinstance(s, ir.Intrinsic):
            return state
        if isinstance(s, ir.MmioWrite):
            self.expr(s.address, state)
            self.expr(s.value, state)
            return state
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
        name = _root_name(target.base)
        return replace(state, vars={**state.vars, name: z3.Store(arr, index, value)})

    def _havoc(self, state: State, effects: Effects) -> State:
        """Forget what ``effects`` may change: variables, clock gates, protocol invariants."""
        types = self._var_types()
        new_vars = dict(state.vars)
        for name in sorted(effects.names):
            t = types.get(name)
            if t is None or name not in new_vars:
                continue
            value, fact = self.fresh(name.lstrip("$"), t)
            new_vars[name] = value
            state = state.assume(fact)
        state = replace(state, vars=new_vars)
        changed_gates = sorted(g for g in state.gates if g in effects.gates)
        if changed_gates:
            new_gates = dict(state.gates)
            for gate in changed_gates:
                value, fact = self.fresh(f"{gate[0]}.{gate[1]}", ir.U8)
                assert isinstance(value, z3.BitVecRef)
                new_gates[gate] = value
                state = state.assume(z3.And(fact, value <= 3))
            state = replace(state, gates=new_gates)
        if effects.accesses:
            ghosts = dict(state.ghosts)
            for p in self.ctx.soc.peripherals:
                for inv in p.invariants:
                    if not any((p.name, r.register, r.on) in effects.accesses for r in inv.rules):
                        continue  # nothing it does can change this invariant
                    for _, base in p.instances:
                        value, _ = self.fresh(f"{p.name}.{inv.name}", ir.BOOL)
                        assert isinstance(value, z3.BoolRef)
                        ghosts[(base, inv.name)] = value
            state = replace(state, ghosts=ghosts)
        return state

    def _var_types(self) -> dict[str, ir.Type]:
        types: dict[str, ir.Type] = {p.name: p.type for p in self.fn.params}
        types.update(dict(self.fn.locals))
        types.update({f"${s}": g.type for s, g in self.ctx.globals.items()})
        return types

    def _while(self, s: ir.While, state: State) -> State:
        for inv in s.invariants:
            self.oblige(state, Category.INVARIANT, inv.span, self.pure_cond(inv, state), "loop invariant may not hold on entry")
        head = self._havoc(state, code_effects(s.body, self.ctx.effects))
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

    # ------------------------------------------------------------ registers

    def _writes_gate(self, reg: Register, instance: ir.Expr) -> bool:
        return isinstance(instance.type, ir.PeripheralType) and instance.type.peripheral.name == "CCM" and any(
            (reg.name, f.name) in {(r, fl) for r, fl in self.ctx.all_gates()} for f in reg.fields
        )

    def _clock_check(self, instance: ir.Expr, state: State, span: ir.Span, what: str) -> None:
        gate = self.ctx.gate_of(instance)
        if gate is not None and gate in state.gates:
            self.oblige(state, Category.CLOCK, span, state.gates[gate] != bv(0),
                        f"{what} while its clock gate {gate[0]}.{gate[1]} may be off")
        elif gate is None and isinstance(instance.type, ir.PeripheralType) and not isinstance(instance, ir.Const):
            p = instance.type.peripheral
            if p.clocks:
                base = self.expr(instance, state)
                assert isinstance(base, z3.BitVecRef)
                alternatives = []
                for inst, reg_name, fld in p.clocks:
                    addr = dict(p.instances)[inst]
                    g = state.gates.get((reg_name, fld))
                    if g is not None:
                        alternatives.append(z3.And(base == bv(addr), g != bv(0)))
                ungated = [b for i, b in p.instances if p.clock_of(i) is None]
                alternatives += [base == bv(b) for b in ungated]
                self.oblige(state, Category.CLOCK, span, z3.Or(*alternatives) if alternatives else z3.BoolVal(False),
                            f"{what} while its clock gate may be off (or the instance is not a {p.name})")

    # ------------------------------------------------------------ protocol invariants

    def _instances(self, instance: ir.Expr, state: State) -> list[tuple[int, z3.BoolRef]]:
        """The instances ``instance`` may be, each with the condition that it is that one."""
        assert isinstance(instance.type, ir.PeripheralType)
        p = instance.type.peripheral
        if isinstance(instance, ir.Const):
            return [(instance.value, z3.BoolVal(True))]
        base = self.expr(instance, state)
        assert isinstance(base, z3.BitVecRef)
        return [(b, base == bv(b)) for _, b in p.instances]

    def _ghost(self, instance: ir.Expr, name: str, state: State) -> z3.BoolRef:
        options = [z3.And(cond, state.ghosts.get((b, name), z3.BoolVal(False))) for b, cond in self._instances(instance, state)]
        return z3.Or(*options) if options else z3.BoolVal(False)

    def _guard(self, instance: ir.Expr, reg: Register, access: str, state: State, span: ir.Span) -> None:
        assert isinstance(instance.type, ir.PeripheralType)
        for inv in instance.type.peripheral.invariants:
            guarded = inv.guards_read if access == "read" else inv.guards_write
            if reg.name in guarded:
                self.oblige(state, Category.PROTOCOL, span, self._ghost(instance, inv.name, state),
                            f"{reg.name} is {access} while `{inv.name}` ({inv.description}) may not hold")

    def _apply_rules(self, instance: ir.Expr, reg: Register, access: str, value: z3.BitVecRef, state: State) -> None:
        """Update protocol invariants after ``access`` left/returned ``value`` in ``reg``."""
        assert isinstance(instance.type, ir.PeripheralType)
        p = instance.type.peripheral
        if not p.invariants:
            return
        ghosts = dict(state.ghosts)
        for inv in p.invariants:
            for rule in inv.rules:
                if rule.on != access or rule.register != reg.name:
                    continue
                holds = _when(rule, reg, value)
                for b, is_it in self._instances(instance, state):
                    old = ghosts[(b, inv.name)]
                    new = z3.Or(old, holds) if rule.effect == "set" else z3.And(old, z3.Not(holds))
                    ghosts[(b, inv.name)] = z3.If(is_it, new, old) if not z3.is_true(is_it) else new
        state.ghosts = ghosts

    def _written_value(self, s: ir.RegWrite, values: list[tuple[str, z3.BitVecRef]], raw: z3.BitVecRef | None, state: State) -> z3.BitVecRef:
        """The register's value after a write, as far as the write determines it."""
        reg = s.register
        if raw is not None:
            return raw
        plan = reg.write_plan(s.mode, [f.name for f, _ in s.fields])
        named = dict(values)
        if plan.kind == "write":
            # The field values are proved to fit their slots (obligations above): no mask needed.
            acc = bv(plan.forced)
            for slot in plan.slots:
                acc = acc | (named[slot.name] << bv(slot.shift))
            return acc
        new, fact = self.fresh(f"{reg.name}'", ir.unsigned_for_bits(reg.width))
        assert isinstance(new, z3.BitVecRef)
        facts = [fact]
        for slot in plan.slots:
            v = named[slot.name] << bv(slot.shift)
            if plan.kind == "modify":
                facts.append(z3.LShR(new, bv(slot.shift)) & bv(slot.mask) == named[slot.name])
            elif plan.kind == "set":
                facts.append(new & v == v)
            elif plan.kind == "clear":
                facts.append(new & v == bv(0))
        self._assume_in_place(state, z3.And(*facts))
        return new

    def _reg_write(self, s: ir.RegWrite, state: State) -> State:
        reg = s.register
        inst_name = _instance_label(s.instance, self.ctx.soc)
        self._clock_check(s.instance, state, s.span, f"{inst_name}.{reg.name} is written")
        self._guard(s.instance, reg, "write", state, s.span)
        raw_value: z3.BitVecRef | None = None
        values: list[tuple[str, z3.BitVecRef]] = []
        if s.raw is not None:
            raw = self.expr(s.raw, state)
            assert isinstance(raw, z3.BitVecRef)
            raw_value = raw
            if reg.reserved_mask:
                self.oblige(state, Category.REGISTER, s.span, (raw & bv(reg.reserved_mask)) == bv(reg.reserved_value),
                            f"reserved bits of {reg.name} (mask 0x{reg.reserved_mask:x}) must be written as 0x{reg.reserved_value:x}")
            values = [(f.name, z3.LShR(raw, bv(f.lsb)) & bv(f.max_value)) for f in reg.fields]
        for f, e in s.fields:
            v = self.expr(e, state)
            assert isinstance(v, z3.BitVecRef)
            self.oblige(state, Category.REGISTER, e.span, z3.ULE(v, bv(f.max_value)),
                        f"value written to {reg.name}.{f.name} may not fit its {f.width} bit(s)")
            values.append((f.name, v))
        for f in reg.fields:
            if f.dma and f.name in dict(values):
                address = dict(values)[f.name] << bv(f.lsb) if f.lsb else dict(values)[f.name]
                self.oblige(state, Category.DMA, s.span, self._in_dma(address, bv(1)),
                            f"{reg.name}.{f.name} is given an address that may lie outside the DMA region or be misaligned")
        self._apply_rules(s.instance, reg, "write", self._written_value(s, values, raw_value, state), state)
        if self._writes_gate(reg, s.instance):
            gates = dict(state.gates)
            named = dict(values)
            for (r, fl) in list(gates):
                if r != reg.name:
                    continue
                gate_field = reg.field(fl)
                assert gate_field is not None
                if fl in named:
                    new = named[fl]
                    if s.mode == "clear":
                        new = gates[(r, fl)] & ~named[fl] & bv(gate_field.max_value)
                    elif s.mode == "set":
                        new = gates[(r, fl)] | named[fl]
                    elif s.mode == "toggle":
                        new = gates[(r, fl)] ^ named[fl]
                    gates[(r, fl)] = new
                elif s.mode == "write":
                    gates[(r, fl)] = bv(reg.write_plan("write", list(named)).forced_field(gate_field))
            state = replace(state, gates=gates)
        return state

    # ------------------------------------------------------------ expressions

    def cond(self, e: ir.Expr, state: State) -> z3.BoolRef:
        v = self.expr(e, state)
        assert isinstance(v, z3.BoolRef)
        return v

    def expr(self, e: ir.Expr, state: State) -> Value:
        if isinstance(e, ir.Const):
            if isinstance(e.type, ir.BoolType):
                return z3.BoolVal(bool(e.value))
            return bv(e.value)
        if isinstance(e, ir.Local):
            return state.vars[e.name]
        if isinstance(e, ir.GlobalRef):
            return state.vars[f"${e.symbol}"]
        if isinstance(e, ir.Unary):
            v = self.expr(e.operand, state)
            if e.op == "not":
                assert isinstance(v, z3.BoolRef)
                return z3.Not(v)
            assert isinstance(v, z3.BitVecRef)
            r = -v if e.op == "neg" else ~v
            self._range(state, e, r)
            return r
        if isinstance(e, ir.Binary):
            return self._binary(e, state)
        if isinstance(e, ir.Compare):
            return self._compare(e, state)
        if isinstance(e, ir.BoolOp):
            acc: list[z3.BoolRef] = []
            current = state
            for v in e.values:
                c = self.cond(v, current)
                acc.append(c)
                current = current.assume(c if e.op == "and" else z3.Not(c))
            self._leak(state, current)
            return z3.And(*acc) if e.op == "and" else z3.Or(*acc)
        if isinstance(e, ir.IfExp):
            c = self.cond(e.cond, state)
            then, orelse = state.assume(c), state.assume(z3.Not(c))
            a = self.expr(e.then, then)
            b = self.expr(e.orelse, orelse)
            self._leak(state, then)
            self._leak(state, orelse)
            return z3.If(c, a, b)
        if isinstance(e, ir.Convert):
            return self._convert(e, state)
        if isinstance(e, ir.Call):
            return self._call(e, state)
        if isinstance(e, ir.Index):
            arr, index = self._element(e, state)
            if isinstance(e.base.type, ir.ArrayType) and e.base.type.dma:
                # A DMA engine may write its buffers at any time: every read is a fresh value.
                fresh, fact = self.fresh(f"{_root_name(e.base)}[]", e.type)
                self._assume_in_place(state, fact)
                return fresh
            return z3.Select(arr, index)
        if isinstance(e, ir.SliceView):
            base = self._view(e.base, state)
            start = self.expr(e.start, state)
            stop = self.expr(e.stop, state)
            assert isinstance(start, z3.BitVecRef) and isinstance(stop, z3.BitVecRef)
            self.oblige(state, Category.INDEX, e.span, z3.And(start >= bv(0), start <= stop, stop <= base[2]),
                        "slice bounds may be outside the array")
            return (base[0], base[1] + start, stop - start)
        if isinstance(e, ir.Len):
            return self._view(e.base, state)[2]
        if isinstance(e, ir.RegRead):
            inst = _instance_label(e.instance, self.ctx.soc)
            reg = e.register
            what = f"{inst}.{reg.name}" + (f".{e.field.name}" if e.field else "")
            self._clock_check(e.instance, state, e.span, f"{what} is read")
            self._guard(e.instance, reg, "read", state, e.span)
            raw, fact = self.fresh(f"{inst}.{reg.name}", ir.unsigned_for_bits(reg.width))
            assert isinstance(raw, z3.BitVecRef)
            self._assume_in_place(state, z3.And(fact, z3.ULE(raw, bv((1 << reg.width) - 1))))
            value = raw if e.field is None else z3.LShR(raw, bv(e.field.lsb)) & bv(e.field.max_value)
            self.reads.append((f"{what} (line {e.span.line})", value))
            self._apply_rules(e.instance, reg, "read", raw, state)
            return value
        if isinstance(e, ir.Poll):
            self.expr(e.cond, state)
            value, _ = self.fresh("poll", ir.BOOL)
            return value
        if isinstance(e, ir.MmioRead):
            self.expr(e.address, state)
            value, fact = self.fresh("mmio", e.type)
            self._assume_in_place(state, fact)
            return value
        if isinstance(e, ir.GhostRead):
            return self._ghost(e.instance, e.name, state)
        if isinstance(e, ir.AddrOf):
            value, fact = self.fresh(f"addr_of({_root_name(e.base)})", ir.U32)
            assert isinstance(value, z3.BitVecRef) and isinstance(e.base.type, ir.ArrayType)
            if e.base.type.dma and self.ctx.dma is not None:
                fact = z3.And(fact, self._in_dma(value, bv(e.base.type.size)))
            self._assume_in_place(state, fact)
            return value
        if isinstance(e, ir.ClockOn):
            gate = self.ctx.gate_of(e.instance)
            if gate is not None:
                return state.gates[gate] != bv(0) if gate in state.gates else z3.BoolVal(False)
            p = e.instance.type.peripheral  # type: ignore[union-attr]
            base = self.expr(e.instance, state)
            options = [z3.And(base == bv(dict(p.instances)[i]), state.gates[(r, f)] != bv(0))
                       for i, r, f in p.clocks if (r, f) in state.gates]
            options += [base == bv(b) for i, b in p.instances if p.clock_of(i) is None]
            return z3.Or(*options) if options else z3.BoolVal(False)
        raise AssertionError(e)  # pragma: no cover - the IR is closed

    def _in_dma(self, address: z3.BitVecRef, length: z3.BitVecRef) -> z3.BoolRef:
        """``address .. address+length`` lies in the DMA region and is aligned."""
        if self.ctx.dma is None:
            return z3.BoolVal(False)
        base, size, align = self.ctx.dma
        return z3.And(address >= bv(base), address + length <= bv(base + size), z3.URem(address, bv(align)) == bv(0))

    def _assume_in_place(self, state: State, fact: z3.BoolRef) -> None:
        """Facts about fresh values (type ranges) hold on every path: add them to the state."""
        state.pc = z3.And(state.pc, fact)

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
        self._assume_in_place(state, fits(z3.Select(arr, off + index), e.type))
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
            self._assume_in_place(state, fact)
        # What the callee may change: globals it writes, arrays passed to it, clock gates.
        eff = self.ctx.effects.get(e.function, Effects())
        for a in e.args:
            viewed = a.base if isinstance(a, ir.SliceView) else a
            if not (isinstance(viewed, ir.GlobalRef) and isinstance(viewed.type, ir.ArrayType)):
                continue
            # A modifiable argument must not be used directly by the callee at all; a read-only
            # view must not be written by it behind the view's back.
            clash = viewed.symbol in (eff.touched if isinstance(a.type, ir.ArrayType) else eff.globals)
            if clash:
                self.oblige(state, Category.PRECONDITION, a.span, z3.BoolVal(False),
                            f"`{viewed.symbol}` is passed to `{callee.name}`, which also uses it directly: the two names would alias")
        arrays = {_root_name(a) for a in e.args if isinstance(a.type, ir.ArrayType) and isinstance(a, ir.Local | ir.GlobalRef)}
        callee_effects = eff.callee_view()
        after = self._havoc(state, replace(callee_effects, names=callee_effects.names | arrays))
        post_env = {k: v for k, v in after.vars.items() if k.startswith("$")}
        post_env.update({p.name: v for p, v in zip(callee.params, args, strict=True)})
        for a, p in zip(e.args, callee.params, strict=True):
            if isinstance(p.type, ir.ArrayType) and isinstance(a, ir.Local | ir.GlobalRef):
                post_env[p.name] = after.vars[_root_name(a)]  # the array as the callee left it
        if result is not None:
            post_env["result"] = result
        for ens in callee.ensures:
            after = after.assume(self.pure_cond(ens, replace(after, vars=post_env)))
        state.pc, state.vars, state.gates, state.ghosts = after.pc, after.vars, after.gates, after.ghosts
        return result if result is not None else z3.BoolVal(True)

    def _leak(self, state: State, branch: State) -> None:
        """Calls evaluated only on some paths (short-circuit operands) may still have changed
        variables: havoc in ``state`` whatever ``branch`` changed."""
        changed = {n for n, v in branch.vars.items() if state.vars.get(n) is not v and n in state.vars}
        gates = {g for g, v in state.gates.items() if branch.gates.get(g) is not v}
        accesses = {(p.name, r.register, r.on) for p in self.ctx.soc.peripherals for inv in p.invariants
                    for _, b in p.instances for r in inv.rules
                    if branch.ghosts.get((b, inv.name)) is not state.ghosts.get((b, inv.name))}
        if changed or gates or accesses:
            after = self._havoc(state, Effects(frozenset(changed), frozenset(gates), frozenset(accesses)))
            state.pc, state.vars, state.gates, state.ghosts = after.pc, after.vars, after.gates, after.ghosts


# ---------------------------------------------------------------- merging


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


class _Z3Operations:
    """Spec conditions on Z3 bit-vectors of ``WIDTH`` bits (exact non-negative values)."""

    def number(self, value: int) -> z3.BitVecRef:
        return bv(value)

    def bit_op(self, op: str, left: z3.BitVecRef, right: z3.BitVecRef) -> z3.BitVecRef:
        if op == "&":
            return left & right
        if op == "|":
            return left | right
        return z3.LShR(left, right) if op == ">>" else left << right

    def compare(self, op: str, left: z3.BitVecRef, right: z3.BitVecRef) -> z3.BoolRef:
        result = COMPARISONS[op](left, right)
        assert isinstance(result, z3.BoolRef)
        return result

    def all(self, parts: Sequence[z3.BoolRef]) -> z3.BoolRef:
        return z3.And(*parts)

    def any(self, parts: Sequence[z3.BoolRef]) -> z3.BoolRef:
        return z3.Or(*parts)

    def negate(self, operand: z3.BoolRef) -> z3.BoolRef:
        return z3.Not(operand)

    def nonzero(self, value: z3.BitVecRef) -> z3.BoolRef:
        return value != bv(0)


_Z3_OPERATIONS = _Z3Operations()


def _when(rule: GhostRule, reg: Register, value: z3.BitVecRef) -> z3.BoolRef:
    """A spec rule's condition (checked by the spec loader) over a register value."""

    def read(name: str) -> z3.BitVecRef:
        if name == WHOLE_REGISTER:
            return value
        f = reg.field(name)
        assert f is not None
        return z3.LShR(value, bv(f.lsb)) & bv(f.max_value)

    return evaluate(rule.condition, read, _Z3_OPERATIONS)


def _root_name(e: ir.Expr) -> str:
    if isinstance(e, ir.Local):
        return e.name
    if isinstance(e, ir.GlobalRef):
        return f"${e.symbol}"
    raise AssertionError(f"not an array variable: {e}")


def _instance_label(instance: ir.Expr, soc: Soc) -> str:
    if isinstance(instance, ir.Const) and isinstance(instance.type, ir.PeripheralType):
        return soc.instance_name(instance.type.peripheral, instance.value) or instance.type.peripheral.name
    if isinstance(instance, ir.Local):
        return instance.name
    return "?"


def _walk_stmts(stmts: tuple[ir.Stmt, ...]) -> Iterator[ir.Stmt]:
    for s in stmts:
        yield s
        if isinstance(s, ir.If):
            yield from _walk_stmts(s.then)
            yield from _walk_stmts(s.orelse)
        elif isinstance(s, ir.While | ir.For):
            yield from _walk_stmts(s.body)


def _stmt_exprs(s: ir.Stmt) -> list[ir.Expr]:
    out: list[ir.Expr] = []
    for name in ("value", "expr", "cond", "start", "stop", "raw", "code", "address"):
        v = getattr(s, name, None)
        if v is not None and not isinstance(v, tuple | str | int | bool):
            out.append(v)
    if isinstance(s, ir.RegWrite):
        out.extend(e for _, e in s.fields)
    if isinstance(s, ir.Assign) and isinstance(s.target, ir.Index):
        out.append(s.target.index)
    return out


def _walk_expr(e: ir.Expr) -> Iterator[ir.Expr]:
    yield e
    for name in ("operand", "left", "right", "value", "cond", "then", "orelse", "base", "index", "start", "stop", "instance", "address"):
        sub = getattr(e, name, None)
        if sub is not None and not isinstance(sub, int | str):
            yield from _walk_expr(sub)
    for name in ("operands", "values", "args"):
        for sub in getattr(e, name, ()):
            yield from _walk_expr(sub)
