"""Register values that know how to read themselves again, for ``poll``.

``poll(UART1.USR1.TRDY == 1, limit=N)`` means "re-evaluate the condition up
to N times", yet CPython evaluates a call's argument once, before the call.
Firmware modules loaded through the host's import hook get the exact
meaning by construction: the hook passes ``poll`` the condition as a
``lambda`` (see :mod:`tamapy.sim.host_import`).  Code that calls ``poll``
directly (a test, a REPL) gets it from the values themselves:

* a register or field read performs its one bus access at once, exactly
  where the compiled code performs it, and returns a :class:`Live` ``int``
  that remembers how it was obtained;
* arithmetic on a :class:`Live` value gives a :class:`Live` value, and a
  comparison gives a :class:`Condition` (an ``int`` 0/1 that is truthy like
  the ``bool`` it stands for), so ``if UART1.USR1.TRDY == 1:`` is plain
  Python;
* :func:`reevaluate` repeats the whole computation, reading the registers
  again in the original order.

``and``/``or``/``not`` and function calls cannot be intercepted, so such
conditions are re-evaluated exactly only through the import hook.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any, SupportsIndex


class Live(int):
    """An integer computed from register reads; :func:`reevaluate` reads them again."""

    _again: Callable[[], int]

    def __new__(cls, value: SupportsIndex, again: Callable[[], int]) -> Live:
        self = super().__new__(cls, int(value))
        self._again = again
        return self

    def __repr__(self) -> str:
        return int.__repr__(self)

    # Comparisons give re-evaluable conditions.
    def __eq__(self, other: object) -> Condition:  # type: ignore[override]
        return _compare(operator.eq, self, other)

    def __ne__(self, other: object) -> Condition:  # type: ignore[override]
        return _compare(operator.ne, self, other)

    def __lt__(self, other: int) -> Condition:  # type: ignore[override, misc]
        return _compare(operator.lt, self, other)

    def __le__(self, other: int) -> Condition:  # type: ignore[override, misc]
        return _compare(operator.le, self, other)

    def __gt__(self, other: int) -> Condition:  # type: ignore[override, misc]
        return _compare(operator.gt, self, other)

    def __ge__(self, other: int) -> Condition:  # type: ignore[override, misc]
        return _compare(operator.ge, self, other)

    __hash__ = int.__hash__

    # Arithmetic keeps the recipe.
    def __add__(self, other: int) -> Live:
        return _arith(operator.add, self, other)

    def __radd__(self, other: int) -> Live:
        return _arith(operator.add, other, self)

    def __sub__(self, other: int) -> Live:
        return _arith(operator.sub, self, other)

    def __rsub__(self, other: int) -> Live:
        return _arith(operator.sub, other, self)

    def __mul__(self, other: int) -> Live:
        return _arith(operator.mul, self, other)

    def __rmul__(self, other: int) -> Live:
        return _arith(operator.mul, other, self)

    def __floordiv__(self, other: int) -> Live:
        return _arith(operator.floordiv, self, other)

    def __rfloordiv__(self, other: int) -> Live:
        return _arith(operator.floordiv, other, self)

    def __mod__(self, other: int) -> Live:
        return _arith(operator.mod, self, other)

    def __rmod__(self, other: int) -> Live:
        return _arith(operator.mod, other, self)

    def __and__(self, other: int) -> Live:
        return _arith(operator.and_, self, other)

    def __rand__(self, other: int) -> Live:
        return _arith(operator.and_, other, self)

    def __or__(self, other: int) -> Live:
        return _arith(operator.or_, self, other)

    def __ror__(self, other: int) -> Live:
        return _arith(operator.or_, other, self)

    def __xor__(self, other: int) -> Live:
        return _arith(operator.xor, self, other)

    def __rxor__(self, other: int) -> Live:
        return _arith(operator.xor, other, self)

    def __lshift__(self, other: int) -> Live:
        return _arith(operator.lshift, self, other)

    def __rlshift__(self, other: int) -> Live:
        return _arith(operator.lshift, other, self)

    def __rshift__(self, other: int) -> Live:
        return _arith(operator.rshift, self, other)

    def __rrshift__(self, other: int) -> Live:
        return _arith(operator.rshift, other, self)

    def __neg__(self) -> Live:
        return Live(-int(self), lambda: -int(reevaluate(self)))

    def __invert__(self) -> Live:
        return Live(~int(self), lambda: ~int(reevaluate(self)))

    def __pos__(self) -> Live:
        return self


class Condition(int):
    """A truth value computed from register reads: ``bool`` semantics, re-evaluable.

    An ``int`` subclass (``bool`` cannot be subclassed) whose value is 0 or 1,
    printed as ``True``/``False``; ``cond == True`` and ``u32(cond)`` work as
    for a ``bool``.
    """

    _again: Callable[[], bool]

    def __new__(cls, value: object, again: Callable[[], bool]) -> Condition:
        self = super().__new__(cls, 1 if value else 0)
        self._again = again
        return self

    def __repr__(self) -> str:
        return "True" if self else "False"

    __str__ = __repr__


def _value(x: object) -> Any:
    """``x`` re-evaluated if it is live, else ``x`` itself."""
    return reevaluate(x) if isinstance(x, Live | Condition) else x


def _compare(op: Callable[[Any, Any], bool], a: object, b: object) -> Condition:
    return Condition(op(int(a) if isinstance(a, Live) else a, int(b) if isinstance(b, Live) else b),
                     lambda: op(_plain(_value(a)), _plain(_value(b))))


def _plain(x: object) -> object:
    return int(x) if isinstance(x, Live) else x


def _arith(op: Callable[[Any, Any], int], a: object, b: object) -> Live:
    result = op(_plain(a), _plain(b))
    if not isinstance(result, int):  # e.g. an operand type int does not handle
        return result
    return Live(result, lambda: op(_plain(_value(a)), _plain(_value(b))))


def is_live(x: object) -> bool:
    """Whether ``x`` can be re-evaluated (it came from register reads)."""
    return isinstance(x, Live | Condition)


def reevaluate(x: object) -> Any:
    """``x`` computed again, registers read again; non-live values are returned unchanged."""
    if isinstance(x, Live):
        again = x._again()
        return again if isinstance(again, Live) else Live(again, x._again)
    if isinstance(x, Condition):
        again_c = x._again()
        return again_c if isinstance(again_c, Condition) else Condition(again_c, x._again)
    return x
