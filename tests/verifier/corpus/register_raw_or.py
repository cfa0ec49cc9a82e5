# expect: register 10
# Extra control bits OR-ed into a raw write without a mask.
from soc.imx6ul.regs import UART1

from tamapy.fw import clock_enabled, requires, u32


@requires(lambda extra: clock_enabled(UART1))
def enable_with(extra: u32) -> None:
    UART1.UCR2.write(extra | 0x0007)  # bug: extra may set reserved bits 31:16
