# expect: register 10
# The one-millisecond count is a 24-bit field; a reference in kHz may not fit.
from soc.imx6ul.regs import UART1

from tamapy.fw import clock_enabled, requires, u32


@requires(lambda ref_khz: clock_enabled(UART1))
def set_one_ms(ref_khz: u32) -> None:
    UART1.ONEMS.write(ONEMS=ref_khz)  # bug: ONEMS has 24 bits
