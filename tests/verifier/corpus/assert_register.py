# expect: assert 10
# Assuming the RX FIFO holds data without waiting for it.
from soc.imx6ul.regs import UART1

from tamapy.fw import clock_enabled, requires, u8


@requires(lambda: clock_enabled(UART1))
def rx_byte() -> u8:
    assert UART1.USR2.RDR == 1  # bug: the RX FIFO may be empty
    return UART1.URXD.RX_DATA
