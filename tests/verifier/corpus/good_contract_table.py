# expect: proved
# A pre-condition that reads a constant table, established by the caller.
from typing import Final

from tamapy.fw import requires, u8, u32

DIVISORS: Final = b"\x01\x02\x04\x08"


@requires(lambda value, i: i < 4 and DIVISORS[i] != 0)
def scaled(value: u8, i: u32) -> u8:
    return value // DIVISORS[i]


def eighth(value: u8) -> u8:
    return scaled(value, 3)
