# expect: division 10
# A divisor read from a register that may read back as zero.
from soc.imx6ul.regs import UART1

from tamapy.fw import clock_enabled, requires, u16


@requires(lambda: clock_enabled(UART1))
def brm_ratio() -> u16:
    return UART1.UBMR.MOD % UART1.UBIR.INC  # bug: INC may read as zero
