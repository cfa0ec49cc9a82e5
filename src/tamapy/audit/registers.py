"""Section 4, the register access matrix: which function touches which register, and how.

Read off the checked IR (every ``RegRead`` and ``RegWrite``), with what the specs say
constrains each access: the clock gate that must be open, the peripheral's protocol
invariants that mention the register, and the fields that carry DMA addresses.
"""

from __future__ import annotations

from typing import Any

from tamapy.lang import ir
from tamapy.lang.walk import stmt_exprs, walk_expr, walk_stmts
from tamapy.specs.model import Peripheral, Register, Soc

ACCESS_ORDER = ("read", "write", "modify", "set", "clear", "toggle", "raw")
"""The access kinds, in the order a row lists them (a ``RegWrite``'s mode names its kind)."""

Row = tuple[str, str, str | None, str]
"""(function, peripheral, instance or None, register)."""


def _where(instance: ir.Expr, soc: Soc) -> tuple[Peripheral, str | None]:
    """The peripheral of an instance expression, and the instance when it is a constant one."""
    assert isinstance(instance.type, ir.PeripheralType)
    peripheral = instance.type.peripheral
    name = soc.instance_name(peripheral, instance.value) if isinstance(instance, ir.Const) else None
    return peripheral, name


def accesses(fn: ir.Function, soc: Soc) -> list[tuple[Peripheral, str | None, Register, str, bool]]:
    """Every register access of ``fn``'s body: peripheral, instance, register, kind, and whether
    it stores to a DMA-address field."""
    found: list[tuple[Peripheral, str | None, Register, str, bool]] = []
    for stmt in walk_stmts(fn.body):
        if isinstance(stmt, ir.RegWrite):
            peripheral, name = _where(stmt.instance, soc)
            named = [f for f, _ in stmt.fields] if stmt.raw is None else list(stmt.register.fields)
            found.append((peripheral, name, stmt.register, stmt.mode, any(f.dma for f in named)))
        for top in stmt_exprs(stmt):
            for e in walk_expr(top):
                if isinstance(e, ir.RegRead):
                    peripheral, name = _where(e.instance, soc)
                    found.append((peripheral, name, e.register, "read", False))
    return found


def _invariants(peripheral: Peripheral, register: Register) -> list[str]:
    return sorted(inv.name for inv in peripheral.invariants
                  if register.name in (*inv.guards_read, *inv.guards_write, *(r.register for r in inv.rules)))


def registers_section(program: ir.Program) -> dict[str, Any]:
    rows: dict[Row, tuple[Peripheral, Register, set[str]]] = {}
    dma_functions: set[str] = set()
    for fn in program.functions:
        for peripheral, instance, register, kind, dma in accesses(fn, program.soc):
            key = (fn.qualname, peripheral.name, instance, register.name)
            rows.setdefault(key, (peripheral, register, set()))[2].add(kind)
            if dma:
                dma_functions.add(fn.qualname)
    matrix = []
    for (function, _, instance, _), (peripheral, register, kinds) in sorted(
            rows.items(), key=lambda kv: (kv[0][0], kv[0][1], kv[0][3], kv[0][2] or "")):
        gate = peripheral.clock_of(instance) if instance is not None else None
        matrix.append({
            "function": function, "peripheral": peripheral.name, "instance": instance, "register": register.name,
            "accesses": [k for k in ACCESS_ORDER if k in kinds],
            "clock_gate": f"CCM.{gate[0]}.{gate[1]}" if gate else None,
            "invariants": _invariants(peripheral, register),
            "dma_fields": sorted(f.name for f in register.fields if f.dma),
        })
    return {"matrix": matrix, "dma_functions": sorted(dma_functions)}
