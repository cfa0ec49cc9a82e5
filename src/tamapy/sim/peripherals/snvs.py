"""SNVS: the HP and LP real-time counters in simulated time, and power-off.

Both RTCs (HPRTCMR/HPRTCLR enabled by HPCR.RTC_EN, the secure LPSRTCMR/
LPSRTCLR enabled by LPCR.SRTC_ENV) are 47-bit counters at 32.768 kHz of
simulated time (the CPU cycle count at 528 MHz, see :mod:`tamapy.sim.context`).
They start at 0 at reset (a fresh coin cell); firmware may set them while
disabled, as the RM requires (writes while enabled are ignored and counted in
the report).  HPCR.HP_TS copies the LP counter into the HP one and clears
itself.  Writing LPCR with DP_EN and TOP both set powers the SoC off: the run
stops with ``stop_reason = "power-off"`` (QEMU 7.2 exits there too).

Everything else is the spec's register file (reset values, W1C status bits).
Not modelled: time alarms and periodic interrupts, the monotonic counter, the
security state machine (HPSR.SSM_STATE keeps its reset value), tamper and
glitch detection, the zeroizable master key.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tamapy.sim.context import CKIL_HZ
from tamapy.sim.peripherals.base import RegisterFile
from tamapy.specs.model import Peripheral, Register

COUNTER_BITS = 47
MSB_MASK = (1 << (COUNTER_BITS - 32)) - 1


@dataclass
class Rtc:
    """One 47-bit 32.768 kHz counter: ``base`` at cycle ``anchor``, counting while ``running``."""

    msb: str
    lsb: str
    base: int = 0
    anchor: int = 0
    running: bool = False
    ignored_writes: int = 0

    def value(self, now: int, hz: int) -> int:
        if not self.running:
            return self.base
        return (self.base + (now - self.anchor) * CKIL_HZ // hz) & ((1 << COUNTER_BITS) - 1)

    def set_running(self, running: bool, now: int, hz: int) -> None:
        if running == self.running:
            return
        self.base = self.value(now, hz)
        self.anchor = now
        self.running = running


class Snvs(RegisterFile):
    """The SNVS HP + LP page."""

    time_registers = ("HPRTCMR", "HPRTCLR", "LPSRTCMR", "LPSRTCLR")

    def __init__(self, peripheral: Peripheral, instance: str, base: int) -> None:
        self.hp = Rtc("HPRTCMR", "HPRTCLR")
        self.lp = Rtc("LPSRTCMR", "LPSRTCLR")
        self._powered_off = False
        super().__init__(peripheral, instance, base)
        self._hpcr = self.register("HPCR")
        self._lpcr = self.register("LPCR")
        self._rtc_en = self.field("HPCR", "RTC_EN").mask
        self._hp_ts = self.field("HPCR", "HP_TS").mask
        self._srtc_env = self.field("LPCR", "SRTC_ENV").mask
        self._power_off = self.field("LPCR", "DP_EN").mask | self.field("LPCR", "TOP").mask
        self._counters = {self.register(n).name: rtc for rtc in (self.hp, self.lp) for n in (rtc.msb, rtc.lsb)}

    def reset(self) -> None:
        super().reset()
        self.hp = Rtc("HPRTCMR", "HPRTCLR")
        self.lp = Rtc("LPSRTCMR", "LPSRTCLR")

    def _now(self) -> tuple[int, int]:
        return self.ctx.now(), self.ctx.clock.hz

    def read(self, reg: Register) -> int:
        rtc = self._counters.get(reg.name)
        if rtc is None:
            return super().read(reg)
        value = rtc.value(*self._now())
        return (value >> 32) & MSB_MASK if reg.name == rtc.msb else value & 0xFFFF_FFFF

    def write(self, reg: Register, alias: str | None, value: int) -> None:
        rtc = self._counters.get(reg.name)
        if rtc is not None:
            if rtc.running:
                rtc.ignored_writes += 1
                return
            if reg.name == rtc.msb:
                rtc.base = ((value & MSB_MASK) << 32) | (rtc.base & 0xFFFF_FFFF)
            else:
                rtc.base = (rtc.base & ~0xFFFF_FFFF) | (value & 0xFFFF_FFFF)
            return
        super().write(reg, alias, value)
        if reg is self._hpcr:
            hpcr = self.value("HPCR")
            if hpcr & self._hp_ts:
                now, hz = self._now()
                self.hp.base, self.hp.anchor = self.lp.value(now, hz), now
                self.set_value("HPCR", hpcr & ~self._hp_ts)
            self.hp.set_running(bool(hpcr & self._rtc_en), *self._now())
        elif reg is self._lpcr:
            lpcr = self.value("LPCR")
            self.lp.set_running(bool(lpcr & self._srtc_env), *self._now())
            if lpcr & self._power_off == self._power_off and not self._powered_off:
                self._powered_off = True
                self.ctx.stop("power-off", f"{self.instance}.LPCR: DP_EN and TOP set, the SoC powers off")

    def notes(self) -> dict[str, Any] | None:
        now, hz = self._now()
        if not (self.hp.running or self.lp.running or self.hp.base or self.lp.base or self._powered_off):
            return None
        notes: dict[str, Any] = {
            "hp_rtc": {"running": self.hp.running, "ticks": self.hp.value(now, hz)},
            "lp_srtc": {"running": self.lp.running, "ticks": self.lp.value(now, hz)},
        }
        ignored = self.hp.ignored_writes + self.lp.ignored_writes
        if ignored:
            notes["ignored_counter_writes"] = ignored
        if self._powered_off:
            notes["powered_off"] = True
        return notes
