# expect: proved
# Raw whole-register writes whose reserved bits are proven zero.
from soc.imx6ul.regs import UART1

from tamapy.fw import clock_enabled, requires, u8, u32


@requires(lambda saved: clock_enabled(UART1))
def restore_ucr1(saved: u32) -> None:
    UART1.UCR1.write(saved & 0xFFFF)


@requires(lambda ch: clock_enabled(UART1))
def set_escape(ch: u8) -> None:
    UART1.UESC.write(u32(ch))


@requires(lambda ticks: clock_enabled(UART1))
def set_one_ms(ticks: u32) -> None:
    UART1.ONEMS.write(ticks & 0xFFFFFF)
