# expect: clock 7
# A status read in a function that does not require the clock to be on.
from soc.imx6ul.regs import UART1


def tx_done() -> bool:
    return UART1.USR2.TXDC == 1  # bug: no @requires(lambda: clock_enabled(UART1))
