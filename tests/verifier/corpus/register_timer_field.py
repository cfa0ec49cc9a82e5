# expect: register 10
# The escape timer is a 12-bit field.
from soc.imx6ul.regs import UART1

from tamapy.fw import clock_enabled, requires, u16


@requires(lambda ms: clock_enabled(UART1))
def set_escape_timer(ms: u16) -> None:
    UART1.UTIM.write(TIM=ms)  # bug: TIM has 12 bits
