"""SNVS real-time counters: the HP RTC (HPRTCMR/HPRTCLR, enabled by HPCR.RTC_EN)
and the LP secure RTC (LPSRTCMR/LPSRTCLR, enabled by LPCR.SRTC_ENV).

Both are 47-bit counters at 32.768 kHz (``TICK_HZ``): the MSB register
holds counter bits 46:32 in its bits 14:0, the LSB register bits 31:0;
seconds = ticks >> 15.  The LP counter keeps running on the coin cell, the
HP one only while the SoC is powered.  One function serves both: the spec
numbers them (``RTC_MSB[n]``, ``RTC_LSB[n]``, ``RTC_CTRL[n]``; n is a
``Counter``).  As the reference manual requires:

* a counter is read MSB, LSB, MSB until both MSB reads agree (the LSB may
  carry into the MSB between the reads), a bounded number of times;
* it is written only while disabled; enabling and disabling are confirmed
  by reading the enable bit back (bounded polls).

Every wait is bounded and reports failure as False.  The SNVS HP clock gate
(CCGR5.CG9, tracked) and LP gate (CCGR5.CG10, not expressible in the spec)
must be on: ``ccm.enable_snvs`` opens both.  LPCR is only ever changed with
read-modify-writes of SRTC_ENV, so DP_EN and TOP (power-off) are left alone.
QEMU 7.2 models neither counter (they read 0).
"""

from enum import IntEnum
from typing import Final

from soc.imx6ul.regs import SNVS
from tamapy.fw import Array, clock_enabled, poll, requires, u32, u64

TICK_SHIFT: Final = 15
"""seconds = ticks >> TICK_SHIFT."""
TICK_HZ: Final = 1 << TICK_SHIFT
MSB_MASK: Final = 0x7FFF
"""RTC_MSB.COUNT: bits 46:32 of a count."""
LSB_MASK: Final = 0xFFFF_FFFF
MAX_TICKS: Final[u64] = (MSB_MASK << 32) | LSB_MASK
"""The counters are 47 bits wide."""
ENABLE_POLL_LIMIT: Final = 10_000
"""Reads of the enable bit: it follows within a few 32 kHz cycles (~100 us)."""
READ_ATTEMPTS: Final = 8
"""MSB/LSB/MSB rounds before a read gives up (one carry can spoil only one round)."""


class Counter(IntEnum):
    """A counter, by its element number in the spec's RTC_MSB / RTC_LSB / RTC_CTRL arrays."""

    HP = 0
    LP = 1


@requires(lambda msb, lsb: msb <= MSB_MASK)
def combine(msb: u32, lsb: u32) -> u64:
    """The 47-bit count from its MSB (bits 46:32) and LSB (bits 31:0) parts."""
    return (u64(msb) << 32) | lsb


@requires(lambda counter, on: clock_enabled(SNVS))
def switch(counter: Counter, on: bool) -> bool:
    """Enable (``on``) or disable the counter; True once its enable bit reads back so."""
    level: u32 = 1 if on else 0
    if counter == Counter.HP:
        SNVS.HPCR.modify(RTC_EN=level)
    else:
        SNVS.LPCR.modify(SRTC_ENV=level)
    return poll(SNVS.RTC_CTRL[u32(counter)].ENABLE == level, limit=ENABLE_POLL_LIMIT)


@requires(lambda counter: clock_enabled(SNVS))
def start(counter: Counter) -> bool:
    return switch(counter, True)


@requires(lambda counter: clock_enabled(SNVS))
def stop(counter: Counter) -> bool:
    return switch(counter, False)


@requires(lambda counter, out: clock_enabled(SNVS))
def read(counter: Counter, out: Array[u64, 1]) -> bool:
    """``out[0]`` = the counter's count; False (and 0) if no two MSB reads agreed."""
    n: u32 = u32(counter)
    out[0] = 0
    for _ in range(0, READ_ATTEMPTS):
        msb: u32 = SNVS.RTC_MSB[n].COUNT
        lsb: u32 = SNVS.RTC_LSB[n].COUNT
        if SNVS.RTC_MSB[n].COUNT == msb:
            out[0] = combine(msb, lsb)
            return True
    return False


@requires(lambda counter, ticks: ticks <= MAX_TICKS and clock_enabled(SNVS))
def load(counter: Counter, ticks: u64) -> bool:
    """Stop the counter, load ``ticks`` and start it again."""
    if not stop(counter):
        return False
    msb: u32 = u32((ticks >> 32) & MSB_MASK)
    lsb: u32 = u32(ticks & LSB_MASK)
    if counter == Counter.HP:
        SNVS.HPRTCMR.write(RTC=msb)
        SNVS.HPRTCLR.write(RTC=lsb)
    else:
        SNVS.LPSRTCMR.write(SRTC=msb)
        SNVS.LPSRTCLR.write(SRTC=lsb)
    return start(counter)


@requires(lambda ticks: ticks <= MAX_TICKS)
def seconds(ticks: u64) -> u64:
    """Whole seconds in ``ticks``."""
    return ticks >> TICK_SHIFT
