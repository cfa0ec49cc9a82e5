"""Register accesses in the encoding: register rules, clock gates and protocol invariants.

The spec says what an access must respect and what it changes.  A write
must fit its fields and keep reserved bits at their required value, a DMA
field must get an address in the DMA region; an access to a gated instance
requires its CCM clock gate on; guarded registers require their protocol
invariant.  What the access leaves behind is ghost state the encoder
carries in :class:`~tamapy.verify.state.State`: CCM writes change clock
gates (following the spec's write plan), and the spec's rules set or clear
protocol invariants when their condition holds of the value read or written.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Protocol

import z3

from tamapy.lang import ir
from tamapy.specs.conditions import COMPARISONS, WHOLE_REGISTER, evaluate
from tamapy.specs.model import Field, FieldSlot, GhostRule, Peripheral, Register, Soc
from tamapy.verify.effects import ANY_PERIPHERAL, Effects
from tamapy.verify.obligation import Category
from tamapy.verify.state import Context, State, Value, bv


class Encoding(Protocol):
    """What register reasoning needs from the function encoder."""

    ctx: Context
    reads: list[tuple[str, z3.BitVecRef]]
    """Register values read so far, by label: they explain counterexamples."""

    def fresh(self, name: str, t: ir.Type) -> tuple[Value, z3.BoolRef]: ...

    def oblige(self, state: State, category: Category, span: ir.Span, goal: z3.BoolRef, message: str) -> None: ...

    def expr(self, e: ir.Expr, state: State) -> Value: ...


class Hardware:
    """The register, clock-gate and protocol-invariant side of one function's encoding."""

    def __init__(self, encoding: Encoding) -> None:
        self.enc = encoding
        self.ctx = encoding.ctx

    # ------------------------------------------------------------ ghost state

    def initial(self, state: State, is_entry: bool) -> State:
        """Clock gates and protocol invariants on entry: the reset state for ``main``, else unknown."""
        for gate in self.ctx.all_gates():
            if is_entry:
                ccm = self.ctx.soc.peripheral("CCM")
                reg = ccm.register(gate[0]) if ccm else None
                f = reg.field(gate[1]) if reg else None
                state.gates[gate] = bv(f.reset if f else 0)
            else:
                state = self._fresh_gate(state, gate, state.gates)
        for periph in self.ctx.soc.peripherals:
            for inv in periph.invariants:
                for _, base in periph.instances:
                    if is_entry:
                        state.ghosts[(base, inv.name)] = z3.BoolVal(inv.initial)
                    else:
                        state.ghosts[(base, inv.name)] = self._fresh_ghost(periph, inv.name)
        return state

    def _fresh_gate(self, state: State, gate: tuple[str, str], into: dict[tuple[str, str], z3.BitVecRef]) -> State:
        value, fact = self.enc.fresh(f"{gate[0]}.{gate[1]}", ir.U8)
        assert isinstance(value, z3.BitVecRef)
        into[gate] = value
        return state.assume(z3.And(fact, value <= 3))

    def _fresh_ghost(self, periph: Peripheral, name: str) -> z3.BoolRef:
        value, _ = self.enc.fresh(f"{periph.name}.{name}", ir.BOOL)
        assert isinstance(value, z3.BoolRef)
        return value

    def havoc(self, state: State, effects: Effects) -> State:
        """Forget the clock gates and protocol invariants ``effects`` may change."""
        raw = effects.peripherals
        every = ANY_PERIPHERAL in raw
        changed_gates = sorted(g for g in state.gates if g in effects.gates or every or "CCM" in raw)
        opened_gates = sorted(g for g in state.gates if g in effects.opens and g not in changed_gates)
        if changed_gates or opened_gates:
            new_gates = dict(state.gates)
            for gate in changed_gates:
                state = self._fresh_gate(state, gate, new_gates)
            for gate in opened_gates:  # only ever turned on: an open gate stays open
                state = self._fresh_gate(state, gate, new_gates)
                state = state.assume(z3.Implies(state.gates[gate] != bv(0), new_gates[gate] != bv(0)))
            state = replace(state, gates=new_gates)
        if effects.accesses or raw:
            ghosts = dict(state.ghosts)
            for p in self.ctx.soc.peripherals:
                for inv in p.invariants:
                    if not (every or p.name in raw or any((p.name, r.register, r.on) in effects.accesses for r in inv.rules)):
                        continue  # nothing it does can change this invariant
                    for _, base in p.instances:
                        ghosts[(base, inv.name)] = self._fresh_ghost(p, inv.name)
            state = replace(state, ghosts=ghosts)
        return state

    def changed(self, state: State, branch: State) -> Effects:
        """The clock gates and invariant-changing accesses ``branch`` changed since ``state``."""
        gates = {g for g, v in state.gates.items() if branch.gates.get(g) is not v}
        accesses = {(p.name, r.register, r.on) for p in self.ctx.soc.peripherals for inv in p.invariants
                    for _, b in p.instances for r in inv.rules
                    if branch.ghosts.get((b, inv.name)) is not state.ghosts.get((b, inv.name))}
        return Effects(gates=frozenset(gates), accesses=frozenset(accesses))

    # ------------------------------------------------------------ clock gates

    def _gate_options(self, p: Peripheral, base: z3.BitVecRef, state: State) -> list[z3.BoolRef]:
        """The ways an instance at ``base`` can be clocked: a gated instance with its gate on, or an ungated one."""
        options = [z3.And(base == bv(dict(p.instances)[i]), state.gates[(r, f)] != bv(0))
                   for i, r, f in p.clocks if (r, f) in state.gates]
        options += [base == bv(b) for i, b in p.instances if p.clock_of(i) is None]
        return options

    def clock_check(self, instance: ir.Expr, state: State, span: ir.Span, what: str) -> None:
        gate = self.ctx.gate_of(instance)
        if gate is not None and gate in state.gates:
            self.enc.oblige(state, Category.CLOCK, span, state.gates[gate] != bv(0),
                            f"{what} while its clock gate {gate[0]}.{gate[1]} may be off")
        elif gate is None and isinstance(instance.type, ir.PeripheralType) and not isinstance(instance, ir.Const):
            p = instance.type.peripheral
            if p.clocks:
                base = self.enc.expr(instance, state)
                assert isinstance(base, z3.BitVecRef)
                alternatives = self._gate_options(p, base, state)
                self.enc.oblige(state, Category.CLOCK, span, z3.Or(*alternatives) if alternatives else z3.BoolVal(False),
                                f"{what} while its clock gate may be off (or the instance is not a {p.name})")

    def clock_on(self, e: ir.ClockOn, state: State) -> z3.BoolRef:
        """The ghost predicate ``clock_enabled(INSTANCE)``."""
        gate = self.ctx.gate_of(e.instance)
        if gate is not None:
            return state.gates[gate] != bv(0) if gate in state.gates else z3.BoolVal(False)
        assert isinstance(e.instance.type, ir.PeripheralType)
        base = self.enc.expr(e.instance, state)
        assert isinstance(base, z3.BitVecRef)
        options = self._gate_options(e.instance.type.peripheral, base, state)
        return z3.Or(*options) if options else z3.BoolVal(False)

    def _writes_gate(self, reg: Register, instance: ir.Expr) -> bool:
        return isinstance(instance.type, ir.PeripheralType) and instance.type.peripheral.name == "CCM" and any(
            (reg.name, f.name) in {(r, fl) for r, fl in self.ctx.all_gates()} for f in reg.fields
        )

    def _gates_after(self, s: ir.RegWrite, named: dict[str, z3.BitVecRef],
                     gates: dict[tuple[str, str], z3.BitVecRef]) -> dict[tuple[str, str], z3.BitVecRef]:
        """Clock gates after a CCM write: named gate fields per the write's kind, the others
        at the write plan's constant (whole-register ``write``) or unchanged."""
        reg = s.register
        out = dict(gates)
        plan = reg.write_plan("write", list(named)) if s.mode == "write" else None
        for (r, fl) in list(out):
            if r != reg.name:
                continue
            gate_field = reg.field(fl)
            assert gate_field is not None
            if fl in named:
                out[(r, fl)] = _field_after(s.mode, out[(r, fl)], named[fl], gate_field)
            elif plan is not None:
                out[(r, fl)] = bv(plan.forced_field(gate_field))
        return out

    # ------------------------------------------------------------ protocol invariants

    def _instances(self, instance: ir.Expr, state: State) -> list[tuple[int, z3.BoolRef]]:
        """The instances ``instance`` may be, each with the condition that it is that one."""
        assert isinstance(instance.type, ir.PeripheralType)
        p = instance.type.peripheral
        if isinstance(instance, ir.Const):
            return [(instance.value, z3.BoolVal(True))]
        base = self.enc.expr(instance, state)
        assert isinstance(base, z3.BitVecRef)
        return [(b, base == bv(b)) for _, b in p.instances]

    def ghost(self, instance: ir.Expr, name: str, state: State) -> z3.BoolRef:
        """The protocol invariant ``INSTANCE.name``."""
        options = [z3.And(cond, state.ghosts.get((b, name), z3.BoolVal(False))) for b, cond in self._instances(instance, state)]
        return z3.Or(*options) if options else z3.BoolVal(False)

    def _guard(self, instance: ir.Expr, reg: Register, access: str, state: State, span: ir.Span) -> None:
        assert isinstance(instance.type, ir.PeripheralType)
        for inv in instance.type.peripheral.invariants:
            guarded = inv.guards_read if access == "read" else inv.guards_write
            if reg.name in guarded:
                self.enc.oblige(state, Category.PROTOCOL, span, self.ghost(instance, inv.name, state),
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
                holds = rule_holds(rule, reg, value)
                for b, is_it in self._instances(instance, state):
                    old = ghosts[(b, inv.name)]
                    new = z3.Or(old, holds) if rule.effect == "set" else z3.And(old, z3.Not(holds))
                    ghosts[(b, inv.name)] = z3.If(is_it, new, old) if not z3.is_true(is_it) else new
        state.ghosts = ghosts

    # ------------------------------------------------------------ accesses

    def _element(self, index: ir.Expr | None, reg: Register, state: State) -> str:
        """The ``[i]`` of a register-array access, with its obligation that ``i`` names a register."""
        if index is None:
            return ""
        assert reg.count is not None
        i = self.enc.expr(index, state)
        assert isinstance(i, z3.BitVecRef)
        self.enc.oblige(state, Category.INDEX, index.span, z3.And(i >= bv(0), i < bv(reg.count)),
                        f"index into the register array {reg.name} (0..{reg.count - 1}) may be out of range")
        return "[i]"

    def _field_shift(self, element: ir.Expr | None, f: Field | None, state: State) -> z3.BitVecRef:
        """Where the accessed field starts: element ``i`` of a field array at ``lsb + i * stride``,
        with its obligation that ``i`` names an element (the register-array index's category)."""
        if element is None or f is None:
            return bv(f.lsb if f else 0)
        assert f.count is not None
        i = self.enc.expr(element, state)
        assert isinstance(i, z3.BitVecRef)
        self.enc.oblige(state, Category.INDEX, element.span, z3.And(i >= bv(0), i < bv(f.count)),
                        f"element of the field array {f.name} (0..{f.count - 1}) may be out of range")
        return bv(f.lsb) + i * bv(f.stride)

    def field_element(self, e: ir.FieldElement, state: State) -> z3.BitVecRef:
        """``sr.FIELD[i]`` of a register value: its bits at element ``i`` (no access, no gate)."""
        value = self.enc.expr(e.value, state)
        assert isinstance(value, z3.BitVecRef)
        return z3.LShR(value, self._field_shift(e.index, e.field, state)) & bv(e.field.max_value)

    def reg_read(self, e: ir.RegRead, state: State) -> z3.BitVecRef:
        reg = e.register
        inst = _instance_label(e.instance, self.ctx.soc)
        what = f"{inst}.{reg.name}{self._element(e.index, reg, state)}" + (f".{e.field.name}" if e.field else "")
        what += "[i]" if e.element is not None else ""
        shift = self._field_shift(e.element, e.field, state)
        self.clock_check(e.instance, state, e.span, f"{what} is read")
        self._guard(e.instance, reg, "read", state, e.span)
        raw, fact = self.enc.fresh(f"{inst}.{reg.name}", ir.unsigned_for_bits(reg.width))
        assert isinstance(raw, z3.BitVecRef)
        state.assume_in_place(z3.And(fact, z3.ULE(raw, bv((1 << reg.width) - 1))))
        value = raw if e.field is None else z3.LShR(raw, shift) & bv(e.field.max_value)
        self.enc.reads.append((f"{what} (line {e.span.line})", value))
        self._apply_rules(e.instance, reg, "read", raw, state)
        return value

    def reg_write(self, s: ir.RegWrite, state: State) -> State:
        reg = s.register
        inst_name = _instance_label(s.instance, self.ctx.soc)
        element = self._element(s.index, reg, state)
        arrayed = next((f for f, _ in s.fields if f.count is not None), None)
        shift = self._field_shift(s.element, arrayed, state)
        element += f".{arrayed.name}[i]" if arrayed is not None else ""
        self.clock_check(s.instance, state, s.span, f"{inst_name}.{reg.name}{element} is written")
        self._guard(s.instance, reg, "write", state, s.span)
        raw, values = self._written_fields(s, state)
        for f in reg.fields:
            if f.dma and f.name in values:
                address = values[f.name] << bv(f.lsb) if f.lsb else values[f.name]
                self.enc.oblige(state, Category.DMA, s.span, self.ctx.in_dma(address, bv(1)),
                                f"{reg.name}.{f.name} is given an address that may lie outside the DMA region or be misaligned")
        self._apply_rules(s.instance, reg, "write", self._written_value(s, values, raw, shift, state), state)
        if self._writes_gate(reg, s.instance):
            state = replace(state, gates=self._gates_after(s, values, state.gates))
        return state

    def _written_fields(self, s: ir.RegWrite, state: State) -> tuple[z3.BitVecRef | None, dict[str, z3.BitVecRef]]:
        """The raw value written (if any) and each field's value, with the obligations that they are legal."""
        reg = s.register
        raw: z3.BitVecRef | None = None
        values: dict[str, z3.BitVecRef] = {}
        if s.raw is not None:
            value = self.enc.expr(s.raw, state)
            assert isinstance(value, z3.BitVecRef)
            raw = value
            if reg.reserved_mask:
                self.enc.oblige(state, Category.REGISTER, s.span, (raw & bv(reg.reserved_mask)) == bv(reg.reserved_value),
                                f"reserved bits of {reg.name} (mask 0x{reg.reserved_mask:x}) must be written as 0x{reg.reserved_value:x}")
            # A field array is no one value: gates, DMA fields and rule conditions are single fields.
            values = {f.name: z3.LShR(raw, bv(f.lsb)) & bv(f.max_value) for f in reg.fields if f.count is None}
        for f, e in s.fields:
            v = self.enc.expr(e, state)
            assert isinstance(v, z3.BitVecRef)
            self.enc.oblige(state, Category.REGISTER, e.span, z3.ULE(v, bv(f.max_value)),
                            f"value written to {reg.name}.{f.name} may not fit its {f.width} bit(s)")
            values[f.name] = v
        return raw, values

    def _written_value(self, s: ir.RegWrite, named: dict[str, z3.BitVecRef], raw: z3.BitVecRef | None,
                       element_shift: z3.BitVecRef, state: State) -> z3.BitVecRef:
        """The register's value after a write, as far as the write determines it (a field-array
        slot sits at ``element_shift``)."""
        reg = s.register
        if raw is not None:
            return raw
        plan = reg.write_plan(s.mode, [f.name for f, _ in s.fields])

        def at(slot: FieldSlot) -> z3.BitVecRef:
            return element_shift if slot.stride else bv(slot.shift)

        if plan.kind == "write":
            # The field values are proved to fit their slots (obligations above): no mask needed.
            acc = bv(plan.forced)
            for slot in plan.slots:
                if slot.stride:
                    acc = acc & ~(bv(slot.mask) << at(slot))
                acc = acc | (named[slot.name] << at(slot))
            return acc
        new, fact = self.enc.fresh(f"{reg.name}'", ir.unsigned_for_bits(reg.width))
        assert isinstance(new, z3.BitVecRef)
        facts = [fact]
        for slot in plan.slots:
            v = named[slot.name] << at(slot)
            if plan.kind == "modify":
                facts.append(z3.LShR(new, at(slot)) & bv(slot.mask) == named[slot.name])
            elif plan.kind == "set":
                facts.append(new & v == v)
            elif plan.kind == "clear":
                facts.append(new & v == bv(0))
        state.assume_in_place(z3.And(*facts))
        return new


def _field_after(kind: str, old: z3.BitVecRef, value: z3.BitVecRef, f: Field) -> z3.BitVecRef:
    """A named field's value after a write of ``value`` to it."""
    if kind == "clear":
        return old & ~value & bv(f.max_value)
    if kind == "set":
        return old | value
    if kind == "toggle":
        return old ^ value
    return value


def _instance_label(instance: ir.Expr, soc: Soc) -> str:
    if isinstance(instance, ir.Const) and isinstance(instance.type, ir.PeripheralType):
        return soc.instance_name(instance.type.peripheral, instance.value) or instance.type.peripheral.name
    if isinstance(instance, ir.Local):
        return instance.name
    return "?"


# ---------------------------------------------------------------- spec conditions


class _Z3Operations:
    """Spec conditions on Z3 bit-vectors (exact non-negative values)."""

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


def rule_holds(rule: GhostRule, reg: Register, value: z3.BitVecRef) -> z3.BoolRef:
    """A spec rule's condition (checked by the spec loader) of a register value."""

    def read(name: str) -> z3.BitVecRef:
        if name == WHOLE_REGISTER:
            return value
        f = reg.field(name)
        assert f is not None
        return z3.LShR(value, bv(f.lsb)) & bv(f.max_value)

    return evaluate(rule.condition, read, _Z3_OPERATIONS)
