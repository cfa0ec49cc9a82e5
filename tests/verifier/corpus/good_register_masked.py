# expect: proved
# Computed register field values masked to their widths.
from soc.imx6ul.regs import UART1

from tamapy.fw import clock_enabled, requires, u8, u32


@requires(lambda rx_level, tx_level: clock_enabled(UART1))
def set_fifo(rx_level: u32, tx_level: u32) -> None:
    UART1.UFCR.write(RXTL=rx_level & 0x3F, TXTL=tx_level & 0x3F, RFDIV=4)


@requires(lambda frames: clock_enabled(UART1))
def set_idle(frames: u8) -> None:
    UART1.UCR1.modify(ICD=(frames >> 2) & 0x3)


@requires(lambda ms: clock_enabled(UART1))
def set_escape_timer(ms: u32) -> None:
    if ms > 0xFFF:
        UART1.UTIM.write(TIM=0xFFF)
    else:
        UART1.UTIM.write(TIM=ms)
