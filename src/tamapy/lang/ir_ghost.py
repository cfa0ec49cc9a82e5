"""Expression nodes that only ghost code (contracts, invariants, measures) contains.

They are part of :data:`tamapy.lang.ir.Expr` and are re-exported by
:mod:`tamapy.lang.ir`; they live here because the code generator never sees
them (contracts are not compiled), so the nodes it does see stay in one
module of their own size."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # ir imports this module; the annotations are only read by type checkers
    from tamapy.lang.ir import BoolType, Expr, Span, Type


@dataclass(frozen=True)
class GhostRead:
    """Contract-only ``INSTANCE.invariant``: the value of a protocol invariant the spec declares."""

    instance: Expr
    name: str
    type: BoolType
    span: Span


@dataclass(frozen=True)
class ClockOn:
    """Contract-only ghost predicate ``clock_enabled(INSTANCE)``: its clock gate is on."""

    instance: Expr
    type: BoolType
    span: Span


@dataclass(frozen=True)
class Old:
    """``old(value)`` in a post-condition: ``value`` (a scalar) as it was on entry, after the
    pre-conditions.  Evaluated on entry wherever it stands in the condition."""

    value: Expr
    type: Type
    span: Span
