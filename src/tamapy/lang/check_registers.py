"""Register rules: register and field use checked against the spec.

Which registers and fields exist, which may be read, and what each write
form (``write``, ``modify``, ``set``, ``clear``, ``toggle``) may do to a
register with the access, aliases and side effects its spec declares.
"""

from __future__ import annotations

import ast

from tamapy.diagnostics import display_path
from tamapy.lang import ir
from tamapy.lang.check_base import CheckerBase
from tamapy.lang.scope import InstanceSym
from tamapy.specs.model import ALIAS_OF_KIND, Access, Field, Register


class RegisterRules(CheckerBase):
    """Register reads, register writes and ghost reads of protocol invariants."""

    def _ghost_read(self, node: ast.Attribute) -> ir.Expr | None:
        """``INSTANCE.invariant`` in a contract: a protocol invariant of the instance's spec."""
        inst: ir.Expr | None = None
        if self._is_local(node.value):
            assert isinstance(node.value, ast.Name)
            t = self.locals[node.value.id]
            if isinstance(t, ir.PeripheralType):
                inst = ir.Local(node.value.id, t, self.span(node.value))
        else:
            sym = self.tables.lookup_node(self.scope, node.value)
            if isinstance(sym, InstanceSym):
                inst = ir.Const(sym.base, ir.PeripheralType(sym.peripheral), self.span(node.value))
        if inst is None or not isinstance(inst.type, ir.PeripheralType):
            return None
        if inst.type.peripheral.invariant(node.attr) is None:
            return None
        return ir.GhostRead(inst, node.attr, ir.BOOL, self.span(node))

    def _register_of(self, node: ast.expr) -> tuple[ir.Expr, Register, ir.Expr | None] | None:
        """``INSTANCE.REG`` or ``INSTANCE.REG[i]`` (a register array) -> (instance expression,
        register, index or None), else None."""
        if isinstance(node, ast.Subscript):
            inner = self._instance_register(node.value)
            if inner is None:
                return None
            inst, register = inner
            if register.count is None:
                raise self.fail(node, "E205", f"{register.name} is one register, not an array", "drop the [index]")
            index = self.coerce(self.expr(node.slice, ir.U32), ir.U32, node.slice)
            if isinstance(index, ir.Const) and not 0 <= index.value < register.count:
                raise self.fail(node.slice, "E205", f"{register.name}[{index.value}] is outside the array",
                                f"{register.name} has registers 0..{register.count - 1}")
            return inst, register, index
        inner = self._instance_register(node)
        if inner is None:
            return None
        if inner[1].count is not None:
            raise self.fail(node, "E205", f"{inner[1].name} is an array of {inner[1].count} registers",
                            f"name one of them: {inner[1].name}[i]")
        return inner[0], inner[1], None

    def _instance_register(self, node: ast.expr) -> tuple[ir.Expr, Register] | None:
        """``INSTANCE.REG`` -> (instance expression, register), else None."""
        if not isinstance(node, ast.Attribute):
            return None
        inst: ir.Expr | None = None
        base = node.value
        if self._is_local(base):
            assert isinstance(base, ast.Name)
            t = self.locals[base.id]
            if isinstance(t, ir.PeripheralType):
                inst = ir.Local(base.id, t, self.span(base))
        else:
            sym = self.tables.lookup_node(self.scope, base)
            if isinstance(sym, InstanceSym):
                inst = ir.Const(sym.base, ir.PeripheralType(sym.peripheral), self.span(base))
        if inst is None:
            return None
        assert isinstance(inst.type, ir.PeripheralType)
        periph = inst.type.peripheral
        register = periph.register(node.attr)
        if register is None:
            raise self.fail(
                node, "E205", f"{periph.name} has no register `{node.attr}`",
                f"registers are defined in {display_path(periph.source)}",
            )
        return inst, register

    def _register_read(self, node: ast.Call, method: str, inst: ir.Expr, register: Register,
                       index: ir.Expr | None) -> ir.RegRead:
        """``INSTANCE.REG.read()``: one load of the whole register."""
        sp = self.span(node)
        if method != "read":
            raise self.fail(node, "E205", f"`{method}()` does not produce a value", "call it as a statement")
        if node.args or node.keywords:
            raise self.fail(node, "E203", "read() takes no arguments", "remove them")
        self._pure_in_contracts(node, "read registers")
        self._check_readable(node, register, None)
        assert isinstance(inst.type, ir.PeripheralType)
        return ir.RegRead(inst, register, None, ir.register_value(inst.type.peripheral.name, register), sp, index)

    def _value_field(self, node: ast.Attribute, value: ir.Expr, element: int | None = None) -> ir.Expr:
        """``sr.FIELD`` of a register value (or ``sr.FIELD[k]``, a constant element of a field
        array): its bits, as the spec places them (a pure expression)."""
        t = value.type
        assert isinstance(t, ir.RegisterValueType)
        f = t.register.field(node.attr)
        if f is None:
            raise self.fail(node, "E205", f"a value of {t.peripheral}.{t.register.name} has no field `{node.attr}`",
                            f"fields: {', '.join(x.name for x in t.register.fields) or 'none'}")
        if element is None:
            self._not_array(node, t.register, f)
        sp = self.span(node)
        word = ir.unsigned_for_bits(t.bits)
        bits: ir.Expr = ir.Convert(value, word, sp)
        shift = f.element_shift(element or 0)
        if shift:
            bits = ir.Binary("rshift", bits, ir.Const(shift, word, sp), word, sp)
        masked = ir.Binary("and", bits, ir.Const(f.max_value, word, sp), word, sp)
        return ir.Convert(masked, ir.unsigned_for_bits(f.width), sp)

    def _field_read(self, node: ast.Attribute, inst: ir.Expr, register: Register, index: ir.Expr | None) -> ir.RegRead:
        """``INSTANCE.REG.FIELD``: one load of the register, keeping one field."""
        f = register.field(node.attr)
        if f is None:
            raise self.fail(
                node, "E205", f"register {register.name} has no field `{node.attr}`",
                f"fields: {', '.join(x.name for x in register.fields) or 'none (use .read())'}",
            )
        self._not_array(node, register, f)
        self._pure_in_contracts(node, "read registers")
        self._check_readable(node, register, f)
        return ir.RegRead(inst, register, f, ir.unsigned_for_bits(f.width), self.span(node), index)

    def _check_readable(self, node: ast.AST, register: Register, f: Field | None) -> None:
        if register.access is Access.WO or (f is not None and f.access is Access.WO):
            what = f"{register.name}.{f.name}" if f else register.name
            raise self.fail(node, "E205", f"{what} is write-only and cannot be read", "keep a copy of what you wrote")

    def _register_write(self, call: ast.Call, method: str, inst: ir.Expr, register: Register, index: ir.Expr | None,
                        sp: ir.Span) -> ir.Stmt:
        modes = {"write", "modify", "set", "clear", "toggle"}
        if method not in modes:
            raise self.fail(call, "E205", f"registers have no method `{method}`", "use read, write, modify, set, clear, toggle")
        if method != "write" and call.args:
            raise self.fail(call, "E203", f"{method}() takes FIELD=value arguments", f"REG.{method}(FIELD=1)")
        where = f"{register.name}"
        if register.access is Access.RO:
            raise self.fail(call, "E205", f"{where} is read-only", "registers marked RO in the spec cannot be written")
        if method == "write" and call.args:
            if len(call.args) != 1 or call.keywords:
                raise self.fail(call, "E203", "write(value) takes one value, or FIELD=value arguments", "pick one form")
            t = ir.unsigned_for_bits(register.width)
            raw = self.coerce(self.expr(call.args[0], t), t, call.args[0])
            if (register.has_w1c or register.read_sensitive) and self.tables.fold(self.scope, call.args[0]) is None:
                # A computed value may be the register's own read: writing it back clears every pending W1C bit.
                raise self.fail(call.args[0], "E205", f"a raw write of {where}, which has write-1-to-clear or "
                                "read-sensitive fields, must be a constant",
                                "name the fields: write(FIELD=...) or clear(FIELD=1)")
            return ir.RegWrite(inst, register, "raw", (), raw, sp, index)
        if not call.keywords:
            raise self.fail(call, "E203", f"{method}() needs at least one FIELD=value", f"REG.{method}(FIELD=1)")
        fields: list[tuple[Field, ir.Expr]] = []
        for kw in call.keywords:
            if kw.arg is None:
                raise self.fail(call, "E112", "**kwargs are not in the subset", "name each field")
            f = register.field(kw.arg)
            if f is None:
                raise self.fail(kw, "E205", f"register {register.name} has no field `{kw.arg}`",
                                f"fields: {', '.join(x.name for x in register.fields)}")
            if f.access is Access.RO:
                raise self.fail(kw, "E205", f"field {register.name}.{f.name} is read-only", "do not write it")
            self._not_array(kw, register, f)
            t = ir.unsigned_for_bits(f.width)
            value = self.coerce(self.expr(kw.value, t), t, kw.value)
            if isinstance(value, ir.Const) and value.value > f.max_value:
                raise self.fail(kw.value, "E205", f"{value.value} does not fit the {f.width}-bit field {f.name}",
                                f"{f.name} holds 0..{f.max_value}")
            fields.append((f, value))
        self._check_write_kind(call, method, register, fields)
        return ir.RegWrite(inst, register, method, tuple(fields), None, sp, index)

    def _check_write_kind(self, call: ast.Call, method: str, register: Register,
                          fields: list[tuple[Field, ir.Expr]]) -> None:
        """What a ``modify`` / ``set`` / ``clear`` / ``toggle`` of these fields needs of the register
        (the same rules for named fields and for one element of a field array)."""
        where = register.name
        if method == "modify":
            if register.access is Access.WO or register.read_sensitive or register.has_w1c:
                why = "is write-only" if register.access is Access.WO else (
                    "has read side effects" if register.read_sensitive else "has write-1-to-clear fields")
                raise self.fail(call, "E205", f"read-modify-write of {where}, which {why}",
                                "use write(...) with every field you mean, or clear(...) for W1C bits")
        elif method in ("set", "clear", "toggle"):
            alias = ALIAS_OF_KIND[method]
            w1c_clear = method == "clear" and all(f.access is Access.W1C for f, _ in fields)
            if alias not in register.aliases and not w1c_clear:
                raise self.fail(call, "E205", f"{where} has no {alias} alias", "use modify(...) or write(...)")
            if w1c_clear and alias not in register.aliases:
                self._check_whole_register_clear(call, register, where)
                for f, value in fields:
                    if not (isinstance(value, ir.Const) and value.value == f.max_value):
                        raise self.fail(call, "E205", f"clear() of W1C field {f.name} writes ones", f"write {f.name}={f.max_value}")

    # ------------------------------------------------------------ field arrays

    def _not_array(self, node: ast.AST, register: Register, f: Field) -> None:
        """A field array is not one value: it is used one element at a time."""
        if f.count is not None:
            raise self.fail(node, "E205", f"{register.name}.{f.name} is an array of {f.count} fields",
                            f"name one element: {register.name}.{f.name}[i], or write one: "
                            f"{register.name}.{f.name}.write(i, value)")

    def _field_array_of(self, node: ast.expr) -> tuple[ir.Expr, Register, ir.Expr | None, Field] | None:
        """``INSTANCE.REG.FIELD`` (or ``INSTANCE.REG[i].FIELD``) naming a field array, else None."""
        if not isinstance(node, ast.Attribute):
            return None
        reg = self._register_of(node.value)
        f = reg[1].field(node.attr) if reg is not None else None
        if reg is None or f is None or f.count is None:
            return None
        return reg[0], reg[1], reg[2], f

    def _element_index(self, node: ast.expr, register: Register, f: Field) -> ir.Expr:
        """The element of a field array: a ``u32`` the verifier proves below ``count``."""
        assert f.count is not None
        index = self.coerce(self.expr(node, ir.U32), ir.U32, node)
        if isinstance(index, ir.Const) and not 0 <= index.value < f.count:
            raise self.fail(node, "E205", f"{register.name}.{f.name}[{index.value}] is outside the field array",
                            f"{f.name} has elements 0..{f.count - 1}")
        return index

    def _value_element(self, node: ast.Subscript) -> ir.Expr | None:
        """``sr.FIELD[k]`` of a register value ``sr``: a constant ``k`` is a fixed shift, a run-time
        one a :class:`~tamapy.lang.ir.FieldElement` (its bound an obligation); else None."""
        attr = node.value
        if not (isinstance(attr, ast.Attribute) and isinstance(attr.value, ast.Name) and self._is_local(attr.value)):
            return None
        t = self.locals[attr.value.id]
        if not isinstance(t, ir.RegisterValueType):
            return None
        f = t.register.field(attr.attr)
        if f is None or f.count is None:
            return None
        k = self._element_index(node.slice, t.register, f)
        value = ir.Local(attr.value.id, t, self.span(attr.value))
        if isinstance(k, ir.Const):
            return self._value_field(attr, value, k.value)
        if self.in_contract:  # not needed by any contract yet: refused rather than half-supported
            raise self.fail(node.slice, "E205", f"an element of {f.name} in a contract needs a constant index",
                            f"state the property for a constant element, or compute {attr.value.id}.{f.name}[i] in code")
        sp = self.span(node)
        word = ir.unsigned_for_bits(t.bits)
        return ir.FieldElement(ir.Convert(value, word, sp), f, k, ir.unsigned_for_bits(f.width), sp)

    def _field_element_read(self, node: ast.Subscript) -> ir.Expr | None:
        """``INSTANCE.REG.FIELD[i]``: one load of the register, keeping element ``i`` (or a constant
        element of a register value); else None."""
        value = self._value_element(node)
        if value is not None:
            return value
        found = self._field_array_of(node.value)
        if found is None or isinstance(node.slice, ast.Slice):
            return None
        inst, register, index, f = found
        self._pure_in_contracts(node, "read registers")
        self._check_readable(node, register, f)
        element = self._element_index(node.slice, register, f)
        return ir.RegRead(inst, register, f, ir.unsigned_for_bits(f.width), self.span(node), index, element)

    def _field_element_write(self, call: ast.Call, sp: ir.Span) -> ir.Stmt | None:
        """``REG.FIELD.write(i, v)`` (read-modify-write of element ``i``), ``REG.FIELD.set(i)``,
        ``.clear(i)``, ``.toggle(i)`` (element ``i`` all ones, through the alias, or ``clear`` of
        a write-1-to-clear element); None when the receiver is not a field array."""
        assert isinstance(call.func, ast.Attribute)
        receiver = call.func.value
        if isinstance(receiver, ast.Subscript) and self._field_array_of(receiver.value) is not None:
            name = ast.unparse(receiver.value)
            raise self.fail(call, "E205", f"an element of a field array has no method `{call.func.attr}`",
                            f"write element i through the array: {name}.write(i, value), .set(i), .clear(i), .toggle(i)")
        found = self._field_array_of(receiver)
        if found is None:
            return None
        inst, register, index, f = found
        method, arity = call.func.attr, {"write": 2, "set": 1, "clear": 1, "toggle": 1}
        if method not in arity:
            raise self.fail(call, "E205", f"a field array has no method `{method}`",
                            f"read {f.name}[i]; write with {f.name}.write(i, value), set(i), clear(i), toggle(i)")
        if call.keywords or len(call.args) != arity[method]:
            form = f"{f.name}.write(i, value)" if method == "write" else f"{f.name}.{method}(i)"
            raise self.fail(call, "E203", f"{method}() of a field array takes the element"
                            + (" and its value" if method == "write" else ""), form)
        if register.access is Access.RO or f.access is Access.RO:
            raise self.fail(call, "E205", f"{register.name}.{f.name} is read-only", "do not write it")
        element = self._element_index(call.args[0], register, f)
        t = ir.unsigned_for_bits(f.width)
        if method == "write":
            value = self.coerce(self.expr(call.args[1], t), t, call.args[1])
            if isinstance(value, ir.Const) and value.value > f.max_value:
                raise self.fail(call.args[1], "E205", f"{value.value} does not fit the {f.width}-bit element of {f.name}",
                                f"{f.name}[i] holds 0..{f.max_value}")
        else:
            value = ir.Const(f.max_value, t, sp)
        mode = "modify" if method == "write" else method
        self._check_write_kind(call, mode, register, [(f, value)])
        return ir.RegWrite(inst, register, mode, ((f, value),), None, sp, index, element)

    def _check_whole_register_clear(self, call: ast.Call, register: Register, where: str) -> None:
        """``clear()`` of W1C fields without a CLR alias stores to the register itself.

        The stored word holds ones in the named fields and zeros everywhere
        else, so it is only the intended clear when no other bit is writable
        state: no RW/WO field (it would be zeroed behind the program's back)
        and reserved bits that must be written 0.
        """
        zeroed = [f.name for f in register.fields if f.access in (Access.RW, Access.WO)]
        if zeroed or register.reserved_value:
            what = f"field(s) {', '.join(zeroed)}" if zeroed else "reserved bits that must be written non-zero"
            raise self.fail(call, "E205", f"clear() of {where} writes the whole register: it would write 0 to {what}",
                            "use write(...) naming every field with the value it must keep")

    def _enable_clock(self, call: ast.Call, sp: ir.Span) -> ir.Stmt:
        """``enable_clock(INSTANCE)``: open the CCM gate the specs' ``[clocks]`` table names for the
        instance (a read-modify-write of that field to 0b11, on in run and wait modes); for an
        instance parameter, one such write per gated instance, chosen by comparing it."""
        if len(call.args) != 1 or call.keywords:
            raise self.fail(call, "E203", "enable_clock(INSTANCE) takes one register instance", "e.g. enable_clock(uart)")
        inst = self.expr(call.args[0], None)
        if not isinstance(inst.type, ir.PeripheralType) or not isinstance(inst, ir.Const | ir.Local):
            raise self.fail(call.args[0], "E201", "enable_clock() takes a register instance or an instance parameter",
                            "e.g. enable_clock(UART1) or enable_clock(uart)")
        found = self.tables.soc.instance("CCM")
        p = inst.type.peripheral
        gates = [(dict(p.instances)[i], r, f) for i, r, f in p.clocks]
        if isinstance(inst, ir.Const):
            gates = [g for g in gates if g[0] == inst.value]
        if found is None or not gates:
            raise self.fail(call.args[0], "E205", f"the specs name no clock gate for {inst.type}"
                            + ("" if isinstance(inst, ir.Local) else f" instance 0x{inst.value:08x}"),
                            "add it to the peripheral's [clocks] table, or drop the call")
        ccm, base = found
        chain: tuple[ir.Stmt, ...] = ()
        for at, reg_name, field_name in reversed(gates):
            reg = ccm.register(reg_name)
            f = reg.field(field_name) if reg is not None else None
            assert reg is not None and f is not None, (reg_name, field_name)  # the spec loader checks [clocks]
            on = ir.Const(f.max_value, ir.unsigned_for_bits(f.width), sp)
            write = ir.RegWrite(ir.Const(base, ir.PeripheralType(ccm), sp), reg, "modify", ((f, on),), None, sp)
            if isinstance(inst, ir.Const):
                return write
            same = ir.Compare(("eq",), (inst, ir.Const(at, inst.type, sp)), (ir.U32,), ir.BOOL, sp)
            chain = (ir.If(same, (write,), chain, sp),)
        return chain[0]

