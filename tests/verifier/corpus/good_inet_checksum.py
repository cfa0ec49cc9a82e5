# expect: proved
# The Internet checksum: a bounded sum, end-around carry folding with a
# decreasing measure, and a masked complement.
from tamapy.fw import View, decreases, ensures, invariant, requires, u8, u32


@requires(lambda data: len(data) <= 1024)
@ensures(lambda data, result: result <= 0xFFFF)
def inet_checksum(data: View[u8]) -> u32:
    s: u32 = 0
    for i in range(0, len(data)):
        invariant(s <= 255 * i)
        s = s + data[i]
    while s > 0xFFFF:
        decreases(s)
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF
