# expect: precondition 16
# Sending on UART2 while only UART1 is known to be clocked.
from soc.imx6ul.regs import UART, UART1, UART2

from tamapy.fw import clock_enabled, requires, u8


@requires(lambda uart, ch: clock_enabled(uart))
def send(uart: UART, ch: u8) -> None:
    uart.UTXD.write(TX_DATA=ch)


@requires(lambda ch: clock_enabled(UART1))
def send_both(ch: u8) -> None:
    send(UART1, ch)
    send(UART2, ch)  # bug: UART2's clock is not known to be on
