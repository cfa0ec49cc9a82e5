# expect: shift 8
# Nibble k of a word, with k allowed one too far.
from tamapy.fw import requires, u32


@requires(lambda word, k: k <= 8)
def nibble(word: u32, k: u32) -> u32:
    return (word >> (4 * k)) & 0xF  # bug: k == 8 shifts a u32 by 32
