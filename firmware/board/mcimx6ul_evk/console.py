"""The EVK's console: UART1, clock gate CCGR5 CG12."""

from typing import Final

from soc.imx6ul import uart
from soc.imx6ul.regs import CCM, UART1
from tamapy.fw import u8

NAME: Final = b"MCIMX6UL-EVK"
CLOCK_ON: Final = 0b11


def init() -> bool:
    """Open the UART1 clock gate, then set the UART up."""
    CCM.CCGR5.modify(CG12=CLOCK_ON)
    return uart.init(UART1)


def putc(ch: u8) -> bool:
    return uart.putc(UART1, ch)
