"""Walkers over the typed IR, derived from the node dataclasses' fields.

Every consumer that looks for something in a function body (the calls it
makes, the globals it touches, the registers it reads) walks it with these,
so they all see the same nodes in the same order.  The walkers read the
fields of each node generically: a field holding a statement (or a tuple of
them) is a nested body, a field holding an expression (or a tuple, or a
tuple of pairs, of them) is evaluated.  A field added to a node is therefore
walked without touching this module; the only fields a walker passes over
are listed, each with its reason, in :data:`NOT_EVALUATED`.

The order matters: the verifier's cache keys and obligation numbering depend
on the order in which calls and sub-expressions are met.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator, Mapping
from types import UnionType
from typing import Any, Final

from tamapy.lang.ir import (
    ArrayType,
    Assign,
    Call,
    CallSite,
    Expr,
    For,
    Function,
    GlobalRef,
    IfExp,
    Index,
    Local,
    Member,
    MmioWrite,
    RegWrite,
    SliceView,
    Stmt,
    ViewType,
    While,
)

NOT_EVALUATED: Final[Mapping[tuple[type, str], str]] = {
    (Assign, "target"): "the place written: only an element target's index is evaluated, after the value",
    (RegWrite, "instance"): "the register block written, like the array of an element target",
    (For, "var"): "the loop variable is bound by the loop, not evaluated",
    (For, "invariants"): "a loop contract: proved, never executed",
    (While, "invariants"): "a loop contract: proved, never executed",
    (While, "decreases"): "a termination measure: proved, never executed",
}
"""Statement fields holding expressions that :func:`stmt_exprs` does not yield, and why."""

_VALUE_FIRST: Final[Mapping[type, tuple[str, ...]]] = {
    MmioWrite: ("value",),
    RegWrite: ("raw",),
}
"""Writes yield the value written before the rest of their fields (so an mmio
address comes after the value, as it does for an element target's index)."""

def walk_stmts(stmts: Iterable[Stmt]) -> Iterator[Stmt]:
    """Every statement of ``stmts``, each followed by its nested bodies (in field order)."""
    for stmt in stmts:
        yield stmt
        for name in _field_names(type(stmt)):
            yield from walk_stmts(_nodes_in(getattr(stmt, name), Stmt))


def stmt_exprs(stmt: Stmt) -> Iterator[Expr]:
    """The top-level expressions a statement evaluates itself (not those of its nested bodies)."""
    for name in _evaluated_fields(type(stmt)):
        yield from _nodes_in(getattr(stmt, name), Expr)
    if isinstance(stmt, Assign) and isinstance(stmt.target, Index):
        yield stmt.target.index


def walk_expr(expr: Expr) -> Iterator[Expr]:
    """``expr`` and all of its sub-expressions, parents before children, fields in order."""
    yield expr
    for name in _field_names(type(expr)):
        for sub in _nodes_in(getattr(expr, name), Expr):
            yield from walk_expr(sub)


def function_calls(fn: Function) -> tuple[CallSite, ...]:
    """The calls a function's body makes, in the order the walkers meet them."""
    return tuple(
        (sub.function, sub.span)
        for stmt in walk_stmts(fn.body)
        for top in stmt_exprs(stmt)
        for sub in walk_expr(top)
        if isinstance(sub, Call)
    )


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}
_EVALUATED_FIELDS: dict[type, tuple[str, ...]] = {}


def _field_names(cls: type) -> tuple[str, ...]:
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = _FIELD_NAMES[cls] = tuple(f.name for f in dataclasses.fields(cls))
    return names


def _evaluated_fields(cls: type) -> tuple[str, ...]:
    """The fields :func:`stmt_exprs` reads, in the order it reads them."""
    names = _EVALUATED_FIELDS.get(cls)
    if names is None:
        first = _VALUE_FIRST.get(cls, ())
        rest = (n for n in _field_names(cls) if n not in first and (cls, n) not in NOT_EVALUATED)
        names = _EVALUATED_FIELDS[cls] = (*first, *rest)
    return names


def _nodes_in(value: object, kind: UnionType) -> Iterator[Any]:
    """The nodes of ``kind`` a field value holds: itself, or the items of (nested) tuples."""
    if isinstance(value, kind):
        yield value
    elif isinstance(value, tuple):
        for item in value:
            yield from _nodes_in(item, kind)


def array_roots(e: Expr) -> list[Local | GlobalRef]:
    """The array variables an array or view expression reaches: through slices, struct members and
    both arms of a conditional, so an alias check sees every memory an argument may name."""
    if isinstance(e, SliceView):
        return array_roots(e.base)
    if isinstance(e, IfExp):
        return array_roots(e.then) + array_roots(e.orelse)
    if isinstance(e, Member):
        return array_roots(e.base)
    if isinstance(e, Local | GlobalRef) and isinstance(e.type, ArrayType | ViewType):
        return [e]
    return []
