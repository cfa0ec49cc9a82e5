# expect: proved
# Printing nibbles through a table; the shift amount is proven below 32.
from typing import Final

from tamapy.fw import Bytes, requires, u8, u32

HEX: Final = b"0123456789abcdef"


@requires(lambda value, k: k < 8)
def hex_char(value: u32, k: u32) -> u8:
    return HEX[(value >> (4 * k)) & 0xF]


def to_hex(value: u32, out: Bytes[8]) -> None:
    for i in range(0, 8):
        out[i] = hex_char(value, 7 - i)
