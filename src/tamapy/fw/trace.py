"""MMIO traces: every bus access, in order, with its width, value and register.

Host execution and compiled code agree only if they touch the hardware in
the same way, so both record their accesses through the same bus class:
:class:`TracingBus` is the simulator's :class:`~tamapy.sim.bus.Bus` (same
decoding, same checks, same peripheral models) with a log.  The host uses
it directly; :func:`trace_machine` puts one into a simulator
:class:`~tamapy.sim.Machine` so a compiled image's accesses are logged the
same way.  Accesses the bus refuses (a :class:`~tamapy.sim.bus.BusFault`)
have no effect and are not logged.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from tamapy.sim.bus import Bus, ClockGates, Decoded, decode_table
from tamapy.sim.machine import Machine
from tamapy.sim.peripherals.base import RegisterFile

Kind = Literal["read", "write"]


@dataclass(frozen=True)
class MmioAccess:
    """One bus access."""

    kind: Kind
    address: int
    width: int
    """Bits: 8, 16 or 32."""
    value: int
    """The value loaded, or stored."""
    register: str | None
    """``INSTANCE.REG`` (``INSTANCE.REG_SET`` for an alias), for people reading the trace."""

    @property
    def key(self) -> tuple[int, int, int, str]:
        """(address, width, value, "r"/"w"): what two traces must agree on."""
        return self.address, self.width, self.value, self.kind[0]

    def __str__(self) -> str:
        arrow = "->" if self.kind == "read" else "<-"
        name = f" {self.register}" if self.register else ""
        return f"{self.kind[0]}{self.width} 0x{self.address:08x}{name} {arrow} 0x{self.value:0{self.width // 4}x}"


class TracingBus(Bus):
    """The simulator's bus, logging each successful access to :attr:`trace`."""

    def __init__(self, devices: Iterable[RegisterFile], clock: ClockGates | None = None,
                 trace: list[MmioAccess] | None = None) -> None:
        super().__init__(devices, clock)
        self.trace: list[MmioAccess] = [] if trace is None else trace
        self._names: dict[int, dict[int, Decoded]] = {}

    def read(self, address: int, size: int) -> int:
        value = super().read(address, size)
        self.trace.append(MmioAccess("read", address, size * 8, value, self.register_name(address)))
        return value

    def write(self, address: int, size: int, value: int) -> None:
        super().write(address, size, value)
        self.trace.append(MmioAccess("write", address, size * 8, value, self.register_name(address)))

    def register_name(self, address: int) -> str | None:
        """``INSTANCE.REG`` (or ``INSTANCE.REG_ALIAS``) at ``address``, None if nothing is there."""
        device = self.device_at(address)
        if device is None:
            return None
        table = self._names.get(id(device.peripheral))
        if table is None:
            table = self._names[id(device.peripheral)] = decode_table(device.peripheral)
        found = table.get(address - device.base)
        if found is None:
            return None
        reg, alias = found
        return f"{device.instance}.{reg.name}" + (f"_{alias}" if alias else "")


def trace_machine(machine: Machine) -> list[MmioAccess]:
    """Log a simulator machine's MMIO: returns the (live) list its accesses are appended to.

    Call before :meth:`Machine.run`.  The machine keeps its peripheral models;
    only the bus in front of them is replaced by a :class:`TracingBus`.
    """
    bus = TracingBus(machine.bus.devices, machine.bus.clock)
    machine.bus = bus
    return bus.trace


def keys(trace: Iterable[MmioAccess]) -> list[tuple[int, int, int, str]]:
    """The comparable part of a trace (see :attr:`MmioAccess.key`)."""
    return [a.key for a in trace]
