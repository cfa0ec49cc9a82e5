# expect: register 10
# The RX FIFO threshold is a 6-bit field; a byte is written to it unmasked.
from soc.imx6ul.regs import UART1

from tamapy.fw import clock_enabled, requires, u8


@requires(lambda level: clock_enabled(UART1))
def set_rx_threshold(level: u8) -> None:
    UART1.UFCR.modify(RXTL=level)  # bug: RXTL has 6 bits
