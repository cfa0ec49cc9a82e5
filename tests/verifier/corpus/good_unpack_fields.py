# expect: proved
# Unpacking and repacking bit fields through shifts and masks.
from tamapy.fw import ensures, u16, u32


@ensures(lambda word, result: result <= 0x3F)
def tx_level(word: u32) -> u32:
    return (word >> 10) & 0x3F


@ensures(lambda word, result: result == word)
def swap_twice(word: u16) -> u16:
    lo: u16 = word & 0xFF
    hi: u16 = word >> 8
    swapped: u16 = (lo << 8) | hi
    return ((swapped & 0xFF) << 8) | (swapped >> 8)
