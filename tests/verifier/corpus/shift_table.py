# expect: shift 12
# Byte-lane shifts from a table whose last entry is the full width.
from typing import Final

from tamapy.fw import u32

LANE_SHIFT: Final = b"\x00\x08\x10\x18\x20"


def lane(word: u32, i: u32) -> u32:
    if i < 5:
        return (word >> LANE_SHIFT[i]) & 0xFF  # bug: LANE_SHIFT[4] is 32
    return 0
