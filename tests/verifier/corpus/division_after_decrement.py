# expect: division 9
# Spreading over the gaps between n items: one item has no gap.
from tamapy.fw import requires, u8


@requires(lambda total, n: n >= 1)
def spread(total: u8, n: u8) -> u8:
    gaps: u8 = n - 1
    return total // gaps  # bug: n == 1 leaves zero gaps
