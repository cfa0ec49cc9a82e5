"""The USB armory Mk II console: UART2, clock gate CCGR0 CG14."""

from typing import Final

from soc.imx6ul import uart
from soc.imx6ul.regs import CCM, UART2
from tamapy.fw import clock_enabled, ensures, requires, u8, u32

NAME: Final = b"USB armory Mk II"
CLOCK_ON: Final = 0b11
PORT: Final = UART2
"""The console UART, for contracts of board-independent code."""


@ensures(lambda result: clock_enabled(PORT))
def init() -> bool:
    """Open the UART2 clock gate, then set the UART up."""
    CCM.CCGR0.modify(CG14=CLOCK_ON)
    return uart.init(PORT)


@requires(lambda: clock_enabled(PORT))
def putc(ch: u8) -> bool:
    return uart.putc(PORT, ch)


@requires(lambda limit: clock_enabled(PORT))
def getc(limit: u32) -> u32:
    """A received byte, or uart.NO_BYTE after ``limit`` polls."""
    return uart.getc(PORT, limit)
