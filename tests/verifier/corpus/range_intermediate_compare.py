# expect: range 7
# A window check whose sum overflows before the comparison.
from tamapy.fw import u16


def fits_window(pos: u16, size: u16) -> bool:
    return pos + size <= 4096  # bug: pos + size is a u16 and may overflow
