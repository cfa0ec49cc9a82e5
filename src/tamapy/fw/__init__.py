"""The host runtime library that firmware modules import (DESIGN §1.2).

On the target these names are compiler intrinsics and machine types; in
CPython they make a subset module run with the same meaning: machine types
are range claims (constructing a value that does not fit raises
OverflowError), contracts are run-time checks, and ``poll`` re-evaluates
its condition.  Register objects bound to simulated peripherals come with
the host execution support in :mod:`tamapy.sim`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


class ContractError(AssertionError):
    """A @requires/@ensures/invariant check failed when running on the host."""


class Panic(Exception):
    """``panic(code)`` on the host: the firmware halted with ``code``."""

    def __init__(self, code: int) -> None:
        super().__init__(f"panic 0x{code:08x}")
        self.code = code


def _machine_type(name: str, bits: int, signed: bool) -> type[int]:
    lo = -(1 << (bits - 1)) if signed else 0
    hi = (1 << (bits - 1)) - 1 if signed else (1 << bits) - 1

    def new(cls: type[int], value: int = 0) -> int:
        v = int(value)
        if not lo <= v <= hi:
            raise OverflowError(f"{v} does not fit {name} ({lo}..{hi})")
        return v

    return type(name, (int,), {"__new__": new, "min": lo, "max": hi, "bits": bits, "__doc__": f"{bits}-bit {'signed' if signed else 'unsigned'} range claim"})


u8 = _machine_type("u8", 8, False)
u16 = _machine_type("u16", 16, False)
u32 = _machine_type("u32", 32, False)
u64 = _machine_type("u64", 64, False)
i8 = _machine_type("i8", 8, True)
i16 = _machine_type("i16", 16, True)
i32 = _machine_type("i32", 32, True)
i64 = _machine_type("i64", 64, True)


class _ArrayOf:
    """``Array[T, N]()`` / ``Bytes[N]()``: a zeroed, fixed-size, element-checked array."""

    def __init__(self, elem: type[int], length: int) -> None:
        self.elem, self.length = elem, length

    def __call__(self) -> FixedArray:
        return FixedArray(self.elem, self.length)


class FixedArray:
    def __init__(self, elem: type[int], length: int) -> None:
        self._elem = elem
        self._data = [0] * length

    def __len__(self) -> int:
        return len(self._data)

    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            if index.step is not None or (index.start or 0) < 0 or (index.stop or 0) < 0:
                raise IndexError("views take non-negative bounds and no step")
            start = index.start or 0
            stop = len(self._data) if index.stop is None else index.stop
            if not start <= stop <= len(self._data):
                raise IndexError(f"slice [{start}:{stop}] out of bounds for length {len(self._data)}")
            return bytes(self._data[start:stop]) if self._elem is u8 else tuple(self._data[start:stop])
        if not 0 <= index < len(self._data):
            raise IndexError(f"index {index} out of bounds for length {len(self._data)}")
        return self._data[index]

    def __setitem__(self, index: int, value: int) -> None:
        if not 0 <= index < len(self._data):
            raise IndexError(f"index {index} out of bounds for length {len(self._data)}")
        self._data[index] = self._elem(value)


class _Generic:
    def __init__(self, name: str, arity: int) -> None:
        self.name, self.arity = name, arity

    def __getitem__(self, args: Any) -> Any:
        if self.name == "View":
            return object
        if self.name == "Bytes":
            return _ArrayOf(u8, int(args))
        elem, length = args
        return _ArrayOf(elem, int(length))


Array = _Generic("Array", 2)
Bytes = _Generic("Bytes", 1)
View = _Generic("View", 1)


def requires(pred: Callable[..., bool]) -> Callable[[F], F]:
    """Pre-condition; checked on entry when running on the host."""
    return _contract(pred, post=False)


def ensures(pred: Callable[..., bool]) -> Callable[[F], F]:
    """Post-condition over ``result`` and the arguments; checked on return on the host."""
    return _contract(pred, post=True)


def _contract(pred: Callable[..., bool], post: bool) -> Callable[[F], F]:
    names = pred.__code__.co_varnames[: pred.__code__.co_argcount]

    def wrap(fn: F) -> F:
        params = fn.__code__.co_varnames[: fn.__code__.co_argcount]

        @functools.wraps(fn)
        def checked(*args: Any) -> Any:
            env = dict(zip(params, args, strict=True))
            if not post and not pred(*(env[n] for n in names)):
                raise ContractError(f"precondition of {fn.__name__} violated")
            result = fn(*args)
            env["result"] = result
            if post and not pred(*(env[n] for n in names)):
                raise ContractError(f"postcondition of {fn.__name__} violated")
            return result

        return checked  # type: ignore[return-value]

    return wrap


def trusted(reason: str) -> Callable[[F], F]:
    """Marks code the verifier takes on trust; the audit lists ``reason``."""

    def wrap(fn: F) -> F:
        fn.__tamapy_trusted__ = reason  # type: ignore[attr-defined]
        return fn

    return wrap


def invariant(cond: bool) -> None:
    if not cond:
        raise ContractError("loop invariant violated")


def decreases(measure: int) -> None:
    """Termination measure; the verifier proves it, the host only checks it is non-negative."""
    if measure < 0:
        raise ContractError("decreases() measure is negative")


def poll(cond: Any, limit: int) -> bool:
    """Re-evaluate ``cond`` (a callable or a lazy register condition) up to ``limit`` times."""
    return any(cond() if callable(cond) else cond for _ in range(limit))


def forever() -> bool:
    return True


def clock_enabled(instance: Any) -> bool:
    """Ghost predicate of contracts: is ``instance``'s clock gate on?  Needs a simulated bus."""
    probe = getattr(instance, "clock_enabled", None)
    if probe is None:
        raise RuntimeError("clock_enabled() needs register objects bound to a simulated bus")
    return bool(probe())


def panic(code: int) -> None:
    raise Panic(code)


def wfi() -> None:
    """Wait for interrupt: nothing to wait for on the host."""


dsb = isb = dmb = wfi


class _Mmio:
    """Raw register access; only meaningful against a simulated bus."""

    def __getattr__(self, name: str) -> Callable[..., int]:
        raise RuntimeError(f"mmio.{name} needs a simulated bus (host execution support)")


mmio = _Mmio()
