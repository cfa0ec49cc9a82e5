"""SNVS real-time counters: the HP RTC (HPRTCMR/HPRTCLR, enabled by HPCR.RTC_EN)
and the LP secure RTC (LPSRTCMR/LPSRTCLR, enabled by LPCR.SRTC_ENV).

Both are 47-bit counters at 32.768 kHz (``TICK_HZ``): the MSB register
holds counter bits 46:32 in its bits 14:0, the LSB register bits 31:0;
seconds = ticks >> 15.  The LP counter keeps running on the coin cell, the
HP one only while the SoC is powered.  As the reference manual requires:

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

from typing import Final

from soc.imx6ul.regs import SNVS
from tamapy.fw import Array, clock_enabled, poll, requires, u32, u64

TICK_HZ: Final = 32_768
TICK_SHIFT: Final = 15
"""seconds = ticks >> TICK_SHIFT."""
MAX_TICKS: Final[u64] = 0x7FFF_FFFF_FFFF
"""The counters are 47 bits wide."""
MSB_MASK: Final = 0x7FFF
LSB_MASK: Final = 0xFFFF_FFFF
ENABLE_POLL_LIMIT: Final = 10_000
"""Reads of the enable bit: it follows within a few 32 kHz cycles (~100 us)."""
READ_ATTEMPTS: Final = 8
"""MSB/LSB/MSB rounds before a read gives up (one carry can spoil only one round)."""


@requires(lambda msb, lsb: msb <= MSB_MASK)
def combine(msb: u32, lsb: u32) -> u64:
    """The 47-bit count from its MSB (bits 46:32) and LSB (bits 31:0) parts."""
    return (u64(msb) << 32) | lsb


# ------------------------------------------------------------------ HP RTC


@requires(lambda: clock_enabled(SNVS))
def hp_start() -> bool:
    """Enable the HP RTC; True once HPCR.RTC_EN reads 1."""
    SNVS.HPCR.modify(RTC_EN=1)
    return poll(SNVS.HPCR.RTC_EN == 1, limit=ENABLE_POLL_LIMIT)


@requires(lambda: clock_enabled(SNVS))
def hp_stop() -> bool:
    """Disable the HP RTC; True once HPCR.RTC_EN reads 0."""
    SNVS.HPCR.modify(RTC_EN=0)
    return poll(SNVS.HPCR.RTC_EN == 0, limit=ENABLE_POLL_LIMIT)


@requires(lambda out: clock_enabled(SNVS))
def hp_read(out: Array[u64, 1]) -> bool:
    """``out[0]`` = the HP RTC count; False (and 0) if no two MSB reads agreed."""
    out[0] = 0
    for _ in range(0, READ_ATTEMPTS):
        msb: u32 = SNVS.HPRTCMR.RTC
        lsb: u32 = SNVS.HPRTCLR.RTC
        if SNVS.HPRTCMR.RTC == msb:
            out[0] = combine(msb, lsb)
            return True
    return False


@requires(lambda ticks: ticks <= MAX_TICKS and clock_enabled(SNVS))
def hp_set(ticks: u64) -> bool:
    """Stop the HP RTC, load ``ticks`` and start it again."""
    if not hp_stop():
        return False
    SNVS.HPRTCMR.write(RTC=u32((ticks >> 32) & MSB_MASK))
    SNVS.HPRTCLR.write(RTC=u32(ticks & LSB_MASK))
    return hp_start()


# ------------------------------------------------------------------ LP secure RTC


@requires(lambda: clock_enabled(SNVS))
def lp_start() -> bool:
    """Enable the LP secure RTC; True once LPCR.SRTC_ENV reads 1."""
    SNVS.LPCR.modify(SRTC_ENV=1)
    return poll(SNVS.LPCR.SRTC_ENV == 1, limit=ENABLE_POLL_LIMIT)


@requires(lambda: clock_enabled(SNVS))
def lp_stop() -> bool:
    """Disable the LP secure RTC; True once LPCR.SRTC_ENV reads 0."""
    SNVS.LPCR.modify(SRTC_ENV=0)
    return poll(SNVS.LPCR.SRTC_ENV == 0, limit=ENABLE_POLL_LIMIT)


@requires(lambda out: clock_enabled(SNVS))
def lp_read(out: Array[u64, 1]) -> bool:
    """``out[0]`` = the LP secure RTC count; False (and 0) if no two MSB reads agreed."""
    out[0] = 0
    for _ in range(0, READ_ATTEMPTS):
        msb: u32 = SNVS.LPSRTCMR.SRTC
        lsb: u32 = SNVS.LPSRTCLR.SRTC
        if SNVS.LPSRTCMR.SRTC == msb:
            out[0] = combine(msb, lsb)
            return True
    return False


@requires(lambda ticks: ticks <= MAX_TICKS and clock_enabled(SNVS))
def lp_set(ticks: u64) -> bool:
    """Stop the LP secure RTC, load ``ticks`` and start it again."""
    if not lp_stop():
        return False
    SNVS.LPSRTCMR.write(SRTC=u32((ticks >> 32) & MSB_MASK))
    SNVS.LPSRTCLR.write(SRTC=u32(ticks & LSB_MASK))
    return lp_start()


@requires(lambda ticks: ticks <= MAX_TICKS)
def seconds(ticks: u64) -> u64:
    """Whole seconds in ``ticks``."""
    return ticks >> TICK_SHIFT
