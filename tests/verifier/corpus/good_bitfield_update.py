# expect: proved
# Replacing one nibble of a word: clear with an inverted mask, then OR in.
from tamapy.fw import ensures, requires, u32


@requires(lambda word, value, shift: shift <= 28)
@ensures(lambda word, value, shift, result: (result >> shift) & 0xF == value & 0xF)
def set_nibble(word: u32, value: u32, shift: u32) -> u32:
    mask: u32 = u32(0xF) << shift
    cleared: u32 = word & (~mask & 0xFFFFFFFF)
    return cleared | ((value & 0xF) << shift)
