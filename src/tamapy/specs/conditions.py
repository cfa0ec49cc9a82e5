"""Conditions over a register value, as register maps write them (``when`` of an invariant rule).

A condition is a Python expression over the register's field names (and
``value``, the whole register): ``STDN == 1 and ERR == 0``.  It is parsed
here, once, into a small typed tree — integer terms (numbers, fields, ``&``
``|`` ``>>`` ``<<``) under boolean conditions (comparisons, ``and``, ``or``,
``not``; an integer where a condition is expected means "non-zero", as in
Python) — and never executed.  :func:`evaluate` interprets the tree in any
value domain: the verifier passes Z3 operations, the host plain integers
(:data:`INT_OPERATIONS`), so the meaning of a condition has one definition.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Generic, Protocol, TypeAlias, TypeVar

I = TypeVar("I")  # noqa: E741 -- the integer domain
B = TypeVar("B")
"""The boolean domain."""

WHOLE_REGISTER = "value"
"""The name a condition uses for the whole register value."""


@dataclass(frozen=True)
class Number:
    value: int


@dataclass(frozen=True)
class FieldValue:
    """A field of the register (shifted down), or :data:`WHOLE_REGISTER`."""

    name: str


@dataclass(frozen=True)
class BitOp:
    op: str
    """``&``, ``|``, ``>>`` or ``<<``."""
    left: Term
    right: Term


@dataclass(frozen=True)
class Comparison:
    """``first op1 t1 op2 t2 ...``: Python's chained comparison."""

    first: Term
    rest: tuple[tuple[str, Term], ...]
    """(operator, right operand) pairs; operators ``==`` ``!=`` ``<`` ``<=`` ``>`` ``>=``."""


@dataclass(frozen=True)
class Logic:
    op: str
    """``and`` or ``or``."""
    operands: tuple[Condition, ...]


@dataclass(frozen=True)
class Negation:
    operand: Condition


@dataclass(frozen=True)
class NonZero:
    """An integer where a condition is expected."""

    term: Term


Term: TypeAlias = Number | FieldValue | BitOp
Condition: TypeAlias = Comparison | Logic | Negation | NonZero


class Operations(Protocol, Generic[I, B]):
    """How a value domain computes: numbers and operators for :func:`evaluate`."""

    def number(self, value: int) -> I: ...

    def bit_op(self, op: str, left: I, right: I) -> I: ...

    def compare(self, op: str, left: I, right: I) -> B: ...

    def all(self, parts: Sequence[B]) -> B: ...

    def any(self, parts: Sequence[B]) -> B: ...

    def negate(self, operand: B) -> B: ...

    def nonzero(self, value: I) -> B: ...


def evaluate(condition: Condition, read: Callable[[str], I], ops: Operations[I, B]) -> B:
    """The condition's value in ``ops``' domain; ``read`` gives a field's value by name."""
    if isinstance(condition, Comparison):
        left = _term(condition.first, read, ops)
        parts: list[B] = []
        for op, operand in condition.rest:
            right = _term(operand, read, ops)
            parts.append(ops.compare(op, left, right))
            left = right
        return ops.all(parts)
    if isinstance(condition, Logic):
        values = [evaluate(c, read, ops) for c in condition.operands]
        return ops.all(values) if condition.op == "and" else ops.any(values)
    if isinstance(condition, Negation):
        return ops.negate(evaluate(condition.operand, read, ops))
    return ops.nonzero(_term(condition.term, read, ops))


def _term(term: Term, read: Callable[[str], I], ops: Operations[I, B]) -> I:
    if isinstance(term, Number):
        return ops.number(term.value)
    if isinstance(term, FieldValue):
        return read(term.name)
    return ops.bit_op(term.op, _term(term.left, read, ops), _term(term.right, read, ops))


def names_in(condition: Condition | Term) -> set[str]:
    """The field names (and :data:`WHOLE_REGISTER`) a condition reads."""
    if isinstance(condition, FieldValue):
        return {condition.name}
    if isinstance(condition, Number):
        return set()
    if isinstance(condition, BitOp):
        return names_in(condition.left) | names_in(condition.right)
    if isinstance(condition, Comparison):
        return names_in(condition.first).union(*(names_in(t) for _, t in condition.rest))
    if isinstance(condition, Logic):
        return set().union(*(names_in(c) for c in condition.operands))
    return names_in(condition.operand if isinstance(condition, Negation) else condition.term)


# ---------------------------------------------------------------- parsing

_BIT_OPS: dict[type[ast.operator], str] = {ast.BitAnd: "&", ast.BitOr: "|", ast.RShift: ">>", ast.LShift: "<<"}
_COMPARISONS: dict[type[ast.cmpop], str] = {
    ast.Eq: "==", ast.NotEq: "!=", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=",
}


class _NotACondition(Exception):
    """The text is outside the condition language."""


def parse_condition(text: str) -> Condition | None:
    """The condition's tree, or None if ``text`` is not in the condition language."""
    try:
        return _condition(ast.parse(text, mode="eval").body)
    except (SyntaxError, _NotACondition):
        return None


def _condition(node: ast.expr) -> Condition:
    if isinstance(node, ast.Compare):
        rest = tuple((_COMPARISONS[type(op)], _integer(c)) for op, c in zip(node.ops, node.comparators, strict=True)
                     if type(op) in _COMPARISONS)
        if len(rest) != len(node.ops):
            raise _NotACondition
        return Comparison(_integer(node.left), rest)
    if isinstance(node, ast.BoolOp):
        return Logic("and" if isinstance(node.op, ast.And) else "or", tuple(_condition(v) for v in node.values))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        return Negation(_condition(node.operand))
    return NonZero(_integer(node))


def _integer(node: ast.expr) -> Term:
    if isinstance(node, ast.Constant) and isinstance(node.value, int):
        return Number(int(node.value))
    if isinstance(node, ast.Name):
        return FieldValue(node.id)
    if isinstance(node, ast.BinOp) and type(node.op) in _BIT_OPS:
        return BitOp(_BIT_OPS[type(node.op)], _integer(node.left), _integer(node.right))
    raise _NotACondition


# ---------------------------------------------------------------- host integers


COMPARISONS: Final[Mapping[str, Callable[[Any, Any], Any]]] = {
    "==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
}
"""Each comparison by its operator, as Python's operator functions (a domain's own ``==`` applies)."""

_INT_BIT_OPS: Final[Mapping[str, Callable[[int, int], int]]] = {
    "&": operator.and_, "|": operator.or_, ">>": operator.rshift, "<<": operator.lshift,
}


class _IntOperations:
    """Python's own meaning, on non-negative integers."""

    def number(self, value: int) -> int:
        return value

    def bit_op(self, op: str, left: int, right: int) -> int:
        return _INT_BIT_OPS[op](left, right)

    def compare(self, op: str, left: int, right: int) -> bool:
        return bool(COMPARISONS[op](left, right))

    def all(self, parts: Sequence[bool]) -> bool:
        return all(parts)

    def any(self, parts: Sequence[bool]) -> bool:
        return any(parts)

    def negate(self, operand: bool) -> bool:
        return not operand

    def nonzero(self, value: int) -> bool:
        return value != 0


INT_OPERATIONS: Operations[int, bool] = _IntOperations()
"""Conditions on host integers (a register value the host or a simulator model holds)."""
