# expect: register 10
# A computed value for the 2-bit idle-condition field.
from soc.imx6ul.regs import UART1

from tamapy.fw import clock_enabled, requires, u8


@requires(lambda frames: clock_enabled(UART1))
def set_idle_length(frames: u8) -> None:
    UART1.UCR1.modify(ICD=frames >> 2)  # bug: frames >> 2 can be up to 63; ICD has 2 bits
