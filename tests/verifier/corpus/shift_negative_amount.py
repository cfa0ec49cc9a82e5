# expect: shift 8
# A binary exponent that may be negative, used as a left-shift amount.
from tamapy.fw import i8, u8, u32


def scale(x: u8, exponent: i8) -> u32:
    if exponent < 24:
        return u32(x) << exponent  # bug: a negative exponent is a negative shift
    return 0
