"""The generic register-file model every simulated peripheral starts from.

A :class:`RegisterFile` is one peripheral *instance* (``UART1``, ``CCM``)
built from its spec: registers start at their spec reset values and a write
follows the access kinds the spec gives each field, so the simulator and the
verifier read the same rules from the same TOML.  Peripheral models
(:mod:`.uart`, :mod:`.ccm`) subclass it and override :meth:`RegisterFile.read`
and :meth:`RegisterFile.write` only where the hardware does more than store
bits (FIFOs, computed status, software reset).

Access checks (width, read-only, write-only, unknown offsets) are the bus's
job (:mod:`tamapy.sim.bus`): by the time a method here runs, the access is
legal.
"""

from __future__ import annotations

from typing import Any

from tamapy.diagnostics import TamapyError, error
from tamapy.sim.context import SimContext
from tamapy.specs.model import Access, Field, Peripheral, Register

SPEC_MISMATCH = "E522"
"""A peripheral model needs a register or field its spec does not describe,
or two peripheral windows overlap."""


class BusFault(Exception):
    """An access the hardware (or its description) refuses; ``kind`` as in ``SimFault.kind``.

    Raised by the bus for accesses the specs forbid, and by models whose hardware
    answers with a bus error (RNGB underflow with CR.FUFMOD = 0b10).
    """

    def __init__(self, kind: str, address: int, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.address = address
        self.message = message


def spec_error(peripheral: Peripheral, message: str, hint: str) -> TamapyError:
    """A simulator error located in a peripheral's spec file."""
    return error(peripheral.source, 0, 0, SPEC_MISMATCH, message, hint)


def _bits_for(access: Access, mask: int) -> tuple[int, int]:
    """(stored, write-1-to-clear) bits contributed by ``mask`` with ``access``."""
    if access is Access.W1C:
        return 0, mask
    if access.writable:
        return mask, 0
    return 0, 0


def write_masks(reg: Register) -> tuple[int, int]:
    """Bits a plain write stores, and bits a written 1 clears.

    Each field follows its own access kind; bits outside every field follow
    the register's (so a register without fields is one plain word).  Bits in
    neither mask are read-only: writes leave them alone.
    """
    stored, w1c = _bits_for(reg.access, reg.reserved_mask)
    for f in reg.fields:
        s, c = _bits_for(f.access, f.mask)
        stored |= s
        w1c |= c
    return stored, w1c


class RegisterFile:
    """One peripheral instance: register values plus the spec's write semantics.

    A plain write stores RW/WO bits, keeps RO bits, and clears W1C bits
    written as 1.  The SET/CLR/TOG aliases (for registers that declare them)
    set, clear or toggle the written bits among the writable ones.
    """

    time_registers: tuple[str, ...] = ()
    """Registers whose value follows simulated time alone (a timer's counter): firmware
    polling one is waiting for time to pass (:mod:`tamapy.sim.fastforward`)."""

    def __init__(self, peripheral: Peripheral, instance: str, base: int) -> None:
        self.peripheral = peripheral
        self.instance = instance
        self.base = base
        self._masks = {reg.name: write_masks(reg) for reg in peripheral.storage}
        self._values: dict[str, int] = {}
        self.ctx = SimContext()
        """Shared simulation state (time, DMA, the part); :meth:`attach` replaces it."""
        self.reset()

    def attach(self, ctx: SimContext) -> None:
        """Join a simulation: models that need time, memory or the part override this
        (calling ``super().attach``) to look things up once."""
        self.ctx = ctx

    # -- run-level hooks (the machine calls these; defaults do nothing) ---------

    def notes(self) -> dict[str, Any] | None:
        """What the run report should say about this instance (JSON-ready), or None."""
        return None

    def next_event(self) -> int | None:
        """Cycle at which this instance must be looked at even if the CPU never touches
        it (a watchdog deadline), or None."""
        return None

    def on_time(self) -> None:
        """Simulated time reached :meth:`next_event` (or the CPU is idle): act on it."""

    def reset(self) -> None:
        """Every register back to its spec reset value (power-on reset)."""
        self._values = {reg.name: reg.reset for reg in self.peripheral.storage}

    # -- spec lookups models use at construction time ------------------------

    def register(self, name: str) -> Register:
        """The spec register ``name``; a model cannot work without it."""
        reg = self.peripheral.register(name)
        if reg is None:
            raise spec_error(
                self.peripheral,
                f"the {self.peripheral.name} model needs register {name}, which the spec does not describe",
                "add it to the peripheral's register map",
            )
        return reg

    def field(self, register: str, name: str) -> Field:
        """The spec field ``register.name``; a model cannot work without it."""
        found = self.register(register).field(name)
        if found is None:
            raise spec_error(
                self.peripheral,
                f"the {self.peripheral.name} model needs field {register}.{name}, which the spec does not describe",
                "add it to the register's fields",
            )
        return found

    # -- raw state (no side effects) ------------------------------------------

    def value(self, name: str) -> int:
        """The stored value of register ``name``, without read side effects."""
        return self._values[name]

    def set_value(self, name: str, value: int) -> None:
        """Store ``value`` as is (models and tests; bypasses write semantics)."""
        self._values[name] = value

    def field_value(self, register: str, name: str) -> int:
        f = self.field(register, name)
        return (self._values[register] & f.mask) >> f.lsb

    # -- bus accesses (already checked by the bus) ----------------------------

    def read(self, reg: Register) -> int:
        """What a load from ``reg`` returns; models override for computed bits."""
        return self._values[reg.name]

    def stable(self, reg: Register) -> bool:
        """Whether a read of ``reg`` now has no side effect and returns the same value until
        the next MMIO write or received byte (the machine may then answer it natively,
        :mod:`tamapy.sim.readcache`).  Models that know say so; the default is no."""
        return False

    def write(self, reg: Register, alias: str | None, value: int) -> None:
        """A store of ``value`` to ``reg`` (or to its SET/CLR/TOG ``alias``)."""
        self._values[reg.name] = self.merge(reg, alias, self._values[reg.name], value)

    def merge(self, reg: Register, alias: str | None, old: int, value: int) -> int:
        """The register value after writing ``value`` over ``old``."""
        stored, w1c = self._masks[reg.name]
        if alias == "SET":
            return old | (value & stored)
        if alias == "CLR":
            return old & ~(value & stored)
        if alias == "TOG":
            return old ^ (value & stored)
        return ((old & ~stored) | (value & stored)) & ~(value & w1c)


class Storage(RegisterFile):
    """A peripheral whose spec has no simulator model: plain register storage.

    Its registers keep what is written (within the spec's access kinds) and
    nothing else happens -- no status ever changes by itself.  That is rarely
    what the hardware does, so the run report and ``tamapy run`` name every
    instance simulated this way instead of letting it pass for a model.
    """
