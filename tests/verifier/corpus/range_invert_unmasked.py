# expect: range 7
# `~x` of an unsigned value is negative in Python: unmasked, it fits no unsigned type.
from tamapy.fw import u16


def complement(x: u16) -> u16:
    y: u16 = ~x  # bug: missing `& 0xFFFF`
    return y
