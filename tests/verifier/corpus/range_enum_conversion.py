# expect: range 15
# A 2-bit field decoded straight into an enum that has no member 1.
from enum import IntEnum

from tamapy.fw import u8


class Parity(IntEnum):
    NONE = 0
    EVEN = 2
    ODD = 3


def parity_of(bits: u8) -> Parity:
    return Parity(bits & 3)  # bug: 1 is not a Parity
