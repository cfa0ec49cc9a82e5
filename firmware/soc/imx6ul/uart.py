"""Polled driver for the i.MX6UL UART, for any of its instances.

Every wait is bounded: a UART that never becomes ready makes the call
return False instead of hanging the firmware.
"""

from typing import Final

from soc.imx6ul.regs import UART
from tamapy.fw import clock_enabled, decreases, poll, requires, u8, u32

REF_CLOCK_HZ: Final = 80_000_000 // 2
"""UART_CLK_ROOT (80 MHz from PLL3 at reset) divided by RFDIV = 2."""
BAUD: Final = 115_200
RFDIV_DIV2: Final = 0b100
RESET_POLL_LIMIT: Final = 10_000
TX_POLL_LIMIT: Final = 1_000_000


@requires(lambda uart: clock_enabled(uart))
def init(uart: UART) -> bool:
    """Reset the UART and set it up for 115200 8N1 without flow control."""
    uart.UCR1.write(UARTEN=0)
    uart.UCR2.write(SRST=0)
    if not poll(uart.UCR2.SRST == 1, limit=RESET_POLL_LIMIT):
        return False
    uart.UCR3.write(DSR=1, DCD=1, RI=1, ADNIMP=1, RXDMUXSEL=1)
    uart.UFCR.write(RFDIV=RFDIV_DIV2, TXTL=2, RXTL=1)
    uart.UBIR.write(INC=15)
    uart.UBMR.write(MOD=REF_CLOCK_HZ // BAUD - 1)
    uart.UCR4.write(CTSTL=32)
    uart.UCR2.write(WS=1, TXEN=1, RXEN=1, SRST=1, IRTS=1)
    uart.UCR1.write(UARTEN=1)
    return True


@requires(lambda uart: clock_enabled(uart))
def putc(uart: UART, ch: u8) -> bool:
    """Queue one byte; False if the transmit FIFO stayed full."""
    if not poll(uart.UTS.TXFULL == 0, limit=TX_POLL_LIMIT):
        return False
    uart.UTXD.write(TX_DATA=ch)
    return True


NO_BYTE: Final = 0x100
"""getc's result when no byte arrived in time (every real byte is below it)."""
RX_ERROR_BITS: Final = 0x7C00
"""URXD bits 14:10: error, overrun, framing, break, parity."""


@requires(lambda uart, limit: clock_enabled(uart))
def getc(uart: UART, limit: u32) -> u32:
    """The next received byte, polling RDR at most ``limit`` times; NO_BYTE if none
    arrived or it came with a receive error (the byte is dropped, as Linux does)."""
    waited: u32 = 0
    while waited < limit:
        decreases(limit - waited)
        if uart.USR2.RDR == 1:
            data: u32 = uart.URXD.read()
            if data & RX_ERROR_BITS != 0:
                return NO_BYTE
            return data & 0xFF
        waited += 1
    return NO_BYTE
