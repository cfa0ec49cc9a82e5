# expect: precondition 14
# Calling a console routine before the console clock was opened.
from soc.imx6ul.regs import UART1

from tamapy.fw import clock_enabled, requires, u8


@requires(lambda ch: clock_enabled(UART1))
def putc(ch: u8) -> None:
    UART1.UTXD.write(TX_DATA=ch)


def greet() -> None:
    putc(72)  # bug: UART1's clock gate was never opened
