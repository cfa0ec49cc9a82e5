"""The GPT: a 32-bit up-counter driven by simulated time.

Firmware measures time with the GPT (delays, timeouts), so its counter must
advance with the simulated clock, deterministically: CNT is computed from the
CPU cycle count (one instruction per cycle at 528 MHz, see
:mod:`tamapy.sim.context`) whenever the CPU looks, never from wall time.

Clock sources (CR.CLKSRC): 1 ipg_clk (66 MHz, the boot ROM's IPG clock),
2 ipg_clk_highfreq (PERCLK_CLK_ROOT, read from CCM CSCMR1 whenever a GPT
register is written), 4 the 32.768 kHz clock, 5 the 24 MHz crystal (only with CR.EN_24M,
divided by PR.PRESCALER24M + 1); 0, 3 (external pin), 6 and 7 give no clock.
The result is divided by PR.PRESCALER + 1.  The counter also stops while the
serial clock gate (GPT1 CCGR1.CG11, GPT2 CCGR0.CG13) is closed (also read
when a GPT register is written); the bus gate is the one the bus enforces.

Modelled: EN/ENMOD (restart from 0 on enable), free-run and restart mode
(FRR; in restart mode the counter returns to 0 after matching OCR1, and a
write to OCR1 restarts it), SR.OF1-3 and ROV (sticky, write 1 to clear),
CR.SWR (resets everything but EN/ENMOD/STOPEN/DOZEEN/WAITEN/DBGEN/CLKSRC, and
clears itself).  Not modelled: input capture (ICR1/2 stay 0), output pins
(OMn, FOn), interrupts (IR is stored; nothing is raised), low-power modes.
"""

from __future__ import annotations

from typing import Any

from tamapy.sim.context import CKIL_HZ, IPG_HZ, OSC_HZ, SimContext
from tamapy.sim.peripherals.base import RegisterFile
from tamapy.specs.model import Peripheral, Register

WRAP = 1 << 32
SERIAL_GATES = {"GPT1": ("CCGR1", "CG11"), "GPT2": ("CCGR0", "CG13")}
"""The serial (ipg_per) clock gate of each GPT; the spec's [clocks] table names the bus gate."""
SWR_KEEPS = ("EN", "ENMOD", "STOPEN", "DOZEEN", "WAITEN", "DBGEN", "CLKSRC")
"""CR fields a software reset leaves alone."""


class Gpt(RegisterFile):
    """One GPT instance; CNT and SR follow the simulated clock."""

    time_registers = ("CNT",)

    def __init__(self, peripheral: Peripheral, instance: str, base: int) -> None:
        self._cnt = 0
        self._prescale = 0
        self._anchor = 0
        """Cycle from which input-clock ticks are counted (moves when the clock setup changes)."""
        self._consumed = 0
        """Input-clock ticks since :attr:`_anchor` already applied to the counter."""
        self._freq = 0
        self._divide = 1
        super().__init__(peripheral, instance, base)
        self._cr = self.register("CR")
        self._pr = self.register("PR")
        self._sr = self.register("SR")
        self._cnt_reg = self.register("CNT")
        self._ocr = [self.register(f"OCR{i}") for i in (1, 2, 3)]
        self._ocr1 = self._ocr[0]
        self._en = self.field("CR", "EN").mask
        self._enmod = self.field("CR", "ENMOD").mask
        self._frr = self.field("CR", "FRR").mask
        self._swr = self.field("CR", "SWR").mask
        self._en24 = self.field("CR", "EN_24M").mask
        self._clksrc = self.field("CR", "CLKSRC")
        self._ps = self.field("PR", "PRESCALER")
        self._ps24 = self.field("PR", "PRESCALER24M")
        self._of = [self.field("SR", f"OF{i}").mask for i in (1, 2, 3)]
        self._rov = self.field("SR", "ROV").mask
        self._keep = sum(self.field("CR", name).mask for name in SWR_KEEPS)
        self._counted = 0
        """Counter ticks applied over the run (for the report)."""

    def reset(self) -> None:
        super().reset()
        self._cnt = 0
        self._prescale = 0
        self._anchor = self.ctx.now()
        self._consumed = 0

    def attach(self, ctx: SimContext) -> None:
        super().attach(ctx)
        self._anchor = ctx.now()
        self._consumed = 0
        self._setup()

    # -- the clock -------------------------------------------------------------

    def input_hz(self) -> int:
        """Frequency of the selected clock after PRESCALER24M (0 = no clock)."""
        cr = self.value("CR")
        if not cr & self._en:
            return 0
        gate = SERIAL_GATES.get(self.instance)
        ccm = self.ctx.ccm
        if gate is not None and ccm is not None and not ccm.gate_on(*gate):
            return 0
        source = (cr & self._clksrc.mask) >> self._clksrc.lsb
        if source == 1:
            return IPG_HZ
        if source == 2:
            return ccm.perclk_hz() if ccm is not None else IPG_HZ
        if source == 4:
            return CKIL_HZ
        if source == 5 and cr & self._en24:
            return OSC_HZ // (((self.value("PR") & self._ps24.mask) >> self._ps24.lsb) + 1)
        return 0

    def _setup(self) -> None:
        """Re-read the clock setup; time from now on counts with it.  An unchanged setup
        keeps counting from where it was, so the partial input tick in progress is not
        lost on a write (firmware writing a GPT register faster than it ticks would
        otherwise stop the counter)."""
        freq = self.input_hz()
        divide = ((self.value("PR") & self._ps.mask) >> self._ps.lsb) + 1
        if (freq, divide) == (self._freq, self._divide):
            return
        self._freq, self._divide = freq, divide
        self._anchor = self.ctx.now()
        self._consumed = 0

    def sync(self) -> None:
        """Bring CNT and SR up to the current simulated time."""
        if self._freq == 0:
            return
        clock = self.ctx.clock
        ticks = (clock.cycles() - self._anchor) * self._freq // clock.hz
        new = ticks - self._consumed
        if new <= 0:
            return
        self._consumed = ticks
        total = self._prescale + new
        self._prescale = total % self._divide
        self._advance(total // self._divide)

    def _advance(self, n: int) -> None:
        """Count ``n`` ticks, setting the compare and rollover flags they pass."""
        if n <= 0:
            return
        self._counted += n
        flags = 0
        c = self._cnt
        ocrs = [self.value(r.name) for r in self._ocr]
        if self.value("CR") & self._frr:
            flags |= self._passes(c, n, ocrs)
            if c + n >= WRAP:
                flags |= self._rov
            self._cnt = (c + n) % WRAP
        else:
            flags, self._cnt = self._restart_mode(c, n, ocrs)
        if flags:
            self.set_value("SR", self.value("SR") | flags)

    def _passes(self, start: int, n: int, ocrs: list[int]) -> int:
        """OF flags for compare values the counter reaches in ``start+1 .. start+n`` (mod 2^32)."""
        flags = 0
        for mask, ocr in zip(self._of, ocrs, strict=True):
            if n >= WRAP or 1 <= (ocr - start) % WRAP <= n:
                flags |= mask
        return flags

    def _restart_mode(self, c: int, n: int, ocrs: list[int]) -> tuple[int, int]:
        """Restart mode: count up to OCR1, then back to 0 on the next tick."""
        top = ocrs[0]
        flags = 0
        if c > top:  # above the compare value: run to the wrap first
            to_wrap = WRAP - c
            if n < to_wrap:
                return self._passes(c, n, ocrs), c + n
            flags |= self._passes(c, to_wrap, ocrs) | self._rov
            n -= to_wrap
            c = 0
        # now c <= top; the cycle is 0 .. top, period top + 1
        to_top = top - c
        if n <= to_top:
            return flags | self._passes(c, n, ocrs), c + n
        flags |= self._passes(c, to_top, ocrs) | self._of[0]
        n -= to_top + 1  # reach top, then the tick that restarts at 0
        c = 0
        flags |= self._passes(WRAP - 1, 1, ocrs)  # the value 0 itself
        period = top + 1
        if n >= period:
            flags |= self._passes(0, top, ocrs) | self._of[0]
            n %= period
        return flags | self._passes(0, n, ocrs), n

    # -- bus accesses -----------------------------------------------------------

    def read(self, reg: Register) -> int:
        self.sync()
        if reg is self._cnt_reg:
            return self._cnt
        return super().read(reg)

    def write(self, reg: Register, alias: str | None, value: int) -> None:
        self.sync()
        if reg is self._cr:
            old = self.value("CR")
            super().write(reg, alias, value)
            new = self.value("CR")
            if new & self._swr:
                self.software_reset()
            elif new & self._en and not old & self._en and new & self._enmod:
                self._cnt = 0
                self._prescale = 0
        else:
            super().write(reg, alias, value)
            if reg is self._ocr1 and not self.value("CR") & self._frr:
                self._cnt = 0  # restart mode: a write to OCR1 restarts the counter
                self._prescale = 0
        self._setup()

    def software_reset(self) -> None:
        """CR.SWR: registers back to reset except the kept CR fields; SWR clears itself."""
        cr = self.value("CR") & self._keep
        super().reset()
        self.set_value("CR", cr)
        self._cnt = 0
        self._prescale = 0

    def notes(self) -> dict[str, Any] | None:
        if self._counted == 0 and not self.value("CR") & self._en:
            return None
        self.sync()
        return {"enabled": bool(self.value("CR") & self._en), "input_hz": self._freq,
                "prescaler": self._divide, "cnt": self._cnt, "ticks_counted": self._counted}
