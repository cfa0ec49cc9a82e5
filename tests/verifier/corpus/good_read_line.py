# expect: proved
# Receiving into a buffer until a newline or until it is full.
from soc.imx6ul.regs import UART1

from tamapy.fw import Bytes, clock_enabled, ensures, invariant, poll, requires, u8, u32


@requires(lambda buf: clock_enabled(UART1))
@ensures(lambda buf, result: result <= 32)
def read_line(buf: Bytes[32]) -> u32:
    n: u32 = 0
    for i in range(0, 32):
        invariant(n == i)
        if not poll(UART1.USR2.RDR == 1, limit=100000):
            return n
        ch: u8 = UART1.URXD.RX_DATA
        if ch == 10:
            return n
        buf[n] = ch
        n = n + 1
    return n
