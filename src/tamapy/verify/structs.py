"""Struct members as the bytes they are: little-endian loads and stores on the struct's array.

A ``@struct`` is an array of bytes to the verifier, exactly as it is in memory, so
everything that holds for arrays (frames, aliasing, DMA placement, havoc after a
call) holds for it unchanged; a member is the bytes at its offset.  A member of a
DMA struct is read fresh each time, as a DMA buffer's elements are, because the
engine may have written it.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import z3

from tamapy.lang import ir
from tamapy.verify.effects import root_name
from tamapy.verify.obligation import Category
from tamapy.verify.state import State, ViewTerm, bv, fits

if TYPE_CHECKING:
    from tamapy.verify.symbolic import FunctionEncoder


def load(arr: z3.ArrayRef, offset: z3.BitVecRef, t: ir.IntType, state: State) -> z3.BitVecRef:
    """The ``t`` stored little-endian at byte ``offset`` (each byte is one, as memory holds)."""
    value: z3.BitVecRef = bv(0)
    for j in range(t.bits // 8):
        byte = z3.Select(arr, offset + bv(j))
        state.assume_in_place(fits(byte, ir.U8))
        value = value + (byte << bv(8 * j))
    if t.signed:
        value = z3.If(value >= bv(1 << (t.bits - 1)), value - bv(1 << t.bits), value)
    return value


def store(arr: z3.ArrayRef, offset: z3.BitVecRef, value: z3.BitVecRef, t: ir.IntType) -> z3.ArrayRef:
    """``arr`` with the ``t`` ``value`` (in range: proved where it was converted) stored little-endian."""
    for j in range(t.bits // 8):
        arr = z3.Store(arr, offset + bv(j), (value >> bv(8 * j)) & bv(0xFF))
    return arr


class Members:
    """Encodes member reads, member element reads and stores for one function's encoder."""

    def __init__(self, enc: FunctionEncoder) -> None:
        self.enc = enc

    def _bytes(self, member: ir.Member, state: State) -> z3.ArrayRef:
        arr = self.enc.expr(member.base, state)
        assert isinstance(arr, z3.ArrayRef), member
        return arr

    def read(self, e: ir.Member, state: State) -> z3.BitVecRef | ViewTerm:
        """A scalar member's value; an array member as the view of its bytes (only bytes members
        are viewed: the checker rejects the rest)."""
        arr = self._bytes(e, state)
        m = e.member
        if m.count is not None:
            assert m.elem == ir.U8, e
            return (arr, bv(m.offset), bv(m.count))
        return self._value(e, arr, bv(m.offset), m.elem, state)

    def element(self, e: ir.Index, state: State) -> z3.BitVecRef:
        """``s.a[i]``: the index proved inside the member, then the element's bytes."""
        assert isinstance(e.base, ir.Member)
        arr, offset = self._element_offset(e, state)
        return self._value(e.base, arr, offset, e.type, state)

    def assign(self, target: ir.Member | ir.Index, value: z3.BitVecRef, state: State) -> State:
        member = target if isinstance(target, ir.Member) else target.base
        assert isinstance(member, ir.Member)
        if isinstance(target, ir.Index):
            arr, offset = self._element_offset(target, state)
        else:
            arr, offset = self._bytes(member, state), bv(member.member.offset)
        stored = store(arr, offset, value, member.member.elem)
        return replace(state, vars={**state.vars, root_name(member): stored})

    def _element_offset(self, e: ir.Index, state: State) -> tuple[z3.ArrayRef, z3.BitVecRef]:
        member = e.base
        assert isinstance(member, ir.Member) and member.member.count is not None
        arr = self._bytes(member, state)
        index = self.enc.expr(e.index, state)
        assert isinstance(index, z3.BitVecRef)
        self.enc.oblige(state, Category.INDEX, e.index.span, z3.And(index >= bv(0), index < bv(member.member.count)),
                        "index may be out of bounds")
        m = member.member
        return arr, bv(m.offset) + index * bv(m.elem.bits // 8)

    def _value(self, member: ir.Member, arr: z3.ArrayRef, offset: z3.BitVecRef, t: ir.IntType,
               state: State) -> z3.BitVecRef:
        if isinstance(member.base.type, ir.ArrayType) and member.base.type.dma:
            fresh, fact = self.enc.fresh(f"{root_name(member)}.{member.member.name}", t)
            state.assume_in_place(fact)
            assert isinstance(fresh, z3.BitVecRef)
            return fresh
        return load(arr, offset, t, state)
