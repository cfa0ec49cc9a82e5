"""The in-memory form of register maps and board descriptions.

These frozen dataclasses are what every other stage sees of ``specs/``: the
type checker resolves register names against them, the code generator takes
addresses and widths from them, the verifier (later) takes access rules and
invariants from them.  They are built only by :mod:`tamapy.specs.load`,
which validates the TOML first, so consumers may trust their consistency.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from enum import Enum

from tamapy.specs.conditions import INT_OPERATIONS, WHOLE_REGISTER, Condition, evaluate


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

ALIAS_OF_KIND: dict[str, str] = {"set": "SET", "clear": "CLR", "toggle": "TOG"}
"""The alias register each alias kind of write stores to."""

WRITE_KINDS = ("write", "modify", "set", "clear", "toggle")
"""The field-naming kinds of register write (a raw ``write(value)`` stores its value as it is)."""


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
    count: int | None = None
    """A field array (one bit or field per pin): ``count`` elements of ``width`` bits, element
    ``i`` at bit ``lsb + i * stride`` (``REG.FIELD[i]``); None for a single field.  ``reset``
    then holds every element's bits, shifted down by ``lsb``."""
    stride: int = 0

    @property
    def msb(self) -> int:
        """The highest bit the field (every element of an array) occupies."""
        return self.lsb + (self.count - 1) * self.stride + self.width - 1 if self.count else self.lsb + self.width - 1

    @property
    def mask(self) -> int:
        """Mask of the field (of all its elements) in register position."""
        if self.count is None:
            return ((1 << self.width) - 1) << self.lsb
        m = 0
        for i in range(self.count):
            m |= self.max_value << self.element_shift(i)
        return m

    @property
    def max_value(self) -> int:
        """The largest value of the field (of one element of an array)."""
        return (1 << self.width) - 1

    def element_shift(self, index: int) -> int:
        """Where element ``index`` of a field array starts (``lsb`` for a single field)."""
        return self.lsb + index * self.stride


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
    count: int | None = None
    """A register array: ``count`` registers alike, element ``i`` at ``offset + i * stride``
    (``INSTANCE.REG[i]``); None for a single register."""
    stride: int = 0
    overlays: bool = False
    """A read-only array that is a second name for registers the map also names one by one
    (e.g. every fuse shadow by its index); see :func:`tamapy.specs.load`'s overlay rules."""

    @property
    def element_offsets(self) -> tuple[int, ...]:
        """The offset of each register of the array (the one offset of a single register)."""
        if self.count is None:
            return (self.offset,)
        return tuple(self.offset + i * self.stride for i in range(self.count))

    def elements(self) -> tuple[Register, ...]:
        """Each register of an array as a single register named ``REG[i]`` (itself if single)."""
        if self.count is None:
            return (self,)
        return tuple(replace(self, name=f"{self.name}[{i}]", offset=o, count=None, stride=0, overlays=False)
                     for i, o in enumerate(self.element_offsets))

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

    def write_plan(self, kind: str, names: Sequence[str]) -> WritePlan:
        """What a ``kind`` write of the named fields stores, for the compiler, the host and the
        verifier alike: one definition, so the three cannot drift apart.

        ``write`` stores over :attr:`write_base`; ``modify`` keeps the unnamed fields of the value
        it loads and forces the reserved bits to :attr:`reserved_value`; ``set``/``clear``/``toggle``
        store just the named fields, to their alias (``clear`` of write-1-to-clear fields without a
        CLR alias stores to the register itself).  The checker has already refused unknown, read-only
        and missing-alias writes; an unknown name here is a caller's bug (``KeyError``).
        """
        if kind not in WRITE_KINDS:
            raise ValueError(f"not a register write kind: {kind!r}")
        fields = [self._named_field(name) for name in names]
        named = 0
        for f in fields:
            named |= f.mask if f.count is None else 0  # an element's bits are the slot's, at run time
        keep, forced, offset = 0, 0, self.offset
        if kind == "write":
            forced = self.write_base & ~named
        elif kind == "modify":
            keep = ((1 << self.width) - 1) & ~named & ~self.reserved_mask
            forced = self.reserved_value
        elif ALIAS_OF_KIND[kind] in self.aliases:
            offset = self.alias_offset(ALIAS_OF_KIND[kind])
        return WritePlan(kind, offset, keep, forced,
                         tuple(FieldSlot(f.name, f.lsb, f.max_value, f.stride if f.count else 0) for f in fields))

    def _named_field(self, name: str) -> Field:
        f = self.field(name)
        if f is None:
            raise KeyError(f"register {self.name} has no field {name!r}")
        return f


@dataclass(frozen=True)
class FieldSlot:
    """Where one named field's value goes in the stored word: ``(value & mask) << shift``."""

    name: str
    shift: int
    mask: int
    """The field's value mask before the shift (its maximum value)."""
    stride: int = 0
    """Non-zero for element ``i`` of a field array: its shift is ``shift + i * stride``, and the
    store also clears the element's bits of ``(old & keep) | forced`` (:meth:`WritePlan.stored`)."""

    def at(self, index: int) -> int:
        """The slot's shift for element ``index`` (its one shift for a single field)."""
        return self.shift + index * self.stride


@dataclass(frozen=True)
class WritePlan:
    """The store a register write makes: ``(old & keep) | forced | each field in its slot``.

    ``old`` is the register's value loaded just before (only when :attr:`reads_old`).  How the
    stored word changes the register follows from :attr:`kind`: a ``write``/``modify`` replaces
    it, ``set``/``clear``/``toggle`` set, clear or invert the bits stored as ones.
    """

    kind: str
    offset: int
    """Offset from the instance base the value is stored to: the register's, or its alias's."""
    keep: int
    """Bits kept from the loaded value (read-modify-write); 0 when nothing is loaded."""
    forced: int
    """Bits stored as this constant: unnamed fields and reserved bits of a ``write``, reserved
    bits of a ``modify``; 0 for an alias write."""
    slots: tuple[FieldSlot, ...]
    """The named fields, in the order they were named."""

    def stored(self, old: int, values: Sequence[int], element: int = 0) -> int:
        """The word stored, given the loaded value and each slot's value (host integers; the
        compiler and the verifier build the same expression): a field-array slot first clears
        its element's bits of the kept and forced ones, then each value goes to its slot."""
        word = (old & self.keep if self.reads_old else 0) | self.forced
        for slot, value in zip(self.slots, values, strict=True):
            if slot.stride:
                word &= ~(slot.mask << slot.at(element))
            word |= (value & slot.mask) << slot.at(element)
        return word

    @property
    def reads_old(self) -> bool:
        """A read-modify-write loads the register before it stores."""
        return self.kind == "modify"

    def forced_field(self, f: Field) -> int:
        """The constant a field not named gets from this store (shifted down to bit 0)."""
        return (self.forced >> f.lsb) & f.max_value


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
    condition: Condition = field(repr=False, compare=False)
    """``when`` parsed (:mod:`tamapy.specs.conditions`); left out of repr, which cache keys hash:
    the text already stands for it."""

    def holds(self, register: Register, value: int) -> bool:
        """Whether the condition holds of ``value``, an integer the register holds."""
        def read(name: str) -> int:
            if name == WHOLE_REGISTER:
                return value
            f = register._named_field(name)
            return (value >> f.lsb) & f.max_value

        return evaluate(self.condition, read, INT_OPERATIONS)


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

    @property
    def storage(self) -> tuple[Register, ...]:
        """The registers that hold a value of their own, each array element on its own (an
        overlaying array holds none: its addresses are other registers')."""
        return tuple(e for r in self.registers if not r.overlays for e in r.elements())

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
