# expect: division 7
# Wrapping a position by the length of a view that may be empty.
from tamapy.fw import View, u8, u32


def wrap_pos(ring: View[u8], pos: u32) -> u32:
    return pos % len(ring)  # bug: an empty ring has length zero
