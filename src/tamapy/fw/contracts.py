"""Contracts as run-time checks on the host, evaluated as *ghost* code.

On the target, ``@requires``/``@ensures``, ``invariant`` and ``decreases``
generate no code at all: the verifier proves them.  On the host they are
checked when reached, raising :class:`ContractError`.  Because the compiled
code never evaluates them, evaluating them must not be observable: while a
contract runs, :func:`in_ghost` is true and register reads do not go through
the bus (no trace entry, no side effect; see :mod:`tamapy.fw.regs`).
``invariant(cond)`` and ``decreases(expr)`` accept the condition as a
callable, which is how the import hook passes it, so that it is evaluated in
ghost mode as well.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

_ghost_depth = 0


class ContractError(AssertionError):
    """A @requires/@ensures/invariant/decreases check failed when running on the host."""


def in_ghost() -> bool:
    """Whether a contract is being evaluated (registers must then be read without effect)."""
    return _ghost_depth > 0


@contextmanager
def ghost() -> Iterator[None]:
    """Evaluate contract code: register reads inside are silent (see module docstring)."""
    global _ghost_depth
    _ghost_depth += 1
    try:
        yield
    finally:
        _ghost_depth -= 1


def _evaluate(cond: object) -> Any:
    with ghost():
        return cond() if callable(cond) else cond


def requires(pred: Callable[..., bool]) -> Callable[[F], F]:
    """Pre-condition over (some of) the parameters; checked on entry on the host."""
    return _contract(pred, post=False)


def ensures(pred: Callable[..., bool]) -> Callable[[F], F]:
    """Post-condition over ``result`` and the parameters; checked on return on the host."""
    return _contract(pred, post=True)


def _contract(pred: Callable[..., bool], post: bool) -> Callable[[F], F]:
    names = pred.__code__.co_varnames[: pred.__code__.co_argcount]

    def wrap(fn: F) -> F:
        # Unwrapped: stacked contract decorators must still see the real parameter names.
        code = inspect.unwrap(fn).__code__
        params = code.co_varnames[: code.co_argcount]

        @functools.wraps(fn)
        def checked(*args: Any) -> Any:
            env = dict(zip(params, args, strict=True))
            if not post:
                with ghost():
                    ok = pred(*(env[n] for n in names))
                if not ok:
                    raise ContractError(f"precondition of {fn.__name__} violated")
            result = fn(*args)
            if post:
                env["result"] = result
                with ghost():
                    ok = pred(*(env[n] for n in names))
                if not ok:
                    raise ContractError(f"postcondition of {fn.__name__} violated")
            return result

        return checked  # type: ignore[return-value]

    return wrap


def trusted(reason: str, modifies: tuple[str, ...] | None = None) -> Callable[[F], F]:
    """Marks code the verifier takes on trust (raw ``mmio`` is allowed there); the audit lists
    ``reason``.  ``modifies`` names the module variables and peripherals its raw accesses may
    change; without it, callers assume it may change any of them."""

    def wrap(fn: F) -> F:
        fn.__tamapy_trusted__ = reason  # type: ignore[attr-defined]
        fn.__tamapy_modifies__ = modifies  # type: ignore[attr-defined]
        return fn

    return wrap


def invariant(cond: object) -> None:
    """Loop invariant: checked each time the loop body starts (``cond`` may be a callable)."""
    if not _evaluate(cond):
        raise ContractError("loop invariant violated")


def decreases(measure: object) -> None:
    """Termination measure; the verifier proves it decreases, the host checks it is non-negative."""
    if _evaluate(measure) < 0:
        raise ContractError("decreases() measure is negative")
