"""MMIO dispatch: from a physical address to a peripheral register, with the spec's checks.

The bus owns the rules that hold for every peripheral, straight from the
register specs: the instance window an address falls in, the register (or
SET/CLR/TOG alias) at that offset, the declared width, the access kind and,
through :class:`ClockGates`, whether the instance's clock is on.  A broken
rule raises :class:`BusFault`; the machine turns it into a stopped run with a
:class:`~tamapy.sim.machine.SimFault`.  The bus is plain Python so its rules
can be tested without a CPU.

The bus is on the path of every MMIO access, so what is static per address
(the decoded register, its width, access kind and value mask) is worked out
once, on the first access to that address, into a :class:`Target`; each later
access only compares against it.  The clock gate depends on CCM state and is
asked every time (the CCM caches its answer until a gate register changes).
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Sequence
from typing import Protocol

from tamapy.sim.peripherals.base import BusFault, RegisterFile, spec_error
from tamapy.sim.variants import bad_parameter
from tamapy.specs.model import Peripheral, Register

Tracer = Callable[[bool, int, int, int, str], None]
"""Called after each completed access: (is_read, address, size, value, ``INSTANCE.REG[_ALIAS]``)."""


class ClockGates(Protocol):
    """Who decides whether an instance's clock is on (the CCM model)."""

    def closed_gate(self, instance: str) -> str | None:
        """A description of the closed gate (``CCM.CCGR5.CG12 = 0b00``), or None if clocked."""
        ...


Decoded = tuple[Register, str | None]
"""A register and the alias (``SET``/``CLR``/``TOG``) an offset selects, None for the register itself."""


def decode_table(peripheral: Peripheral) -> dict[int, Decoded]:
    """Offset -> register (and alias) for one peripheral type, from its spec."""
    table: dict[int, Decoded] = {}
    for reg in peripheral.storage:
        table[reg.offset] = (reg, None)
        for alias in reg.aliases:
            table[reg.alias_offset(alias)] = (reg, alias)
    return table


def _kind(read: bool) -> str:
    return "read" if read else "write"


class Target:
    """One decoded address: what every access to it is checked against (static per address)."""

    __slots__ = ("alias", "device", "instance", "mask", "name", "readable", "reg", "size", "writable")

    def __init__(self, device: RegisterFile, reg: Register, alias: str | None) -> None:
        self.device = device
        self.reg = reg
        self.alias = alias
        self.instance = device.instance
        self.size = reg.width // 8
        """The access size in bytes the register takes."""
        self.mask = (1 << reg.width) - 1
        self.readable = reg.access.readable
        self.writable = reg.access.writable
        self.name = register_name(device, reg, alias)


class Bus:
    """The peripheral instances of a SoC, found by address."""

    def __init__(self, devices: Iterable[RegisterFile], clock: ClockGates | None = None) -> None:
        self._devices = sorted(devices, key=lambda d: d.base)
        self._bases = [d.base for d in self._devices]
        self._tables = {id(d.peripheral): decode_table(d.peripheral) for d in self._devices}
        self.clock = clock
        self._decoded: dict[int, Target] = {}
        """Address -> decoded register, filled as addresses are first used."""
        self.tracer: Tracer | None = None
        """Set to receive every completed access (the MMIO trace)."""
        for left, right in zip(self._devices, self._devices[1:], strict=False):
            if left.base + left.peripheral.size > right.base:
                raise spec_error(
                    right.peripheral,
                    f"the windows of {left.instance} (0x{left.base:08x}, size 0x{left.peripheral.size:x}) "
                    f"and {right.instance} (0x{right.base:08x}) overlap",
                    "fix the instance base addresses or window sizes",
                )

    @property
    def devices(self) -> Sequence[RegisterFile]:
        """All instances, by ascending base address."""
        return self._devices

    def device(self, instance: str) -> RegisterFile:
        """The instance called ``instance`` (``KeyError`` if the SoC has none)."""
        for d in self._devices:
            if d.instance == instance:
                return d
        raise KeyError(instance)

    def instances_named(self, names: Iterable[str]) -> frozenset[str]:
        """The instances ``names`` designate, each an instance (``GPIO1``) or a peripheral type
        (``UART``: all its instances), in any case; a simulator parameter error for a name that
        designates none."""
        found: set[str] = set()
        for name in names:
            key = name.strip().upper()
            hits = {d.instance for d in self._devices if key in (d.instance.upper(), d.peripheral.name.upper())}
            if not hits:
                known = sorted({d.peripheral.name for d in self._devices})
                raise bad_parameter(f"{name!r} names no peripheral instance or type of this part",
                                    f"use an instance (UART1, GPIO1) or a type: {', '.join(known)}")
            found |= hits
        return frozenset(found)

    def stable(self, address: int) -> bool:
        """Whether a read at ``address`` (already decoded) is stable (:meth:`RegisterFile.stable`)."""
        t = self._decoded.get(address)
        return t is not None and t.device.stable(t.reg)

    def device_at(self, address: int) -> RegisterFile | None:
        """The instance whose window holds ``address``."""
        i = bisect.bisect_right(self._bases, address) - 1
        if i >= 0:
            d = self._devices[i]
            if address < d.base + d.peripheral.size:
                return d
        return None

    def read(self, address: int, size: int) -> int:
        """A load of ``size`` bytes."""
        t = self._decoded.get(address)
        if t is None or t.size != size or not t.readable or (
                self.clock is not None and self.clock.closed_gate(t.instance) is not None):
            t = self._refuse(address, size, read=True)
        value = t.device.read(t.reg) & t.mask
        if self.tracer is not None:
            self.tracer(True, address, size, value, t.name)
        return value

    def write(self, address: int, size: int, value: int) -> None:
        """A store of ``size`` bytes."""
        t = self._decoded.get(address)
        if t is None or t.size != size or not t.writable or (
                self.clock is not None and self.clock.closed_gate(t.instance) is not None):
            t = self._refuse(address, size, read=False)
        value &= t.mask
        if self.tracer is not None:  # before the model runs: its side effects may stop the run
            self.tracer(False, address, size, value, t.name)
        t.device.write(t.reg, t.alias, value)

    def _refuse(self, address: int, size: int, *, read: bool) -> Target:
        """The slow path of an access: decode a new address, or raise the BusFault of a
        check the fast path saw fail (clock gate first, then width, then access kind)."""
        t = self._decoded.get(address)
        if t is None:
            t = self._decoded[address] = Target(*self._locate(address, size, read=read))
        if self.clock is not None:
            gate = self.clock.closed_gate(t.instance)
            if gate is not None:
                raise BusFault("clock-gated", address,
                               f"{_kind(read)} of {t.name} while its clock is gated off ({gate})")
        if size != t.size:
            raise BusFault("width", address,
                           f"{size * 8}-bit {_kind(read)} of {t.name}, a {t.reg.width}-bit register")
        if read and not t.readable:
            raise BusFault("access", address, f"read of {t.name}, which is write-only")
        if not read and not t.writable:
            raise BusFault("access", address, f"write to {t.name}, which is read-only")
        return t

    def _locate(self, address: int, size: int, *, read: bool) -> tuple[RegisterFile, Register, str | None]:
        """The instance and register (or alias) at ``address``; BusFault if there is none."""
        device = self.device_at(address)
        if device is None:
            raise BusFault(
                "unmapped", address,
                f"{_kind(read)} of {size} bytes at 0x{address:08x}: no peripheral is mapped there",
            )
        offset = address - device.base
        found = self._tables[id(device.peripheral)].get(offset)
        if found is None:
            raise BusFault(
                "unmapped", address,
                f"{_kind(read)} at 0x{address:08x}: {device.instance} ({device.peripheral.name}) "
                f"has no register at offset 0x{offset:x}",
            )
        reg, alias = found
        return device, reg, alias


def register_name(device: RegisterFile, reg: Register, alias: str | None) -> str:
    """``INSTANCE.REG`` or ``INSTANCE.REG_SET`` (trace lines and fault messages)."""
    return f"{device.instance}.{reg.name}" + (f"_{alias}" if alias else "")


__all__ = ["Bus", "BusFault", "ClockGates", "Decoded", "Target", "Tracer", "decode_table", "register_name"]
