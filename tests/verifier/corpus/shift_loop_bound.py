# expect: shift 9
# Folding the bytes of a word with one iteration too many.
from tamapy.fw import u8, u32


def fold_bytes(word: u32) -> u8:
    acc: u8 = 0
    for k in range(0, 5):
        acc = acc ^ ((word >> (8 * k)) & 0xFF)  # bug: the fifth pass shifts by 32
    return acc
