# expect: clock 10
# Polling the status of the wrong UART.
from soc.imx6ul.regs import UART1, UART2

from tamapy.fw import clock_enabled, poll, requires


@requires(lambda: clock_enabled(UART1))
def wait_tx_done() -> bool:
    return poll(UART2.USR2.TXDC == 1, limit=1000)  # bug: UART2's clock is not known to be on
