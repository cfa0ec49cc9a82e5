"""OCOTP: a per-run fuse array, its shadow registers, and the controller's operations.

The shadows are what firmware reads (unique ID, boot configuration, the ULZ
mark), so they are loaded from a simulated fuse array at reset:

* CFG0/CFG1 = the device's 64-bit unique ID (low word, high word), chosen per
  run (``simulate(..., unique_id=...)``; by default derived from the board name,
  see :func:`tamapy.sim.context.default_unique_id`);
* CFG5.ULZ_MARK (bit 6) = 1 on an i.MX6ULZ (the USB armory Mk II);
* LOCK.OTPMK_LOCK = 1: the OTP master key is read-locked as on a provisioned
  part, so reading OTPMK0..7 returns 0xBADABADA and sets CTRL.ERROR;
* every other fuse word 0.

Controller operations complete at once (CTRL.BUSY always reads 0):
CTRL.RELOAD_SHADOWS reloads every shadow from the fuses (writes to shadows
are volatile overrides until then) and clears itself; READ_CTRL.READ_FUSE
copies fuse word CTRL.ADDR into READ_FUSE_DATA; a DATA write with
CTRL.WR_UNLOCK = 0x3E77 burns its 1-bits into fuse word CTRL.ADDR (the
shadows change only at the next reload) and clears WR_UNLOCK.  An operation
started while CTRL.ERROR is set, or a DATA write without the unlock code,
sets CTRL.ERROR and does nothing.  Fuses live for one run only.  Not
modelled: timing registers (stored only), CRC test, SW_STICKY/SCS locks.
"""

from __future__ import annotations

from typing import Any

from tamapy.sim.context import SimContext
from tamapy.sim.peripherals.base import RegisterFile
from tamapy.specs.model import Peripheral, Register

SHADOW_BASE = 0x400
HOLE_START = 0x700
HOLE_SIZE = 0x100
WORDS = 128
"""Fuse words reachable through CTRL.ADDR (7 bits)."""
UNLOCK = 0x3E77
LOCKED_READ = 0xBADA_BADA
OTPMK_BANK = 2
WORD_CFG0, WORD_CFG1, WORD_CFG5 = 1, 2, 6
OTPMK_LOCK_BIT = 1 << 17
ULZ_MARK_BIT = 1 << 6


def fuse_word(offset: int) -> int | None:
    """The fuse word index (bank x 8 + word) a shadow register offset mirrors."""
    if offset < SHADOW_BASE or offset % 0x10:
        return None
    index = (offset - SHADOW_BASE) // 0x10
    if offset >= HOLE_START + HOLE_SIZE:
        index -= HOLE_SIZE // 0x10
    elif offset >= HOLE_START:
        return None
    return index if index < WORDS else None


class Ocotp(RegisterFile):
    """The OCOTP controller and its shadow registers."""

    def __init__(self, peripheral: Peripheral, instance: str, base: int) -> None:
        self.fuses = [0] * WORDS
        self._programmed: list[dict[str, Any]] = []
        self._locked_reads = 0
        super().__init__(peripheral, instance, base)
        self._shadows = {r.name: w for r in peripheral.storage if (w := fuse_word(r.offset)) is not None}
        self._by_register = {id(r): self._shadows[r.name] for r in peripheral.storage if r.name in self._shadows}
        self._ctrl = self.register("CTRL")
        self._data = self.register("DATA")
        self._read_ctrl = self.register("READ_CTRL")
        self._addr = self.field("CTRL", "ADDR")
        self._busy = self.field("CTRL", "BUSY").mask
        self._error = self.field("CTRL", "ERROR").mask
        self._reload = self.field("CTRL", "RELOAD_SHADOWS").mask
        self._unlock = self.field("CTRL", "WR_UNLOCK")
        self._read_fuse = self.field("READ_CTRL", "READ_FUSE").mask
        self.burn_defaults()
        self.reload()

    def attach(self, ctx: SimContext) -> None:
        super().attach(ctx)
        self.burn_defaults()
        self.reload()

    def reset(self) -> None:
        super().reset()
        self.reload()

    def burn_defaults(self) -> None:
        """The fuse image of this run's device (see the module docstring)."""
        uid = self.ctx.uid
        self.fuses = [0] * WORDS
        self.fuses[0] = OTPMK_LOCK_BIT
        self.fuses[WORD_CFG0] = uid & 0xFFFF_FFFF
        self.fuses[WORD_CFG1] = uid >> 32
        self.fuses[WORD_CFG5] = ULZ_MARK_BIT if self.ctx.variant.ulz_mark else 0

    def reload(self) -> None:
        """Every shadow register from its fuse word."""
        for name, word in getattr(self, "_shadows", {}).items():
            self.set_value(name, self.fuses[word])

    def _read_locked(self, word: int) -> bool:
        return word // 8 == OTPMK_BANK and bool(self.fuses[0] & OTPMK_LOCK_BIT)

    def _fail(self) -> None:
        self.set_value("CTRL", self.value("CTRL") | self._error)

    def read(self, reg: Register) -> int:
        word = self._by_register.get(id(reg))
        if word is not None and self._read_locked(word):
            self._locked_reads += 1
            self._fail()
            return LOCKED_READ
        return super().read(reg) & ~self._busy if reg is self._ctrl else super().read(reg)

    def write(self, reg: Register, alias: str | None, value: int) -> None:
        if reg is self._ctrl:
            before = self.value("CTRL")
            super().write(reg, alias, value)
            ctrl = self.value("CTRL")
            if ctrl & self._reload:
                if before & self._error:
                    self._fail()
                else:
                    self.reload()
                self.set_value("CTRL", self.value("CTRL") & ~self._reload)
            return
        if reg is self._read_ctrl:
            super().write(reg, alias, value)
            if self.value("READ_CTRL") & self._read_fuse:
                ctrl = self.value("CTRL")
                if ctrl & self._error:
                    self._fail()
                else:
                    word = (ctrl & self._addr.mask) >> self._addr.lsb
                    self.set_value("READ_FUSE_DATA", LOCKED_READ if self._read_locked(word) else self.fuses[word])
                self.set_value("READ_CTRL", self.value("READ_CTRL") & ~self._read_fuse)
            return
        super().write(reg, alias, value)
        if reg is self._data:
            self._program(value)

    def _program(self, value: int) -> None:
        ctrl = self.value("CTRL")
        unlocked = (ctrl & self._unlock.mask) >> self._unlock.lsb == UNLOCK
        self.set_value("CTRL", ctrl & ~self._unlock.mask)
        if ctrl & self._error or not unlocked:
            self._fail()
            return
        word = (ctrl & self._addr.mask) >> self._addr.lsb
        self.fuses[word] |= value
        self._programmed.append({"word": word, "bank": word // 8, "bits": f"0x{value:08x}",
                                 "cycle": self.ctx.now()})

    def notes(self) -> dict[str, Any] | None:
        notes: dict[str, Any] = {"unique_id": f"0x{self.ctx.uid:016x}",
                                 "ulz_mark": self.ctx.variant.ulz_mark}
        if self._programmed:
            notes["programmed"] = list(self._programmed)
        if self._locked_reads:
            notes["locked_reads"] = self._locked_reads
        return notes
