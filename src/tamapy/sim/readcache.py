"""Native answers to MMIO reads whose value cannot change: an idle console costs no Python.

Firmware waiting for console input polls a UART status register hundreds of
thousands of times (the self-test's ``getc`` loops), and every poll is a
call into Python that returns the same value.  So the MMIO windows are served
by a native read (compiled with the block counter, :mod:`tamapy.sim.counter`)
that first looks the address up in a small table and calls Python only on a
miss.  The machine puts a value in the table only when the model says a read
of that register is *stable* (:meth:`RegisterFile.stable`: no side effect,
and the same value until the next MMIO write or the next received byte).

Entries are stamped instead of erased: an MMIO write bumps the table's
``stamp`` (the emulation thread), a received byte bumps ``inputs`` (whatever
thread feeds the UART, after the byte is queued), and an entry answers only
while both still match.  A value is stored with the stamps read *before* the
model computed it, so input arriving meanwhile can never leave a stale entry
behind.  A read served from the table is counted (:attr:`ReadCache.hits`), so
fast-forward still sees it as an access.  Nothing is cached while the MMIO
trace is on (every access must reach the tracer), nor on a host without MCJIT.
"""

from __future__ import annotations

import ctypes
from typing import Any

from tamapy.sim.capi import (
    READ_CALLBACK,
    WRITE_CALLBACK,
    MmioRead,
    MmioWrite,
    address_of,
    map_mmio,
    mmio_map,
)
from tamapy.sim.counter import READ_SLOTS, native_hooks


class _Entry(ctypes.Structure):
    _fields_ = (("address", ctypes.c_uint64), ("value", ctypes.c_uint64), ("stamp", ctypes.c_uint64),
                ("inputs", ctypes.c_uint64), ("size", ctypes.c_uint32))


class _Table(ctypes.Structure):
    _fields_ = (("hits", ctypes.c_uint64), ("stamp", ctypes.c_uint64), ("inputs", ctypes.c_uint64),
                ("entries", _Entry * READ_SLOTS))


class _Window(ctypes.Structure):
    """What the native read gets as user data: the window base, the table, the Python read."""

    _fields_ = (("base", ctypes.c_uint64), ("table", ctypes.c_void_p), ("python", ctypes.c_void_p))


class ReadCache:
    """The table of stable reads of one machine, and the MMIO windows it serves.

    With ``enabled`` False, or without a JIT, windows are mapped with the Python
    callbacks alone and nothing is cached.
    """

    def __init__(self, *, enabled: bool) -> None:
        native = native_hooks() if enabled else None
        self._native_read = native.mmio_read if native is not None else None
        self.enabled = self._native_read is not None
        self._table = _Table()
        self._table.stamp = 1  # the zeroed entries match no stamp
        self._keep: list[Any] = []
        """The windows and ctypes callbacks: they must live as long as the engine."""

    @property
    def hits(self) -> int:
        """Reads served from the table so far."""
        return int(self._table.hits)

    def map(self, uc: Any, start: int, size: int, read: MmioRead, write: MmioWrite) -> None:
        """Map a window as MMIO: reads through the table (misses go to ``read``), writes to
        ``write``; both get ``start`` as user data, as with :func:`~tamapy.sim.capi.mmio_map`."""
        if self._native_read is None:
            self._keep.append(mmio_map(uc, start, size, read, write))
            return
        python_read, python_write = READ_CALLBACK(read), WRITE_CALLBACK(write)
        window = _Window(start, ctypes.addressof(self._table), address_of(python_read))
        map_mmio(uc, start, size, self._native_read, ctypes.addressof(window), address_of(python_write), start)
        self._keep.append((window, python_read, python_write))

    def stamps(self) -> tuple[int, int]:
        """The stamps to :meth:`store` a value with: read them before the model computes it."""
        return self._table.stamp, self._table.inputs

    def store(self, address: int, size: int, value: int, stamps: tuple[int, int]) -> None:
        """Answer later reads of ``size`` bytes at ``address`` with ``value``, while nothing
        was written and nothing received since ``stamps`` were read."""
        entry = self._table.entries[(address >> 2) & (READ_SLOTS - 1)]
        entry.stamp = 0  # no half-written entry can match
        entry.address, entry.size, entry.value, entry.inputs = address, size, value, stamps[1]
        entry.stamp = stamps[0]

    def written(self) -> None:
        """An MMIO write happened: every entry is stale (emulation thread only)."""
        self._table.stamp += 1

    def received(self) -> None:
        """A UART received a byte (after it is queued): every entry is stale (any one feeding thread)."""
        self._table.inputs += 1


__all__ = ["ReadCache"]
