"""The USB armory Mk II console: UART2, clock gate CCGR0 CG14."""

from typing import Final

from soc.imx6ul import uart
from soc.imx6ul.regs import CCM, UART2
from tamapy.fw import u8

NAME: Final = b"USB armory Mk II"
CLOCK_ON: Final = 0b11


def init() -> bool:
    """Open the UART2 clock gate, then set the UART up."""
    CCM.CCGR0.modify(CG14=CLOCK_ON)
    return uart.init(UART2)


def putc(ch: u8) -> bool:
    return uart.putc(UART2, ch)
