# expect: register 10
# Restoring a saved control register from an unchecked 32-bit value.
from soc.imx6ul.regs import UART1

from tamapy.fw import clock_enabled, requires, u32


@requires(lambda saved: clock_enabled(UART1))
def restore_ucr1(saved: u32) -> None:
    UART1.UCR1.write(saved)  # bug: bits 31:16 are reserved and must be written as 0
