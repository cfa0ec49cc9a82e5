# expect: proved
# A sum over a view, bounded by an invariant.
from tamapy.fw import Bytes, View, ensures, invariant, requires, u8, u32


@requires(lambda data: len(data) <= 1024)
@ensures(lambda data, result: result <= 255 * len(data))
def total(data: View[u8]) -> u32:
    acc: u32 = 0
    for i in range(0, len(data)):
        invariant(acc <= 255 * i)
        acc = acc + data[i]
    return acc


def total_of_prefix(buf: Bytes[64], n: u32) -> u32:
    if n > 64:
        return total(buf)
    return total(buf[0:n])
