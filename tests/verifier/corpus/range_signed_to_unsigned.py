# expect: range 7
# A signed delta converted to unsigned without checking its sign.
from tamapy.fw import i32, u32


def magnitude(delta: i32) -> u32:
    return u32(delta)  # bug: negative deltas do not fit a u32
