"""The watchdogs (WDOG1..3, 16-bit registers); WDOG1 is the system watchdog.

* Out of reset every WDOG runs a 16 s power-down counter that resets the SoC
  unless WMCR.PDE is written 0 (write-once): ``disable_power_down`` does it,
  ``disable_all_power_down`` for the three instances.
* ``start(wdog, timeout_ms)`` writes the time-out ((WT + 1) x 0.5 s, so 500 ms
  to 128 s in 500 ms steps, rounded down) and WCR.WDT (assert WDOG_B on
  time-out) in one write, then sets WCR.WDE.  WDE cannot be cleared again
  until reset, and WDZST/WDBG/WDT/WDW are locked by the first WCR write, so
  WDT must be in it.
* ``kick(wdog)`` writes the service sequence 0x5555, 0xAAAA to WSR.

WCR.SRS and WCR.WDA must be written 1: a 0 requests a software reset or
asserts WDOG_B.  Whole writes leave them at their reset value (1) and
``modify`` writes back what they read (1).
"""

from typing import Final

from soc.imx6ul.regs import WDOG, WDOG1, WDOG2, WDOG3
from tamapy.fw import clock_enabled, requires, u32

SERVICE_1: Final = 0x5555
SERVICE_2: Final = 0xAAAA
STEP_MS: Final = 500
"""WCR.WT counts half seconds: time-out = (WT + 1) x 500 ms."""
MIN_TIMEOUT_MS: Final = STEP_MS
"""WT = 0."""
MAX_TIMEOUT_MS: Final = 256 * STEP_MS
"""WT = 255 (the field's 8 bits all set)."""
SYSTEM: Final = WDOG1
"""The system watchdog (``init``, ``service``)."""


@requires(lambda wdog: clock_enabled(wdog))
def disable_power_down(wdog: WDOG) -> None:
    """Stop the 16 s power-down counter (WMCR.PDE = 0, write-once)."""
    wdog.WMCR.write(PDE=0)


@requires(lambda: clock_enabled(WDOG1) and clock_enabled(WDOG2) and clock_enabled(WDOG3))
def disable_all_power_down() -> None:
    """What every firmware must do within 16 s of reset, for all three watchdogs."""
    disable_power_down(WDOG1)
    disable_power_down(WDOG2)
    disable_power_down(WDOG3)


@requires(lambda wdog, timeout_ms: MIN_TIMEOUT_MS <= timeout_ms and timeout_ms <= MAX_TIMEOUT_MS
          and clock_enabled(wdog))
def start(wdog: WDOG, timeout_ms: u32) -> None:
    """Enable ``wdog`` with a time-out of ``timeout_ms`` rounded down to 500 ms steps.
    It cannot be stopped again before the next reset; service it with ``kick``.

    As Linux does: the time-out and WDT (write-once, so in the first write) with the
    watchdog still disabled, then the same with WDE set."""
    wt: u32 = timeout_ms // STEP_MS - 1
    wdog.WCR.write(WT=wt, WDT=1)
    wdog.WCR.write(WT=wt, WDT=1, WDE=1)


@requires(lambda wdog: clock_enabled(wdog))
def kick(wdog: WDOG) -> None:
    """Service ``wdog``: its countdown restarts from the time-out."""
    wdog.WSR.write(WSR=SERVICE_1)
    wdog.WSR.write(WSR=SERVICE_2)


@requires(lambda wdog: clock_enabled(wdog))
def timed_out(wdog: WDOG) -> bool:
    """Whether the last reset was a time-out of ``wdog`` (WRSR.TOUT)."""
    return wdog.WRSR.TOUT == 1


@requires(lambda timeout_ms: MIN_TIMEOUT_MS <= timeout_ms and timeout_ms <= MAX_TIMEOUT_MS
          and clock_enabled(WDOG1))
def init(timeout_ms: u32) -> None:
    """The system watchdog: power-down counter off, then running with ``timeout_ms``."""
    disable_power_down(SYSTEM)
    start(SYSTEM, timeout_ms)


@requires(lambda: clock_enabled(WDOG1))
def service() -> None:
    """Service the system watchdog."""
    kick(SYSTEM)
