# expect: clock 11
# Echo from UART1 to UART2 while only UART1 is known to be clocked.
from soc.imx6ul.regs import UART1, UART2

from tamapy.fw import clock_enabled, requires, u8


@requires(lambda: clock_enabled(UART1))
def echo() -> None:
    ch: u8 = UART1.URXD.RX_DATA
    UART2.UTXD.write(TX_DATA=ch)  # bug: UART2's clock gate may be off
