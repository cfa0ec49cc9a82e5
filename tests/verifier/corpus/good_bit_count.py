# expect: proved
# Population count of a byte, with the invariant that bounds the result.
from tamapy.fw import ensures, invariant, u8, u32


@ensures(lambda b, result: result <= 8)
def count_ones(b: u8) -> u32:
    n: u32 = 0
    for i in range(0, 8):
        invariant(n <= i)
        if (b >> i) & 1 == 1:
            n += 1
    return n


def parity(b: u8) -> u32:
    return count_ones(b) % 2
