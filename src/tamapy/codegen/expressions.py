"""Lowering of IR expressions to LLVM IR text, in Python's evaluation order.

``//`` and ``%`` floor, shifts by the width or more give Python's result
instead of LLVM poison, and 64-bit division calls a helper emitted into the
module (the image has no compiler runtime library).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from tamapy.abi import PANIC_BOUNDS, PANIC_DIVIDE
from tamapy.codegen.emitter import Emitter
from tamapy.codegen.llvm import (
    CMP_SIGNED,
    CMP_UNSIGNED,
    Value,
    array_length,
    int_of,
    llvm_type,
    quote,
    volatile,
)
from tamapy.lang import ir
from tamapy.specs.model import Field, Register

_SIMPLE_BINOPS = {"add": "add", "sub": "sub", "mul": "mul", "and": "and", "or": "or", "xor": "xor"}


class ExpressionLowering(Emitter):
    """Every expression node to a :class:`Value`; statement lowering builds on it."""

    def expr(self, e: ir.Expr) -> Value:
        lower = _LOWERING.get(type(e))
        if lower is None:  # pragma: no cover - the IR is closed
            raise AssertionError(e)
        return lower(self, e)

    def _const(self, e: ir.Const) -> Value:
        if isinstance(e.type, ir.BoolType):
            return Value("true" if e.value else "false", "i1")
        return Value(str(e.value), llvm_type(e.type))

    def _local(self, e: ir.Local) -> Value:
        if isinstance(e.type, ir.ArrayType):
            return Value(f"%l.{e.name}", "ptr")
        if isinstance(e.type, ir.ViewType):
            ptr = self.op(f"load ptr, ptr %l.{e.name}")
            length = self.op(f"load i32, ptr %l.{e.name}.len")
            return Value(ptr, "ptr", length)
        ty = llvm_type(e.type)
        return Value(self.op(f"load {ty}, ptr %l.{e.name}"), ty)

    def _global_ref(self, e: ir.GlobalRef) -> Value:
        if isinstance(e.type, ir.ArrayType):
            return Value(quote(e.symbol), "ptr")
        ty = llvm_type(e.type)
        return Value(self.op(f"load {ty}, ptr {quote(e.symbol)}"), ty)

    def _unary(self, e: ir.Unary) -> Value:
        v = self.expr(e.operand)
        if e.op == "not":
            return Value(self.op(f"xor i1 {v.ref}, true"), "i1")
        if e.op == "neg":
            return Value(self.op(f"sub {v.ty} 0, {v.ref}"), v.ty)
        return Value(self.op(f"xor {v.ty} {v.ref}, -1"), v.ty)

    def _if_exp(self, e: ir.IfExp) -> Value:
        view = isinstance(e.type, ir.ViewType)
        ty = "ptr" if view else llvm_type(e.type)
        slot = self.slot(ty)
        length = self.slot("i32") if view else None  # a view's length travels with its pointer
        c = self.expr(e.cond)
        a, b, end = self.label("ifa"), self.label("ifb"), self.label("ifend")
        self.terminate(f"br i1 {c.ref}, label %{a}, label %{b}")
        for lbl, arm in ((a, e.then), (b, e.orelse)):
            self.start_block(lbl)
            v = self.expr(arm)
            self.emit(f"store {ty} {v.ref}, ptr {slot}")
            if length is not None:
                assert v.length is not None
                self.emit(f"store i32 {v.length}, ptr {length}")
            self.terminate(f"br label %{end}")
        self.start_block(end)
        chosen = Value(self.op(f"load {ty}, ptr {slot}"), ty)
        return replace(chosen, length=self.op(f"load i32, ptr {length}")) if length is not None else chosen

    def _convert(self, e: ir.Convert) -> Value:
        v = self.expr(e.value)
        src, dst = int_of(e.value.type), int_of(e.type)
        return Value(self._resize(v.ref, src, dst.bits, signed=src.signed), f"i{dst.bits}")

    def _index(self, e: ir.Index) -> Value:
        ptr = self._element_ptr(e)
        ty = f"i{e.type.bits}"
        return Value(self.op(f"load{volatile(e.base)} {ty}, ptr {ptr}"), ty)

    def _slice_view(self, e: ir.SliceView) -> Value:
        base = self.expr(e.base)
        start = self.expr(e.start)
        stop = self.expr(e.stop)
        limit = base.length if base.length is not None else str(array_length(e.base.type))
        ok1 = self.op(f"icmp ule i32 {start.ref}, {stop.ref}")
        ok2 = self.op(f"icmp ule i32 {stop.ref}, {limit}")
        self._check(self.op(f"and i1 {ok1}, {ok2}"), PANIC_BOUNDS)
        ptr = self.op(f"getelementptr i{e.type.elem.bits}, ptr {base.ref}, i32 {start.ref}")
        return Value(ptr, "ptr", self.op(f"sub i32 {stop.ref}, {start.ref}"))

    def _len(self, e: ir.Len) -> Value:
        base = self.expr(e.base)
        return Value(base.length or str(array_length(e.base.type)), "i32")

    def _reg_read(self, e: ir.RegRead) -> Value:
        reg = e.register
        ty = f"i{reg.width}"
        addr = self._reg_address(e.instance, reg.offset, e.index, reg)
        # A field array's element is checked before the load, as CPython raises before it reads.
        element = self._field_shift(e.element, e.field, reg.width) if e.element is not None and e.field else None
        raw = self.op(f"load volatile {ty}, ptr {addr}, align {reg.width // 8}")
        if e.field is None:
            return Value(raw, ty)
        shift = element if element is not None else str(e.field.lsb)
        shifted = self.op(f"lshr {ty} {raw}, {shift}") if shift != "0" else raw
        masked = self.op(f"and {ty} {shifted}, {e.field.max_value}")
        return Value(self._resize(masked, int_of(ir.unsigned_for_bits(reg.width)), e.type.bits, False), f"i{e.type.bits}")

    def _member(self, e: ir.Member) -> Value:
        """A scalar member: one load of its bytes; an array member: the pointer to its first element."""
        ptr = self.member_ptr(e)
        if isinstance(e.type, ir.ArrayType):
            return Value(ptr, "ptr")
        ty = llvm_type(e.type)
        return Value(self.op(f"load{volatile(e.base)} {ty}, ptr {ptr}, align {e.member.elem.bits // 8}"), ty)

    def member_ptr(self, e: ir.Member) -> str:
        base = self.expr(e.base)
        return self.op(f"getelementptr i8, ptr {base.ref}, i32 {e.member.offset}") if e.member.offset else base.ref

    def _field_element(self, e: ir.FieldElement) -> Value:
        """``sr.FIELD[i]`` of a register value: shifted down from element ``i`` (bounds-checked)."""
        word = int_of(e.value.type)
        v = self.expr(e.value)
        shifted = self.op(f"lshr i{word.bits} {v.ref}, {self._field_shift(e.index, e.field, word.bits)}")
        masked = self.op(f"and i{word.bits} {shifted}, {e.field.max_value}")
        return Value(self._resize(masked, word, e.type.bits, False), f"i{e.type.bits}")

    def _addr_of(self, e: ir.AddrOf) -> Value:
        base = self.expr(e.base)
        return Value(self.op(f"ptrtoint ptr {base.ref} to i32"), "i32")

    def _mmio_read(self, e: ir.MmioRead) -> Value:
        address = self.expr(e.address)
        ptr = self.op(f"inttoptr i32 {address.ref} to ptr")
        ty = f"i{e.width}"
        return Value(self.op(f"load volatile {ty}, ptr {ptr}, align {e.width // 8}"), ty)

    def _resize(self, ref: str, src: ir.IntType, bits: int, signed: bool) -> str:
        if src.bits == bits:
            return ref
        if src.bits > bits:
            return self.op(f"trunc i{src.bits} {ref} to i{bits}")
        return self.op(f"{'sext' if signed else 'zext'} i{src.bits} {ref} to i{bits}")

    def _element_ptr(self, e: ir.Index) -> str:
        base = self.expr(e.base)
        idx = self.expr(e.index)
        it = int_of(e.index.type)
        length = base.length if base.length is not None else str(array_length(e.base.type))
        wide = self._resize(idx.ref, it, 64, it.signed) if it.bits < 64 else idx.ref
        len64 = self.op(f"zext i32 {length} to i64")
        self._check(self.op(f"icmp ult i64 {wide}, {len64}"), PANIC_BOUNDS)
        idx32 = self._resize(wide, ir.U64, 32, False)
        return self.op(f"getelementptr i{e.type.bits}, ptr {base.ref}, i32 {idx32}")

    def _binary(self, e: ir.Binary) -> Value:
        t = e.type
        ty = f"i{t.bits}"
        a = self.expr(e.left)
        b = self.expr(e.right)
        if e.op in _SIMPLE_BINOPS:
            return Value(self.op(f"{_SIMPLE_BINOPS[e.op]} {ty} {a.ref}, {b.ref}"), ty)
        if e.op in ("lshift", "rshift"):
            return Value(self._shift(e, a.ref, b.ref, int_of(e.right.type)), ty)
        nonzero = self.op(f"icmp ne {ty} {b.ref}, 0")
        self._check(nonzero, PANIC_DIVIDE, always=True)
        if not t.signed:
            return Value(self._udivrem(e.op, ty, a.ref, b.ref), ty)
        return Value(self._floor_divmod(e.op, ty, a.ref, b.ref), ty)

    def _udivrem(self, op: str, ty: str, a: str, b: str) -> str:
        if ty == "i64":
            name = "__tamapy_udiv64" if op == "floordiv" else "__tamapy_urem64"
            self.uses_udiv64.add(name)
            return self.op(f"call i64 @{name}(i64 {a}, i64 {b})")
        return self.op(f"{'udiv' if op == 'floordiv' else 'urem'} {ty} {a}, {b}")

    def _floor_divmod(self, op: str, ty: str, a: str, b: str) -> str:
        """Python's floor division/modulo from magnitudes, with no overflow traps."""
        zero = "0"
        a_neg = self.op(f"icmp slt {ty} {a}, {zero}")
        b_neg = self.op(f"icmp slt {ty} {b}, {zero}")
        a_mag = self.op(f"select i1 {a_neg}, {ty} {self.op(f'sub {ty} 0, {a}')}, {ty} {a}")
        b_mag = self.op(f"select i1 {b_neg}, {ty} {self.op(f'sub {ty} 0, {b}')}, {ty} {b}")
        q = self._udivrem("floordiv", ty, a_mag, b_mag)
        r = self._udivrem("mod", ty, a_mag, b_mag)
        signs_differ = self.op(f"xor i1 {a_neg}, {b_neg}")
        r_nonzero = self.op(f"icmp ne {ty} {r}, 0")
        adjust = self.op(f"and i1 {signs_differ}, {r_nonzero}")
        if op == "floordiv":
            q_signed = self.op(f"select i1 {signs_differ}, {ty} {self.op(f'sub {ty} 0, {q}')}, {ty} {q}")
            q_minus = self.op(f"sub {ty} {q_signed}, 1")
            return self.op(f"select i1 {adjust}, {ty} {q_minus}, {ty} {q_signed}")
        # Remainder takes the sign of the divisor: r' = sign(a)*r, then + b when signs differ.
        r_signed = self.op(f"select i1 {a_neg}, {ty} {self.op(f'sub {ty} 0, {r}')}, {ty} {r}")
        r_plus = self.op(f"add {ty} {r_signed}, {b}")
        return self.op(f"select i1 {adjust}, {ty} {r_plus}, {ty} {r_signed}")

    def _shift(self, e: ir.Binary, a: str, n: str, nt: ir.IntType) -> str:
        t = e.type
        ty = f"i{t.bits}"
        # An amount >= width (or negative, seen unsigned) gives Python's result, not poison.
        too_far = self.op(f"icmp uge i{nt.bits} {n}, {t.bits}")
        amount = self._resize(n, nt, t.bits, False) if nt.bits != t.bits else n
        safe = self.op(f"select i1 {too_far}, {ty} {t.bits - 1}, {ty} {amount}")
        if e.op == "lshift":
            shifted = self.op(f"shl {ty} {a}, {safe}")
            return self.op(f"select i1 {too_far}, {ty} 0, {ty} {shifted}")
        if t.signed:
            return self.op(f"ashr {ty} {a}, {safe}")
        shifted = self.op(f"lshr {ty} {a}, {safe}")
        return self.op(f"select i1 {too_far}, {ty} 0, {ty} {shifted}")

    def _compare(self, e: ir.Compare) -> Value:
        if len(e.ops) == 1:
            return Value(self._compare_pair(e, 0, self.expr(e.operands[0]), self.expr(e.operands[1])), "i1")
        slot = self.slot("i1")
        end = self.label("cmpend")
        self.emit(f"store i1 false, ptr {slot}")
        left = self.expr(e.operands[0])
        for i in range(len(e.ops)):
            right = self.expr(e.operands[i + 1])
            ok = self._compare_pair(e, i, left, right)
            nxt = self.label("cmpnext")
            self.terminate(f"br i1 {ok}, label %{nxt}, label %{end}")
            self.start_block(nxt)
            left = right
        self.emit(f"store i1 true, ptr {slot}")
        self.start_block(end)
        return Value(self.op(f"load i1, ptr {slot}"), "i1")

    def _compare_pair(self, e: ir.Compare, i: int, a: Value, b: Value) -> str:
        t = e.pair_types[i]
        refs = []
        for v, operand in ((a, e.operands[i]), (b, e.operands[i + 1])):
            src = int_of(operand.type)
            refs.append(self._resize(v.ref, src, t.bits, src.signed))
        preds = CMP_SIGNED if t.signed else CMP_UNSIGNED
        return self.op(f"icmp {preds[e.ops[i]]} i{t.bits} {refs[0]}, {refs[1]}")

    def _boolop(self, e: ir.BoolOp) -> Value:
        slot = self.slot("i1")
        end = self.label("boolend")
        short = "false" if e.op == "and" else "true"
        self.emit(f"store i1 {short}, ptr {slot}")
        for v in e.values[:-1]:
            c = self.expr(v)
            nxt = self.label("boolnext")
            if e.op == "and":
                self.terminate(f"br i1 {c.ref}, label %{nxt}, label %{end}")
            else:
                self.terminate(f"br i1 {c.ref}, label %{end}, label %{nxt}")
            self.start_block(nxt)
        last = self.expr(e.values[-1])
        self.emit(f"store i1 {last.ref}, ptr {slot}")
        self.start_block(end)
        return Value(self.op(f"load i1, ptr {slot}"), "i1")

    def _call(self, e: ir.Call) -> Value:
        args: list[str] = []
        for a in e.args:
            v = self.expr(a)
            if isinstance(a.type, ir.ViewType):
                args += [f"ptr {v.ref}", f"i32 {v.length}"]
            else:
                args.append(f"{v.ty} {v.ref}")
        ret = llvm_type(e.type)
        call = f"call {ret} {quote(e.function)}({', '.join(args)})"
        if ret == "void":
            self.emit(call)
            return Value("", "void")
        return Value(self.op(call), ret)

    def _field_shift(self, element: ir.Expr, f: Field, width: int) -> str:
        """Where element ``element`` of the field array ``f`` starts, as an ``i{width}`` (bounds-checked
        like an array element, so the shift is below the register width)."""
        assert f.count is not None
        i = self.expr(element)
        self._check(self.op(f"icmp ult i32 {i.ref}, {f.count}"), PANIC_BOUNDS)
        shift = self.op(f"add i32 {self.op(f'mul i32 {i.ref}, {f.stride}')}, {f.lsb}")
        return self._resize(shift, ir.U32, width, signed=False)

    def _reg_address(self, instance: ir.Expr, offset: int, index: ir.Expr | None = None, reg: Register | None = None) -> str:
        """The address of a register (``offset`` from the instance base), or of element ``index``
        of the register array ``reg`` (bounds-checked like an array element)."""
        if index is None:
            if isinstance(instance, ir.Const):
                return f"inttoptr (i32 {instance.value + offset} to ptr)"
            base = self.expr(instance)
            addr = self.op(f"add i32 {base.ref}, {offset}")
            return self.op(f"inttoptr i32 {addr} to ptr")
        assert reg is not None and reg.count is not None
        base_ref = str(instance.value) if isinstance(instance, ir.Const) else self.expr(instance).ref
        i = self.expr(index)
        self._check(self.op(f"icmp ult i32 {i.ref}, {reg.count}"), PANIC_BOUNDS)
        step = self.op(f"mul i32 {i.ref}, {reg.stride}")
        addr = self.op(f"add i32 {self.op(f'add i32 {base_ref}, {offset}')}, {step}")
        return self.op(f"inttoptr i32 {addr} to ptr")


_LOWERING: dict[type, Callable[[ExpressionLowering, Any], Value]] = {
    ir.Const: ExpressionLowering._const,
    ir.Local: ExpressionLowering._local,
    ir.GlobalRef: ExpressionLowering._global_ref,
    ir.Unary: ExpressionLowering._unary,
    ir.Binary: ExpressionLowering._binary,
    ir.Compare: ExpressionLowering._compare,
    ir.BoolOp: ExpressionLowering._boolop,
    ir.IfExp: ExpressionLowering._if_exp,
    ir.Convert: ExpressionLowering._convert,
    ir.Call: ExpressionLowering._call,
    ir.Index: ExpressionLowering._index,
    ir.SliceView: ExpressionLowering._slice_view,
    ir.Member: ExpressionLowering._member,
    ir.Len: ExpressionLowering._len,
    ir.RegRead: ExpressionLowering._reg_read,
    ir.FieldElement: ExpressionLowering._field_element,
    ir.AddrOf: ExpressionLowering._addr_of,
    ir.MmioRead: ExpressionLowering._mmio_read,
}
"""IR expression class -> its lowering (the IR is closed: every class is here)."""

UDIV64 = """
define internal i64 @__tamapy_udivmod64(i64 %n, i64 %d, ptr %rem) #0 {
entry:
  br label %loop
loop:
  %i = phi i32 [ 64, %entry ], [ %i1, %step ]
  %q = phi i64 [ 0, %entry ], [ %q2, %step ]
  %r = phi i64 [ 0, %entry ], [ %r3, %step ]
  %done = icmp eq i32 %i, 0
  br i1 %done, label %out, label %step
step:
  %i1 = sub i32 %i, 1
  %sh = zext i32 %i1 to i64
  %bit = lshr i64 %n, %sh
  %b1 = and i64 %bit, 1
  %r1 = shl i64 %r, 1
  %r2 = or i64 %r1, %b1
  %ge = icmp uge i64 %r2, %d
  %rs = sub i64 %r2, %d
  %r3 = select i1 %ge, i64 %rs, i64 %r2
  %qb = zext i1 %ge to i64
  %qs = shl i64 %q, 1
  %q2 = or i64 %qs, %qb
  br label %loop
out:
  store i64 %r, ptr %rem
  ret i64 %q
}
define internal i64 @__tamapy_udiv64(i64 %n, i64 %d) #0 {
  %rem = alloca i64
  %q = call i64 @__tamapy_udivmod64(i64 %n, i64 %d, ptr %rem)
  ret i64 %q
}
define internal i64 @__tamapy_urem64(i64 %n, i64 %d) #0 {
  %rem = alloca i64
  %q = call i64 @__tamapy_udivmod64(i64 %n, i64 %d, ptr %rem)
  %r = load i64, ptr %rem
  ret i64 %r
}
"""
"""64-bit division by shift-and-subtract: the ARM has no 64-bit divider and the
image has no compiler runtime library to call."""
