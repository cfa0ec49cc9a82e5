# expect: range 8
# The classic midpoint bug: lo + hi is computed in u8 and overflows,
# although the midpoint itself always fits.
from tamapy.fw import u8


def midpoint(lo: u8, hi: u8) -> u8:
    return (lo + hi) // 2  # bug: lo + hi overflows u8
