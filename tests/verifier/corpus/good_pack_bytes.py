# expect: proved
# Packing four bytes into a big-endian word, proven to round-trip.
from tamapy.fw import ensures, invariant, u8, u32


@ensures(lambda a, b, c, d, result: result >> 24 == a and (result >> 16) & 0xFF == b and (result >> 8) & 0xFF == c and result & 0xFF == d)
def pack_be(a: u8, b: u8, c: u8, d: u8) -> u32:
    return (u32(a) << 24) | (u32(b) << 16) | (u32(c) << 8) | d


@ensures(lambda word, k, result: result <= 0xFF)
def byte_at(word: u32, k: u32) -> u32:
    if k > 3:
        return 0
    return (word >> (8 * (3 - k))) & 0xFF


def checksum(a: u8, b: u8, c: u8, d: u8) -> u32:
    word: u32 = pack_be(a, b, c, d)
    total: u32 = 0
    for k in range(0, 4):
        invariant(total <= 255 * k)
        total = total + byte_at(word, k)
    return total
