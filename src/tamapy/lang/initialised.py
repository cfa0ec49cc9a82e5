"""Local arrays that every read finds written: their zero initialisation is unobservable.

``w: Array[u32, 64] = Array[u32, 64]()`` is zeroed where it is declared, as
Python's semantics (and the verifier's model) say.  When the code that
follows writes every element before anything can read it, those stores are
dead, and on a hash's message schedule they cost 64 stores a block.  This
analysis finds such arrays by a rule simple enough to check by eye:

after the declaration, at the function's top level, come only statements that
do not name the array, and then ``for v in range(A, B)`` loops with constant
bounds and step 1 whose ranges continue each other from 0 to the array's
length (``A`` is where the previous loop stopped).  Each loop body is plain
statements (no ``if``, loop, ``break``, ``continue``, ``return``) that name
the array only to read ``a[v - c]`` with a constant ``c >= 1``, ending with the
write ``a[v] = ...``.  By induction every element below ``v`` is written when
iteration ``v`` runs, so each read sees a written element (a read outside the
array is refused by its bounds check as ever), and when the last loop ends
every element has been written: no read ever observes the zeroing.  Anything
else (a call given the array, a view of it, a conditional write, an
invariant naming it) keeps the zeroing.
"""

from __future__ import annotations

import dataclasses

from tamapy.lang import ir


def _names(node: object, name: str) -> bool:
    """Whether ``node`` (any IR node, or a tuple of them) mentions the local ``name``."""
    if isinstance(node, ir.Local):
        return node.name == name
    if isinstance(node, tuple):
        return any(_names(item, name) for item in node)
    if dataclasses.is_dataclass(node) and not isinstance(node, type):
        return any(_names(getattr(node, f.name), name) for f in dataclasses.fields(node))
    return False


def _behind(index: ir.Expr, var: str) -> bool:
    """``index`` is ``var - c`` for a constant ``c >= 1``: an element an earlier iteration wrote."""
    return (isinstance(index, ir.Binary) and index.op == "sub" and isinstance(index.left, ir.Local)
            and index.left.name == var and isinstance(index.right, ir.Const)
            and isinstance(index.right.value, int) and index.right.value >= 1)


def _reads_behind(node: object, name: str, var: str) -> bool:
    """Whether every mention of array ``name`` in ``node`` is a read ``name[var - c]``."""
    if isinstance(node, ir.Index) and isinstance(node.base, ir.Local) and node.base.name == name:
        return _behind(node.index, var) and _reads_behind(node.index, name, var)
    if isinstance(node, ir.Local):
        return node.name != name
    if isinstance(node, tuple):
        return all(_reads_behind(item, name, var) for item in node)
    if dataclasses.is_dataclass(node) and not isinstance(node, type):
        return all(_reads_behind(getattr(node, f.name), name, var) for f in dataclasses.fields(node))
    return True


def _fills(loop: ir.For, name: str, start: int, length: int) -> int | None:
    """Where the written prefix of ``name`` ends after ``loop``, if the loop extends it."""
    if not (loop.step == 1 and isinstance(loop.start, ir.Const) and isinstance(loop.stop, ir.Const)):
        return None
    lo, hi = loop.start.value, loop.stop.value
    if not (isinstance(lo, int) and isinstance(hi, int) and lo == start < hi <= length):
        return None
    if _names(loop.invariants, name) or not loop.body:
        return None
    *before, last = loop.body
    var = loop.var.name
    for stmt in before:
        if not (isinstance(stmt, ir.Assign | ir.ExprStmt) and _reads_behind(stmt, name, var)):
            return None
    if not (isinstance(last, ir.Assign) and isinstance(last.target, ir.Index)
            and isinstance(last.target.base, ir.Local) and last.target.base.name == name
            and isinstance(last.target.index, ir.Local) and last.target.index.name == var
            and _reads_behind(last.value, name, var)):
        return None
    return hi


def written_before_read(body: tuple[ir.Stmt, ...]) -> frozenset[str]:
    """The local arrays declared in ``body`` whose zero initialisation no read can observe."""
    found: set[str] = set()
    for i, stmt in enumerate(body):
        if not (isinstance(stmt, ir.Assign) and isinstance(stmt.target, ir.Local)
                and isinstance(stmt.target.type, ir.ArrayType) and isinstance(stmt.value, ir.Const)):
            continue
        name, length, written = stmt.target.name, stmt.target.type.length, 0
        for later in body[i + 1:]:
            if isinstance(later, ir.For) and _names(later, name):
                end = _fills(later, name, written, length)
                if end is None:
                    break
                written = end
                if written == length:
                    found.add(name)
                    break
            elif _names(later, name):
                break
    return frozenset(found)
