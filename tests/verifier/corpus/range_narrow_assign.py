# expect: range 7
# The low byte of a word is taken by assignment instead of masking.
from tamapy.fw import u8, u32


def low_byte(word: u32) -> u8:
    low: u8 = word  # bug: forgot `& 0xFF`
    return low
