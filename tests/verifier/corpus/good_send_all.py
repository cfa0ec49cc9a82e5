# expect: proved
# A transmit loop: bounded waits inside a loop with a measure.
from soc.imx6ul.regs import UART1

from tamapy.fw import View, clock_enabled, decreases, ensures, invariant, poll, requires, u8, u32


@requires(lambda text: clock_enabled(UART1))
@ensures(lambda text, result: result <= len(text))
def send_all(text: View[u8]) -> u32:
    i: u32 = 0
    while i < len(text):
        invariant(i <= len(text))
        decreases(len(text) - i)
        if not poll(UART1.UTS.TXFULL == 0, limit=10000):
            return i
        UART1.UTXD.write(TX_DATA=text[i])
        i = i + 1
    return i
