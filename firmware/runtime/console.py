"""Console output on the board's console UART.

Output never blocks forever: a byte the UART refuses (transmitter stuck)
is dropped, so the firmware keeps running and its bounded waits hold.
"""

from typing import Final

from board import console as port
from tamapy.fw import Bytes, View, decreases, u8, u32

HEX_DIGITS: Final = b"0123456789abcdef"
NEWLINE: Final = 10


def init() -> bool:
    return port.init()


def board_name() -> None:
    """Print the name of the board this image was built for."""
    write(port.NAME)


def write(text: View[u8]) -> None:
    for i in range(0, len(text)):
        port.putc(text[i])


def newline() -> None:
    port.putc(NEWLINE)


def write_line(text: View[u8]) -> None:
    write(text)
    newline()


def write_hex(value: u32, digits: u32) -> None:
    """Print the low ``digits`` nibbles of ``value`` in lower-case hex (no prefix)."""
    for i in range(0, digits):
        shift: u32 = 4 * (digits - 1 - i)
        port.putc(HEX_DIGITS[(value >> shift) & 0xF])


def write_dec(value: u32) -> None:
    """Print ``value`` in decimal."""
    buf: Bytes[10] = Bytes[10]()
    n: u32 = 0
    rest: u32 = value
    while rest >= 10:
        decreases(rest)
        buf[n] = u8(rest % 10 + 48)
        rest = rest // 10
        n += 1
    buf[n] = u8(rest + 48)
    for i in range(0, n + 1):
        port.putc(buf[n - i])
