# expect: postcondition 11
# Promises any instance's clock, opens only UART1's.
from soc.imx6ul.regs import CCM, UART

from tamapy.fw import clock_enabled, ensures


@ensures(lambda uart, result: clock_enabled(uart))
def open_port(uart: UART) -> bool:
    CCM.CCGR5.modify(CG12=3)
    return True  # bug: only UART1's gate (CCGR5.CG12) was opened
