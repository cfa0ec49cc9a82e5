"""Clock gates (CCM CCGRn) of the blocks the i.MX6UL-family drivers use.

Each ``enable_*`` opens the gate(s) of one block with a read-modify-write
``CGk = 0b11`` (on in every mode but STOP) and promises ``clock_enabled`` of
the block, which every driver function of that block requires.

The verifier tracks every gate field on its own: a call of ``enable_x``
makes its caller forget only the gate fields ``enable_x`` writes, so gates
opened before stay known and each block has its own enable function, called
by whoever uses the block.  ``enable_uart`` takes the instance: one function
for every console and serial port, through ``enable_clock``, which opens the
gate the specs name for an instance.

Gates that the ``[clocks]`` tables cannot express are opened too but not
promised: the GPT1 serial gate (CCGR1.CG11), the SNVS LP gate (CCGR5.CG10)
and the AIPS-3 bus gate in front of the DCP and RNGB (CCGR6.CG9, on at
reset).  The RNGB has no gate of its own.
"""

from typing import Final

from soc.imx6ul.regs import CCM, DCP, GPT1, OCOTP, SNVS, UART, WDOG1, WDOG2, WDOG3
from tamapy.fw import clock_enabled, enable_clock, ensures

CLOCK_ON: Final = 0b11
"""CCGR gate value: on in RUN and WAIT, off in STOP (what TamaGo and Linux write)."""


@ensures(lambda: clock_enabled(GPT1))
def enable_gpt1() -> None:
    """GPT1 bus (CCGR1.CG10) and serial (CCGR1.CG11) clocks: the counter needs both."""
    CCM.CCGR1.modify(CG10=CLOCK_ON, CG11=CLOCK_ON)


@ensures(lambda: clock_enabled(WDOG1) and clock_enabled(WDOG2) and clock_enabled(WDOG3))
def enable_wdogs() -> None:
    """The three watchdogs (CCGR3.CG8, CCGR5.CG5, CCGR6.CG10): each has a power-down
    counter to stop after reset (``wdog.disable_all_power_down``), so they open together."""
    CCM.CCGR3.modify(CG8=CLOCK_ON)
    CCM.CCGR5.modify(CG5=CLOCK_ON)
    CCM.CCGR6.modify(CG10=CLOCK_ON)


@ensures(lambda: clock_enabled(OCOTP))
def enable_ocotp() -> None:
    CCM.CCGR2.modify(CG6=CLOCK_ON)


@ensures(lambda: clock_enabled(SNVS))
def enable_snvs() -> None:
    """SNVS HP (CCGR5.CG9, the gate the spec tracks) and LP (CCGR5.CG10) clocks."""
    CCM.CCGR5.modify(CG9=CLOCK_ON, CG10=CLOCK_ON)


@ensures(lambda: clock_enabled(DCP))
def enable_dcp() -> None:
    """The AIPS-3 bus (CCGR6.CG9) the DCP and RNGB sit behind, then the DCP (CCGR0.CG5).

    Only call this on an i.MX6ULL/ULZ (``soc.has_dcp()``): on the i.MX6UL
    CCGR0.CG5 clocks the CAAM instead, which is harmless, but the DCP is not there.
    """
    CCM.CCGR6.modify(CG9=CLOCK_ON)
    CCM.CCGR0.modify(CG5=CLOCK_ON)


@ensures(lambda uart: clock_enabled(uart))
def enable_uart(uart: UART) -> None:
    """The gate of whichever UART instance ``uart`` is: ``enable_clock`` opens the one the
    specs' ``[clocks]`` table names for it (CCGR5.CG12 for UART1, CCGR0.CG14 for UART2, ...)."""
    enable_clock(uart)
