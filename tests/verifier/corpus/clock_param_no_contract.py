# expect: clock 7
# A driver for any UART instance that forgot its clock contract.
from soc.imx6ul.regs import UART


def enable(uart: UART) -> None:
    uart.UCR1.write(UARTEN=1)  # bug: no @requires(lambda uart: clock_enabled(uart))
