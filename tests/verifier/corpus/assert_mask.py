# expect: assert 8
# The high nibble of a byte goes up to 15.
from tamapy.fw import u8


def high_nibble(x: u8) -> u8:
    h: u8 = (x & 0xF0) >> 4
    assert h < 8  # bug: h may be 8..15
    return h
