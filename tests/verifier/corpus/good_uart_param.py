# expect: proved
# A driver for any UART instance, with the clock contract on the parameter.
from soc.imx6ul.regs import UART, UART1

from tamapy.fw import View, clock_enabled, ensures, invariant, poll, requires, u8, u32


@requires(lambda uart, ch: clock_enabled(uart))
def send(uart: UART, ch: u8) -> bool:
    if not poll(uart.UTS.TXFULL == 0, limit=100000):
        return False
    uart.UTXD.write(TX_DATA=ch)
    return True


@requires(lambda uart, text: clock_enabled(uart))
@ensures(lambda uart, text, result: result <= len(text))
def write(uart: UART, text: View[u8]) -> u32:
    sent: u32 = 0
    for i in range(0, len(text)):
        invariant(sent <= i)
        if send(uart, text[i]):
            sent = sent + 1
    return sent


@requires(lambda: clock_enabled(UART1))
def hello() -> u32:
    return write(UART1, b"hello")
