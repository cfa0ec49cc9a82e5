"""Constant tables: ``K: Final = Array[u32, 4](1, 2, 3, 4)`` at module level.

A table is a read-only array whose every element is known when the
program is checked, so it lives in read-only data and the verifier knows
its contents exactly.  This module reads the constructor's arguments; the
rules that keep a table read-only are those of every constant array
(``GlobalSym.const``): its elements are never assigned and it is never
passed where the callee may modify it.
"""

from __future__ import annotations

import ast
from collections.abc import Callable

from tamapy.lang import ir

Table = bytes | tuple[int, ...]
"""A table's elements: bytes for ``u8`` elements (as a bytes literal gives), else the integers."""

Fold = Callable[[ast.AST], int | None]
Report = Callable[[ast.AST, str, str, str], None]


def table_elements(
    node: ast.Call, t: ir.Type | None, declared: ir.Type | None, fold: Fold, report: Report
) -> Table | None:
    """The elements ``node`` (a call of ``t``'s constructor, ``t`` None if its annotation was
    already reported) lists, or None after reporting why not: each a compile-time constant that
    fits the element type, exactly ``t.length`` of them, and ``t`` the type declared if any."""
    if t is None:
        return None
    if not isinstance(t, ir.ArrayType) or isinstance(t, ir.StructType):
        report(node, "E201", f"a {t} cannot be constructed with elements", "write e.g. `Array[u32, 2](1, 2)`")
        return None
    if declared is not None and declared != t:
        report(node, "E201", f"expected {declared}, got {t}", "the constructor names the declared type")
        return None
    if t.dma:
        report(node, "E201", "a DMA buffer cannot be a constant", "DMA buffers are zeroed variables; drop Final")
        return None
    if node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
        report(node, "E203", "table elements are positional constants", f"write e.g. `{t}(1, 2, ...)`")
        return None
    if len(node.args) != t.length:
        report(
            node, "E203", f"{t} needs {t.length} elements, got {len(node.args)}",
            f"list exactly {t.length} elements (arrays never grow or shrink)",
        )
        return None
    values: list[int] = []
    for arg in node.args:
        value = fold(arg)
        if value is None:
            report(arg, "E202", "table elements must be compile-time constants",
                   "use literals, Final constants and operators on them")
            return None
        if not t.elem.contains(value):
            report(arg, "E202", f"{value} does not fit {t.elem}", f"{t.elem} holds {t.elem.min}..{t.elem.max}")
            return None
        values.append(value)
    return bytes(values) if t.elem == ir.U8 else tuple(values)
