# expect: proved
# enable_clock opens the gate the specs name for an instance parameter: every UART
# is covered, and a gate opened before stays open.
from soc.imx6ul.regs import UART, UART2
from tamapy.fw import clock_enabled, enable_clock, ensures, u8


@ensures(lambda uart: clock_enabled(uart))
def open_port(uart: UART) -> None:
    enable_clock(uart)


def send(uart: UART, ch: u8) -> None:
    enable_clock(UART2)
    open_port(uart)
    uart.UTXD.write(TX_DATA=ch)
    UART2.UTXD.write(TX_DATA=ch)
