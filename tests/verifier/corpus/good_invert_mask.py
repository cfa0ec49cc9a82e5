# expect: proved
# `~x & 0xFFFF`: the complement masked back into 16 bits.
from tamapy.fw import ensures, requires, u8, u16


@ensures(lambda x, result: result + x == 0xFFFF)
def complement16(x: u16) -> u16:
    return ~x & 0xFFFF


@requires(lambda word, bit: bit < 16)
@ensures(lambda word, bit, result: (result >> bit) & 1 == 0 and result | (1 << bit) == word | (1 << bit))
def clear_bit(word: u16, bit: u8) -> u16:
    return word & (~(1 << bit) & 0xFFFF)
