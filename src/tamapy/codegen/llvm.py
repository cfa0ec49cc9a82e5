"""LLVM IR text: types, symbols and values shared by expression and statement lowering."""

from __future__ import annotations

from dataclasses import dataclass

from tamapy.lang import ir

CMP_SIGNED = {"eq": "eq", "ne": "ne", "lt": "slt", "le": "sle", "gt": "sgt", "ge": "sge"}
CMP_UNSIGNED = {"eq": "eq", "ne": "ne", "lt": "ult", "le": "ule", "gt": "ugt", "ge": "uge"}


def quote(symbol: str) -> str:
    return f'@"{symbol}"'


def llvm_type(t: ir.Type) -> str:
    """LLVM type of a scalar value (arrays and views are handled as pointers)."""
    if isinstance(t, ir.BoolType):
        return "i1"
    if isinstance(t, ir.VoidType):
        return "void"
    if isinstance(t, ir.PeripheralType):
        return "i32"
    if isinstance(t, ir.ArrayType | ir.ViewType):
        return "ptr"
    scalar = ir.scalar_int(t)
    assert scalar is not None
    return f"i{scalar.bits}"


def int_of(t: ir.Type) -> ir.IntType:
    """Machine integer behind a scalar type; a bool is an LLVM ``i1`` here."""
    return ir.IntType("bool", 1, False) if isinstance(t, ir.BoolType) else ir.machine_int(t)


@dataclass
class Value:
    """An SSA value or constant; views carry their length too."""

    ref: str
    ty: str
    length: str | None = None


def volatile(base: ir.Expr) -> str:
    """DMA buffers are shared with hardware: their element accesses are volatile, in order."""
    return " volatile" if isinstance(base.type, ir.ArrayType) and base.type.dma else ""


def array_length(t: ir.Type) -> int:
    assert isinstance(t, ir.ArrayType), t
    return t.length
