# expect: invariant 10
# The accumulator starts at 0xFF instead of 0.
from tamapy.fw import View, invariant, requires, u8, u32


@requires(lambda data: len(data) <= 64)
def checksum(data: View[u8]) -> u32:
    acc: u32 = 0xFF
    for i in range(0, len(data)):
        invariant(acc <= 255 * i)  # bug: does not hold on entry (acc == 255, i == 0)
        acc = acc + data[i]
    return acc
