"""The in-memory form of register maps and board descriptions.

These frozen dataclasses are what every other stage sees of ``specs/``: the
type checker resolves register names against them, the code generator takes
addresses and widths from them, the verifier (later) takes access rules and
invariants from them.  They are built only by :mod:`tamapy.specs.load`,
which validates the TOML first, so consumers may trust their consistency.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class Access(str, Enum):  # noqa: UP042 -- str(Access.RW) must stay stable for consumers
    """Access kind of a register or field."""

    RW = "RW"
    RO = "RO"
    WO = "WO"
    W1C = "W1C"

    @property
    def readable(self) -> bool:
        return self is not Access.WO

    @property
    def writable(self) -> bool:
        return self is not Access.RO


ALIAS_OFFSETS: dict[str, int] = {"SET": 0x4, "CLR": 0x8, "TOG": 0xC}
"""STMP-style alias registers sit at these offsets from their base register."""


@dataclass(frozen=True)
class Field:
    name: str
    lsb: int
    width: int
    access: Access
    description: str = ""
    reset: int = 0
    """The field's bits of the register reset value, shifted down to bit 0."""
    dma: bool = False
    """The field holds an address a DMA engine will use: it must lie in the board's DMA region."""

    @property
    def msb(self) -> int:
        return self.lsb + self.width - 1

    @property
    def mask(self) -> int:
        """Mask of the field in register position."""
        return ((1 << self.width) - 1) << self.lsb

    @property
    def max_value(self) -> int:
        return (1 << self.width) - 1


@dataclass(frozen=True)
class Register:
    name: str
    offset: int
    width: int
    """8, 16 or 32 bits."""
    access: Access
    reset: int
    fields: tuple[Field, ...]
    aliases: tuple[str, ...] = ()
    """Subset of ("SET", "CLR", "TOG"), at ALIAS_OFFSETS from ``offset``."""
    reserved_value: int = 0
    """Value reserved (non-field) bits must be written with."""
    read_sensitive: bool = False
    """Reading has a side effect (pops a FIFO, clears a flag)."""
    description: str = ""

    def field(self, name: str) -> Field | None:
        for f in self.fields:
            if f.name == name:
                return f
        return None

    @property
    def field_mask(self) -> int:
        m = 0
        for f in self.fields:
            m |= f.mask
        return m

    @property
    def reserved_mask(self) -> int:
        return ((1 << self.width) - 1) & ~self.field_mask

    @property
    def has_w1c(self) -> bool:
        return self.access is Access.W1C or any(f.access is Access.W1C for f in self.fields)

    def alias_offset(self, alias: str) -> int:
        return self.offset + ALIAS_OFFSETS[alias]

    @property
    def write_base(self) -> int:
        """What a whole-register write puts in the bits it does not name: fields at their
        reset value (write-1-to-clear fields at 0, so nothing is cleared by accident) and
        reserved bits at their required value."""
        value = self.reserved_value
        for f in self.fields:
            if f.access is not Access.W1C:
                value |= (f.reset << f.lsb) & f.mask
        return value


@dataclass(frozen=True)
class GhostRule:
    """How an access updates a protocol invariant: ``effect`` it when ``when`` holds
    of the register value read (``on`` = "read") or left by a write (``on`` = "write")."""

    effect: str
    """``set`` or ``clear``."""
    on: str
    register: str
    when: str
    """A Python expression over the register's field names (and ``value``, the whole register)."""


@dataclass(frozen=True)
class ProtocolInvariant:
    """A ghost boolean per instance (e.g. the RNG's health), declared in the spec, that
    guards accesses: reading or writing a guarded register requires it to hold."""

    name: str
    description: str
    initial: bool
    rules: tuple[GhostRule, ...]
    guards_read: tuple[str, ...]
    guards_write: tuple[str, ...]


@dataclass(frozen=True)
class Peripheral:
    """A register block type (e.g. UART) and its instances (UART1 at 0x02020000, ...)."""

    name: str
    registers: tuple[Register, ...]
    instances: tuple[tuple[str, int], ...]
    """(instance name, base address), in file order."""
    size: int
    """Size in bytes of one instance's address window."""
    source: str = field(repr=False)
    """Path of the TOML file, for diagnostics and digests (left out of repr, which cache
    keys hash: where the checkout lives must not change them)."""
    description: str = ""
    clocks: tuple[tuple[str, str, str], ...] = ()
    """(instance, CCM register, CCM field): the clock gate that must be on
    before the instance's registers are touched."""
    invariants: tuple[ProtocolInvariant, ...] = ()

    def invariant(self, name: str) -> ProtocolInvariant | None:
        for inv in self.invariants:
            if inv.name == name:
                return inv
        return None

    def clock_of(self, instance: str) -> tuple[str, str] | None:
        for inst, reg, fld in self.clocks:
            if inst == instance:
                return reg, fld
        return None

    def register(self, name: str) -> Register | None:
        for r in self.registers:
            if r.name == name:
                return r
        return None


@dataclass(frozen=True)
class Soc:
    """All register maps of one SoC family, from ``specs/soc/<name>/*.toml``."""

    name: str
    peripherals: tuple[Peripheral, ...]

    def instance(self, name: str) -> tuple[Peripheral, int] | None:
        """Find an instance by name: its peripheral and base address."""
        for p in self.peripherals:
            for inst, base in p.instances:
                if inst == name:
                    return p, base
        return None

    def peripheral(self, name: str) -> Peripheral | None:
        for p in self.peripherals:
            if p.name == name:
                return p
        return None

    def instance_name(self, peripheral: Peripheral, base: int) -> str | None:
        for inst, b in peripheral.instances:
            if b == base:
                return inst
        return None


@dataclass(frozen=True)
class MemoryRegion:
    name: str
    base: int
    size: int

    @property
    def end(self) -> int:
        return self.base + self.size

    def contains(self, addr: int, length: int = 1) -> bool:
        return self.base <= addr and addr + length <= self.end


@dataclass(frozen=True)
class Board:
    """A board: its CPU, memory map, where the image goes, stack, DMA region and console."""

    name: str
    """Identifier used on the command line, e.g. ``mcimx6ul-evk``."""
    description: str
    soc: str
    """Name of the SoC directory under ``specs/soc/``."""
    cpu: str
    triple: str
    memory: tuple[MemoryRegion, ...]
    load_address: int
    stack_size: int
    dma_region: str
    """Name of the memory region DMA engines may be given."""
    dma_alignment: int
    console_uart: str
    """Instance name of the console UART, e.g. ``UART1``."""
    qemu_serial_index: int
    """Which ``-serial`` of QEMU's machine is the console (0 = UART1)."""
    qemu_memory_mb: int
    source: str
    firmware_package: str = field(default="")
    """Python package name of ``firmware/board/<...>/`` (``-`` becomes ``_``)."""
    dcd: tuple[tuple[int, int], ...] = field(default=())
    """Device Configuration Data: (address, value) 32-bit writes the boot ROM
    performs, in order, before it copies the ``.imx`` payload (clock gates,
    pads, DDR controller).  Empty when the board file has no ``[dcd]``."""

    def region(self, name: str) -> MemoryRegion | None:
        for r in self.memory:
            if r.name == name:
                return r
        return None

    def region_of(self, addr: int) -> MemoryRegion | None:
        for r in self.memory:
            if r.contains(addr):
                return r
        return None
