"""Software reset through the system watchdog (WDOG1 WCR.SRS)."""

from soc.imx6ul.regs import WDOG1
from tamapy.fw import clock_enabled, requires


@requires(lambda: clock_enabled(WDOG1))
def request() -> None:
    """Write WCR.SRS = 0: the i.MX6 resets the SoC (the simulator ends the run with
    stop reason ``reset``; QEMU 7.2 resets only if WCR.WDA is 0 too, so there nothing
    happens).  The other WCR bits are written back as read: WDE stays set and the
    write-once bits keep their values."""
    WDOG1.WCR.modify(SRS=0)
