# expect: precondition 20
# The instance passed to the driver is not the one whose gate was opened.
from soc.imx6ul import ccm
from soc.imx6ul.regs import UART, UART1, UART2

from tamapy.fw import clock_enabled, requires


@requires(lambda uart: clock_enabled(uart))
def start(uart: UART) -> None:
    uart.UCR1.write(UARTEN=1)


def pick(first: bool) -> UART:
    return UART1 if first else UART2


def main() -> None:
    ccm.enable_uart(UART1)
    start(pick(False))  # bug: UART2's gate is still off
