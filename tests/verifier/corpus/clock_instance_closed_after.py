# expect: clock 16
# Another block's gate is closed by hand after the instance's gate was opened:
# the instance's own gate field is what the access needs.
from soc.imx6ul import ccm
from soc.imx6ul.regs import CCM, UART, UART2

from tamapy.fw import clock_enabled, requires


@requires(lambda uart: clock_enabled(uart))
def close_then_use(uart: UART) -> None:
    CCM.CCGR5.modify(CG9=0)
    uart.UCR1.write(UARTEN=1)
    if uart == UART2:
        CCM.CCGR0.modify(CG14=0)
    uart.UCR1.write(UARTEN=0)  # bug: the gate of UART2 was just closed


def main() -> None:
    ccm.enable_uart(UART2)
    close_then_use(UART2)
