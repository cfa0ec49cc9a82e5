# expect: postcondition 13
# A byte can have eight set bits, not at most seven.
from tamapy.fw import ensures, invariant, u8, u32


@ensures(lambda b, result: result <= 7)
def count_ones(b: u8) -> u32:
    n: u32 = 0
    for i in range(0, 8):
        invariant(n <= i)
        if (b >> i) & 1 == 1:
            n += 1
    return n  # bug: 0xFF has eight set bits
