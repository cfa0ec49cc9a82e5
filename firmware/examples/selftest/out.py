"""Console output for the self-test that notices a dead transmitter.

``runtime.console`` drops a byte the UART refuses and carries on, which is
right for short messages; but every refused byte costs the UART driver's
whole bounded wait (a million status polls).  The self-test prints a few
kilobytes, so after the first refused byte it stops sending altogether:
``alive()`` turns False and stays False, and the application then stops
serving (see main.py).
"""

from typing import Final

from board import console as port
from crypto import api
from tamapy.fw import Bytes, View, clock_enabled, invariant, requires, u8, u32

HEX_DIGITS: Final = b"0123456789abcdef"
NEWLINE: Final = 10
MAX_DEC_DIGITS: Final = 10

sending: bool = True
"""No byte has been refused yet."""


def alive() -> bool:
    """Whether the console still takes bytes."""
    return sending


@requires(lambda ch: clock_enabled(port.PORT))
def putc(ch: u8) -> None:
    global sending
    if sending:
        if not port.putc(ch):
            sending = False


@requires(lambda text: clock_enabled(port.PORT))
def write(text: View[u8]) -> None:
    for i in range(0, len(text)):
        putc(text[i])


@requires(lambda: clock_enabled(port.PORT))
def newline() -> None:
    putc(NEWLINE)


@requires(lambda text: clock_enabled(port.PORT))
def line(text: View[u8]) -> None:
    write(text)
    newline()


@requires(lambda value, digits: digits <= 8 and clock_enabled(port.PORT))
def hex_word(value: u32, digits: u32) -> None:
    """The low ``digits`` nibbles of ``value``, lower-case, no prefix."""
    for i in range(0, digits):
        shift: u32 = 4 * (digits - 1 - i)
        putc(HEX_DIGITS[(value >> shift) & 0xF])


@requires(lambda data: clock_enabled(port.PORT))
def hex_bytes(data: View[u8]) -> None:
    """Each byte of ``data`` as two lower-case hex digits, in order."""
    for i in range(0, len(data)):
        putc(HEX_DIGITS[data[i] >> 4])
        putc(HEX_DIGITS[data[i] & 0xF])


@requires(lambda value: clock_enabled(port.PORT))
def dec(value: u32) -> None:
    """``value`` in decimal."""
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


@requires(lambda status: clock_enabled(port.PORT))
def status_name(status: api.CryptoStatus) -> None:
    """The name of a crypto status, as in specs/interfaces/crypto.toml."""
    if status == api.CryptoStatus.OK:
        write(b"OK")
    elif status == api.CryptoStatus.UNAVAILABLE:
        write(b"UNAVAILABLE")
    elif status == api.CryptoStatus.ENGINE_ERROR:
        write(b"ENGINE_ERROR")
    elif status == api.CryptoStatus.TIMEOUT:
        write(b"TIMEOUT")
    elif status == api.CryptoStatus.BAD_INPUT:
        write(b"BAD_INPUT")
    else:
        write(b"UNHEALTHY")

