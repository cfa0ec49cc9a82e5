# expect: proved
# Constant word tables are known exactly: the values read prove the sums, shifts and signs.
from typing import Final

from tamapy.fw import Array, View, ensures, i8, requires, u16, u32

BIAS: Final = 0x10
ROUND: Final[Array[u32, 4]] = Array[u32, 4](0x428A2F98, 0x71374491, 0xB5C0FBCF, 0xE9B5DBA5 + BIAS)
SHIFTS: Final = Array[u16, 3](1, 7, 13)
SIGNS: Final = Array[i8, 4](-128, -1, 0, 127)


@requires(lambda table, i: i < len(table))
@ensures(lambda table, i, result: result == table[i])
def pick(table: View[u32], i: u32) -> u32:
    return table[i]


@ensures(lambda result: result == 0xE9B5DBB5)
def last() -> u32:
    assert ROUND[0] + ROUND[1] == 0xB3C17429
    assert SHIFTS[2] < 32 and SIGNS[0] < SIGNS[1]
    x: u32 = ROUND[3] >> SHIFTS[2]
    assert x == 0xE9B5DBB5 >> 13
    return pick(ROUND, 3)
