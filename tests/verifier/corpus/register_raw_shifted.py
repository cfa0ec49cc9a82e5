# expect: register 10
# The escape character is bits 7:0, but it is shifted into reserved bits.
from soc.imx6ul.regs import UART1

from tamapy.fw import clock_enabled, requires, u8, u32


@requires(lambda ch: clock_enabled(UART1))
def set_escape(ch: u8) -> None:
    UART1.UESC.write(u32(ch) << 8)  # bug: bits 15:8 of UESC are reserved
