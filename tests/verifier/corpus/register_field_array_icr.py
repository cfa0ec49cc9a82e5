# expect: register 13
# An interrupt trigger code with one value too many for the 2-bit ICR element.
from typing import Final

from soc.imx6ul.regs import GPIO1
from tamapy.fw import clock_enabled, requires, u8, u32

EDGE_BOTH: Final = 4


@requires(lambda pin, mode: pin < 16 and mode <= EDGE_BOTH and clock_enabled(GPIO1))
def configure(pin: u32, mode: u8) -> None:
    GPIO1.ICR1.ICR.write(pin, mode)  # bug: mode 4 does not fit two bits
