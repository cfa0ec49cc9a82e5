# expect: shift 7
# Right shift of a byte by an unchecked amount.
from tamapy.fw import u8


def high_bits(b: u8, n: u8) -> u8:
    return b >> n  # bug: n may be 8 or more
