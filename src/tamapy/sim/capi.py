"""Unicorn's C API called directly, where the binding's Python layers cost too much per call.

The simulator's hot paths cross into Unicorn hundreds of thousands of times a
run: every MMIO access is a callback, and every access that needs the time
reads the PC.  The binding wraps each in several Python frames (its
``reg_read`` costs about 2.8 µs, the C call 0.6 µs), so these few calls go
through ``ctypes`` straight to the library the binding loaded.
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable
from typing import Any

import unicorn
from unicorn.arm_const import UC_ARM_REG_PC

UC: Any = unicorn

MmioRead = Callable[[Any, int, int, int], int]
"""(engine handle, offset, size, user data) -> the value read."""
MmioWrite = Callable[[Any, int, int, int, int], None]
"""(engine handle, offset, size, value, user data)."""

READ_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_uint64, ctypes.c_void_p, ctypes.c_uint64, ctypes.c_uint, ctypes.c_void_p)
WRITE_CALLBACK = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_uint64, ctypes.c_uint, ctypes.c_uint64,
                                  ctypes.c_void_p)


def uclib() -> Any:
    """The Unicorn library the binding loaded."""
    return UC.unicorn_py3.unicorn.uclib


class PcReader:
    """Reads the PC of one engine through the C API."""

    def __init__(self, uc: Any) -> None:
        self._handle = uc._uch
        self._pc = ctypes.c_uint32()
        self._ref = ctypes.byref(self._pc)
        self._read = uclib().uc_reg_read

    def __call__(self) -> int:
        self._read(self._handle, UC_ARM_REG_PC, self._ref)
        return self._pc.value


def mmio_map(uc: Any, start: int, size: int, read: MmioRead, write: MmioWrite) -> tuple[Any, ...]:
    """Map ``start .. start + size`` as MMIO served by ``read`` and ``write`` (each given
    ``start`` as its user data; they must not raise).  Returns the ctypes callbacks,
    which must live as long as the engine."""
    callbacks = READ_CALLBACK(read), WRITE_CALLBACK(write)
    map_mmio(uc, start, size, address_of(callbacks[0]), start, address_of(callbacks[1]), start)
    return callbacks


def address_of(callback: Any) -> int:
    """The code address of a ctypes callback."""
    address = ctypes.cast(callback, ctypes.c_void_p).value
    assert address is not None
    return address


def map_mmio(uc: Any, start: int, size: int, read: int, read_user: int, write: int, write_user: int) -> None:
    """``uc_mmio_map`` with native callback addresses and their user data."""
    status = uclib().uc_mmio_map(uc._uch, start, size, ctypes.c_void_p(read), ctypes.c_void_p(read_user),
                                 ctypes.c_void_p(write), ctypes.c_void_p(write_user))
    if status != 0:
        raise UC.UcError(status)


__all__ = ["READ_CALLBACK", "WRITE_CALLBACK", "MmioRead", "MmioWrite", "PcReader", "address_of", "map_mmio",
           "mmio_map", "uclib"]
