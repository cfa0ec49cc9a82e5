"""Compile-time integer arithmetic with Python's meaning (constants, array sizes, limits)."""

from __future__ import annotations

import ast


def fold_binop(op: ast.operator, a: int, b: int) -> int | None:
    """``a op b`` as Python computes it, or None where Python would raise (or the result is absurd)."""
    if isinstance(op, ast.Add):
        return a + b
    if isinstance(op, ast.Sub):
        return a - b
    if isinstance(op, ast.Mult):
        return a * b
    if isinstance(op, ast.FloorDiv):
        return a // b if b else None
    if isinstance(op, ast.Mod):
        return a % b if b else None
    if isinstance(op, ast.LShift):
        return a << b if 0 <= b <= 128 else None
    if isinstance(op, ast.RShift):
        return a >> b if b >= 0 else None
    if isinstance(op, ast.BitAnd):
        return a & b
    if isinstance(op, ast.BitOr):
        return a | b
    if isinstance(op, ast.BitXor):
        return a ^ b
    return None
