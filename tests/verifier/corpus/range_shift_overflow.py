# expect: range 7
# A left shift keeps the type of its left operand: x << 8 overflows a u16.
from tamapy.fw import u16


def to_high_byte(x: u16) -> u16:
    return x << 8  # bug: bits shifted out of the u16
