"""Hexadecimal text <-> bytes, with error results instead of exceptions.

``decode(text, out)`` turns pairs of hex digits (either case) into bytes in
``out[0:result]`` and returns the byte count (0 .. MAX_BYTES), or a code above
MAX_BYTES: ``BAD_DIGIT`` (a character that is not a hex digit), ``ODD_LENGTH``
(an odd number of digits) or ``TOO_LONG`` (more than MAX_BYTES bytes).  Checks
come in that order of cost: length first, so nothing is written for a text
that is too long or odd; on BAD_DIGIT ``out`` may hold the bytes before the
bad digit.  The proved post-condition says the count is exactly half the
text's length.

``encode(data, out)`` writes ``2 * len(data)`` lower-case digits.
"""

from typing import Final

from tamapy.fw import Bytes, View, ensures, requires, u8, u32

MAX_BYTES: Final = 256
"""Largest decoded size (the size of ``decode``'s output array)."""
BAD_DIGIT: Final = 0x1_0000
ODD_LENGTH: Final = 0x1_0001
TOO_LONG: Final = 0x1_0002
NOT_HEX: Final = 0x10
"""``digit``'s result for a character that is not a hex digit."""
DIGITS: Final = b"0123456789abcdef"


@ensures(lambda ch, result: result <= NOT_HEX)
def digit(ch: u8) -> u32:
    """The value of hex digit ``ch`` (0-9, a-f, A-F), or NOT_HEX."""
    if 0x30 <= ch and ch <= 0x39:
        return ch - 0x30
    if 0x61 <= ch and ch <= 0x66:
        return ch - 0x61 + 10
    if 0x41 <= ch and ch <= 0x46:
        return ch - 0x41 + 10
    return NOT_HEX


@ensures(lambda text, out, result: (result <= MAX_BYTES and 2 * result == len(text))
         or result == BAD_DIGIT or result == ODD_LENGTH or result == TOO_LONG)
def decode(text: View[u8], out: Bytes[256]) -> u32:
    """``out[0:result]`` = the bytes spelled by ``text``; see the module docstring."""
    n: u32 = len(text)
    if n % 2 != 0:
        return ODD_LENGTH
    if n > 2 * MAX_BYTES:
        return TOO_LONG
    count: u32 = n // 2
    for i in range(0, count):
        high: u32 = digit(text[2 * i])
        low: u32 = digit(text[2 * i + 1])
        if high >= NOT_HEX or low >= NOT_HEX:
            return BAD_DIGIT
        out[i] = u8(high * 16 + low)
    return count


@requires(lambda value: value < 16)
def nibble(value: u32) -> u8:
    """The lower-case hex digit of ``value``."""
    return DIGITS[value]


@requires(lambda data, out: len(data) <= MAX_BYTES)
def encode(data: View[u8], out: Bytes[512]) -> u32:
    """``out[0:2 * len(data)]`` = ``data`` in lower-case hex; returns ``2 * len(data)``."""
    n: u32 = len(data)
    for i in range(0, n):
        out[2 * i] = nibble(u32(data[i]) >> 4)
        out[2 * i + 1] = nibble(u32(data[i]) & 0xF)
    return 2 * n
