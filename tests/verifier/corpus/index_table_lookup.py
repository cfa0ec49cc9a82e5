# expect: index 11
# A hex-digit table that is missing its last entry.
from typing import Final

from tamapy.fw import u8, u32

HEX: Final = b"0123456789abcde"


def digit_char(v: u32) -> u8:
    return HEX[v & 0xF]  # bug: the table has 15 entries, v & 0xF can be 15
