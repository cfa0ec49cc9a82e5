# expect: proved
# Gates opened one after another stay known (each call forgets only the gate
# fields it writes), and a driver takes the instance it works on.
from soc.imx6ul import ccm
from soc.imx6ul.regs import GPT1, UART, UART1, UART2

from tamapy.fw import clock_enabled, requires


@requires(lambda uart: clock_enabled(uart))
def start(uart: UART) -> None:
    uart.UCR1.write(UARTEN=1)


def main() -> None:
    ccm.enable_uart(UART1)
    ccm.enable_gpt1()
    ccm.enable_uart(UART2)
    start(UART1)
    start(UART2)
    GPT1.CR.modify(EN=1)
