# expect: clock 14
# enable_clock opens the gate of the instance it is given, and only that one.
from soc.imx6ul.regs import UART, UART2
from tamapy.fw import enable_clock, u8


def open_port(uart: UART) -> None:
    enable_clock(uart)


def send(uart: UART, ch: u8) -> None:
    enable_clock(uart)
    uart.UTXD.write(TX_DATA=ch)
    UART2.UTXD.write(TX_DATA=ch)  # bug: uart may be another UART; UART2's gate may be closed
