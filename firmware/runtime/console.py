"""Console output on the board's console UART.

Output never blocks forever: when the UART refuses a byte (transmitter
stuck) the byte is dropped and, as every refusal costs the driver's whole
bounded wait, nothing more is sent until the console is initialised again;
``alive()`` tells whether output still goes out.
The board package names the UART (``board.console.PORT``).  Every output
function requires the console UART's clock gate to be on,
which ``init`` establishes.
"""

from typing import Final

from board import console as port
from soc.imx6ul import ccm, uart
from tamapy.fw import Bytes, View, clock_enabled, ensures, invariant, requires, u8, u32

HEX_DIGITS: Final = b"0123456789abcdef"
NEWLINE: Final = 10
MAX_DEC_DIGITS: Final = 10
"""A u32 has at most ten decimal digits."""


sending: bool = True
"""No byte has been refused since the console was initialised."""


@ensures(lambda result: clock_enabled(port.PORT))
def init() -> bool:
    """Open the console UART's clock gate, then set the UART up."""
    global sending
    ccm.enable_uart(port.PORT)
    ready: bool = uart.init(port.PORT)
    sending = ready
    return ready


def alive() -> bool:
    """Whether the console still takes bytes."""
    return sending


@requires(lambda ch: clock_enabled(port.PORT))
def putc(ch: u8) -> None:
    global sending
    if sending:
        if not uart.putc(port.PORT, ch):
            sending = False


@requires(lambda: clock_enabled(port.PORT))
def board_name() -> None:
    """Print the name of the board this image was built for."""
    write(port.NAME)


@requires(lambda text: clock_enabled(port.PORT))
def write(text: View[u8]) -> None:
    for i in range(0, len(text)):
        putc(text[i])


@requires(lambda: clock_enabled(port.PORT))
def newline() -> None:
    putc(NEWLINE)


@requires(lambda text: clock_enabled(port.PORT))
def write_line(text: View[u8]) -> None:
    write(text)
    newline()


@requires(lambda value, digits: digits <= 8 and clock_enabled(port.PORT))
def write_hex(value: u32, digits: u32) -> None:
    """Print the low ``digits`` nibbles of ``value`` in lower-case hex (no prefix)."""
    for i in range(0, digits):
        shift: u32 = 4 * (digits - 1 - i)
        putc(HEX_DIGITS[(value >> shift) & 0xF])


@requires(lambda value: clock_enabled(port.PORT))
def write_dec(value: u32) -> None:
    """Print ``value`` in decimal."""
    buf: Bytes[10] = Bytes[10]()
    count: u32 = 0
    rest: u32 = value
    for n in range(0, MAX_DEC_DIGITS):
        invariant(count <= n)
        buf[n] = u8(rest % 10 + 48)
        count = n + 1
        rest = rest // 10
        if rest == 0:
            break
    for i in range(0, count):
        invariant(count <= MAX_DEC_DIGITS)
        putc(buf[count - 1 - i])


@requires(lambda data: clock_enabled(port.PORT))
def write_hex_bytes(data: View[u8]) -> None:
    """Each byte of ``data`` as two lower-case hex digits, in order."""
    for i in range(0, len(data)):
        putc(HEX_DIGITS[data[i] >> 4])
        putc(HEX_DIGITS[data[i] & 0xF])
