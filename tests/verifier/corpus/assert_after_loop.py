# expect: assert 12
# All sixteen bytes may be zero.
from tamapy.fw import Bytes, invariant, u32


def count_zero(data: Bytes[16]) -> u32:
    n: u32 = 0
    for i in range(0, 16):
        invariant(n <= i)
        if data[i] == 0:
            n = n + 1
    assert n < 16  # bug: n == 16 is possible
    return n
