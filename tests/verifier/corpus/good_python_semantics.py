# expect: proved
# Python's floor division, modulo and arithmetic shift, as the verifier models them.
from tamapy.fw import i32


def floor_semantics(x: i32) -> i32:
    s: i32 = x >> 31
    assert s == 0 or s == -1
    assert (x >> 2) == x // 4
    m: i32 = x % 4
    assert 0 <= m < 4
    n: i32 = -7
    assert n // 2 == -4 and n % 2 == 1
    assert 7 // (0 - 2) == -4 and 7 % (0 - 2) == -1
    return s
