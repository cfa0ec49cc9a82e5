# expect: range 7
# A byte counter incremented without saturation: 255 + 1 does not fit a u8.
from tamapy.fw import u8


def next_count(count: u8) -> u8:
    return count + 1  # bug: wraps at 255
