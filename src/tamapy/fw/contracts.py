"""Contracts as run-time checks on the host, evaluated as *ghost* code.

On the target, ``@requires``/``@ensures``, ``invariant`` and ``decreases``
generate no code at all: the verifier proves them.  On the host they are
checked when reached, raising :class:`ContractError`.  Because the compiled
code never evaluates them, evaluating them must not be observable: while a
contract runs, :func:`in_ghost` is true and register reads do not go through
the bus (no trace entry, no side effect; see :mod:`tamapy.fw.regs`).
``invariant(cond)`` and ``decreases(expr)`` accept the condition as a
callable, which is how the import hook passes it, so that it is evaluated in
ghost mode as well.  ``old(e)`` in a post-condition is ``e`` on entry: its
argument is hoisted into a lambda that runs on entry, after the
pre-conditions (see :mod:`tamapy.fw.old`), and the post-condition reads its value.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from tamapy.fw.old import OLD_VALUES, hoisted_from_source

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
    return _contract(pred, post=False, entry=None)


def ensures(pred: Callable[..., bool], entry: Callable[..., tuple[Any, ...]] | None = None) -> Callable[[F], F]:
    """Post-condition over ``result`` and the parameters; checked on return on the host.
    ``entry`` (passed by the import hook): the condition's ``old(...)`` arguments, evaluated on
    entry, after every pre-condition, whatever guards them in the condition (so they are always
    there on return, whichever way ``and``/``or``/``if`` then go)."""
    if entry is None:  # not hoisted by the import hook: from the source, if it calls old()
        found = hoisted_from_source(pred)
        if found is not None:
            pred, entry = found
    return _contract(pred, post=True, entry=entry)


def _parameters(pred: Callable[..., Any]) -> tuple[str, ...]:
    names: tuple[str, ...] = pred.__code__.co_varnames[: pred.__code__.co_argcount]
    return tuple(n for n in names if n != OLD_VALUES)


class _Checked:
    """The contracts of one function, checked by one wrapper: every pre-condition, then every
    ``old()`` entry value, then the body, then every post-condition."""

    def __init__(self, fn: Callable[..., Any]) -> None:
        code = inspect.unwrap(fn).__code__  # stacked decorators must see the real parameter names
        self.fn = fn
        self.params: tuple[str, ...] = code.co_varnames[: code.co_argcount]
        self.requires: list[Callable[..., bool]] = []
        self.ensures: list[tuple[Callable[..., bool], Callable[..., tuple[Any, ...]] | None]] = []

    def __call__(self, *args: Any) -> Any:
        env: dict[str, Any] = dict(zip(self.params, args, strict=True))
        name = self.fn.__name__
        with ghost():
            for pred in self.requires:
                if not pred(*(env[n] for n in _parameters(pred))):
                    raise ContractError(f"precondition of {name} violated")
            # Entry values are computed now: arguments and globals as they are before the body runs.
            olds = [entry(*(env.get(n) for n in _parameters(entry))) if entry is not None else None
                    for _, entry in self.ensures]
        result = self.fn(*args)
        env["result"] = result
        with ghost():
            for (pred, _), values in zip(self.ensures, olds, strict=True):
                given = [env[n] for n in _parameters(pred)]
                if not (pred(*given, values) if values is not None else pred(*given)):
                    raise ContractError(f"postcondition of {name} violated")
        return result


def _contract(pred: Callable[..., bool], post: bool, entry: Callable[..., tuple[Any, ...]] | None) -> Callable[[F], F]:
    def wrap(fn: F) -> F:
        checked = getattr(fn, "__tamapy_contracts__", None)
        wrapper: Callable[..., Any] = fn
        if not isinstance(checked, _Checked):
            checked = _Checked(fn)
            wrapper = _wrapper(fn, checked)
        # Decorators apply bottom-up: insert at the front to check them in source order.
        if post:
            checked.ensures.insert(0, (pred, entry))
        else:
            checked.requires.insert(0, pred)
        return wrapper  # type: ignore[return-value]

    return wrap


def _wrapper(fn: Callable[..., Any], checked: _Checked) -> Callable[..., Any]:
    """A function (as callers and ``inspect`` expect, not a callable object) running ``checked``."""

    @functools.wraps(fn)
    def wrapper(*args: Any) -> Any:
        return checked(*args)

    wrapper.__tamapy_contracts__ = checked  # type: ignore[attr-defined]
    return wrapper


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
