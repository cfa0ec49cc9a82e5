"""The two kinds of class the subset has: ``IntEnum`` and ``@struct`` bodies, to their IR types.

A struct's layout is fixed by its declaration alone, as a hardware descriptor's is
by the manual: members in order, little-endian, each at an offset that is a
multiple of its element size.  The compiler never inserts padding, so what the
source says is what the DMA engine reads; a member that would be misaligned is an
error asking for an explicit padding member.
"""

from __future__ import annotations

import ast
from collections.abc import Callable

from tamapy.lang import ir
from tamapy.lang.parse import is_docstring

Report = Callable[[ast.AST, str, str, str], None]
Fold = Callable[[ast.AST], "int | None"]
Annotate = Callable[[ast.AST], "ir.Type | None"]


def enum_type(qualname: str, node: ast.ClassDef, fold: Fold, report: Report) -> ir.EnumType | None:
    """The enum a class body declares (``NAME = constant`` lines), or None after reporting."""
    members: list[tuple[str, int]] = []
    for stmt in node.body:
        if is_docstring(stmt):
            continue
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
            value = fold(stmt.value)
            if value is None:
                report(stmt, "E202", "enum values must be integer constants", "write e.g. `OK = 0`")
                continue
            if any(n == stmt.targets[0].id for n, _ in members):
                report(stmt, "E211", f"enum member `{stmt.targets[0].id}` is defined twice", "rename it")
                continue
            members.append((stmt.targets[0].id, value))
        else:
            report(stmt, "E108", "enum bodies hold `NAME = value` lines only", "move other code out")
    if not members:
        report(node, "E108", "an enum needs at least one member", "add `NAME = value`")
        return None
    values = [v for _, v in members]
    base = ir.smallest_containing(min(values), max(values))
    if base is None:
        report(node, "E202", "enum values do not fit a machine type", "use values within 64 bits")
        return None
    return ir.EnumType(qualname, tuple(members), base)


def struct_type(qualname: str, node: ast.ClassDef, annotate: Annotate, report: Report) -> ir.StructType | None:
    """The struct a class body declares (``name: T`` lines, T a machine integer or an array of
    them), laid out in order with no implicit padding; None after reporting."""
    members: list[ir.StructMember] = []
    offset = 0
    failed = False
    for stmt in node.body:
        if is_docstring(stmt):
            continue
        if not (isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.value is None):
            report(stmt, "E108", "struct bodies hold `name: type` lines only (and docstrings)",
                   "declare each member as `name: u32` or `name: Array[u8, 16]`; no defaults, no methods")
            failed = True
            continue
        name = stmt.target.id
        member = _member(name, offset, annotate(stmt.annotation))
        if member is None:
            report(stmt.annotation, "E201", f"struct member `{name}` must be a machine integer or an array of them",
                   "write e.g. `size: u32` or `key: Bytes[16]` (no bool, enum, view or nested struct)")
            failed = True
            continue
        if any(m.name == name for m in members):
            report(stmt, "E211", f"struct member `{name}` is defined twice", "rename it")
            failed = True
            continue
        width = member.elem.bits // 8
        if offset % width:
            pad = width - offset % width
            report(stmt, "E201", f"struct member `{name}` would sit at offset {offset}, not a multiple of its "
                   f"{width}-byte elements", f"declare the padding the layout has, e.g. `_pad: Bytes[{pad}]`, before it")
            failed = True
            continue
        members.append(member)
        offset += member.size
    if failed:
        return None
    if not members:
        report(node, "E108", "a struct needs at least one member", "declare its fields as `name: u32`")
        return None
    return ir.StructType(ir.U8, offset, name=qualname, members=tuple(members))


def _member(name: str, offset: int, t: ir.Type | None) -> ir.StructMember | None:
    if isinstance(t, ir.IntType):
        return ir.StructMember(name, offset, t)
    if isinstance(t, ir.ArrayType) and not isinstance(t, ir.StructType) and not t.dma:
        return ir.StructMember(name, offset, t.elem, t.length)
    return None
