"""The compiler intrinsics of ``tamapy.fw`` as CPython functions.

``poll`` re-evaluates its condition (a callable, as the import hook passes
it, or a live register condition, see :mod:`tamapy.fw.live`); ``panic``
and ``wfi`` end the run with an exception, since on the host there is no
CPU to halt; barriers do nothing (CPython has no memory reordering to
prevent); ``mmio`` and ``clock_enabled`` need a simulated bus, which a
:class:`tamapy.sim.host.Host` provides while it is active.
"""

from __future__ import annotations

from typing import Protocol

from tamapy.fw.contracts import in_ghost
from tamapy.fw.live import is_live, reevaluate
from tamapy.fw.types import claim, u8, u16, u32


class Panic(Exception):
    """``panic(code)`` on the host: the firmware halted with ``code``."""

    def __init__(self, code: int) -> None:
        super().__init__(f"panic 0x{code:08x}")
        self.code = code


class Halted(Exception):
    """The firmware waited for an interrupt (``wfi``) that nothing can raise.

    The simulator ends the run there too (``stop_reason == "halted"``); on
    the host the idle loop ``while forever(): wfi()`` would otherwise spin
    for ever.
    """


def panic(code: int) -> None:
    """Halt with ``code``: raises :class:`Panic` (the compiled code calls the panic hook, then halts)."""
    raise Panic(claim(u32, code, "panic code"))


def poll(cond: object, limit: int) -> bool:
    """Evaluate ``cond`` up to ``limit`` times; True as soon as it holds, False if it never did.

    ``cond`` is a callable (the import hook's form: exact for every
    condition), a live register condition (re-evaluated by reading the
    registers again) or a plain value, which cannot change and is tested
    once.
    """
    if not 1 <= limit <= u32.max:
        raise ValueError(f"poll's limit must be in 1..2**32-1, not {limit}")
    if callable(cond):
        return any(cond() for _ in range(limit))
    if not is_live(cond):
        return bool(cond)
    current = cond
    for attempt in range(limit):
        if attempt:
            current = reevaluate(current)
        if current:
            return True
    return False


def forever() -> bool:
    """The condition of the idle loop ``while forever():``."""
    return True


def wfi() -> None:
    """Wait for interrupt: nothing on the host can interrupt, so the run ends (:class:`Halted`)."""
    raise Halted("wfi with nothing that could wake the CPU")


def dsb() -> None:
    """Data synchronization barrier: nothing to order in CPython."""


def isb() -> None:
    """Instruction synchronization barrier: nothing to order in CPython."""


def dmb() -> None:
    """Data memory barrier: nothing to order in CPython."""


# ---------------------------------------------------------------- the bus


class MmioPort(Protocol):
    """What ``mmio`` and ``clock_enabled`` need from the active host."""

    def mmio_read(self, address: int, width: int) -> int:
        """A raw load of ``width`` bits."""
        ...

    def mmio_write(self, address: int, width: int, value: int) -> None:
        """A raw store of ``width`` bits."""
        ...


_active: list[MmioPort] = []


def activate(port: MmioPort) -> None:
    """Route ``mmio`` to ``port`` (one host at a time: firmware modules are global in CPython)."""
    if _active:
        raise RuntimeError("another tamapy host is active; leave its `with` block first")
    _active.append(port)


def deactivate(port: MmioPort) -> None:
    """Undo :func:`activate`."""
    if _active and _active[-1] is port:
        _active.pop()


def _port(what: str) -> MmioPort:
    if not _active:
        raise RuntimeError(f"{what} needs a simulated bus: run the firmware inside `with tamapy.sim.host.Host(...)`")
    if in_ghost():
        raise RuntimeError(f"{what} in a contract: contracts cannot touch the hardware")
    return _active[-1]


class _Mmio:
    """Raw memory-mapped access (``@trusted`` code only): to a peripheral through the bus, or to RAM."""

    def read8(self, address: int) -> int:
        return _port("mmio.read8").mmio_read(claim(u32, address, "address"), 8)

    def read16(self, address: int) -> int:
        return _port("mmio.read16").mmio_read(claim(u32, address, "address"), 16)

    def read32(self, address: int) -> int:
        return _port("mmio.read32").mmio_read(claim(u32, address, "address"), 32)

    def write8(self, address: int, value: int) -> None:
        _port("mmio.write8").mmio_write(claim(u32, address, "address"), 8, claim(u8, value, "value"))

    def write16(self, address: int, value: int) -> None:
        _port("mmio.write16").mmio_write(claim(u32, address, "address"), 16, claim(u16, value, "value"))

    def write32(self, address: int, value: int) -> None:
        _port("mmio.write32").mmio_write(claim(u32, address, "address"), 32, claim(u32, value, "value"))


mmio = _Mmio()


def clock_enabled(instance: object) -> bool:
    """Ghost predicate of contracts: is ``instance``'s clock gate on?  Reads no register."""
    probe = getattr(instance, "clock_enabled", None)
    if probe is None or not callable(probe):
        raise RuntimeError("clock_enabled() takes a register instance bound to a simulated bus")
    return bool(probe())


def enable_clock(instance: object) -> None:
    """Open the CCM clock gate the specs name for ``instance`` (that field set to 0b11, by a
    read-modify-write of its CCGR register: the accesses the compiled code makes)."""
    opener = getattr(instance, "enable_clock", None)
    if opener is None or not callable(opener):
        raise RuntimeError("enable_clock() takes a register instance bound to a simulated bus")
    opener()


def addr_of(array: object) -> int:
    """The bus address of an array: arrays are Python objects on the host, not placed in memory."""
    raise NotImplementedError("addr_of() is not supported on the host: arrays are not placed in simulated memory")
