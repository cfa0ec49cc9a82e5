# expect: proved
# The invariant best < i is what proves data[best] in bounds.
from tamapy.fw import View, ensures, invariant, requires, u8, u32


@requires(lambda data: len(data) >= 1)
@ensures(lambda data, result: result < len(data))
def argmin(data: View[u8]) -> u32:
    best: u32 = 0
    for i in range(1, len(data)):
        invariant(best < i)
        if data[i] < data[best]:
            best = i
    return best


@requires(lambda data: len(data) >= 1)
def minimum(data: View[u8]) -> u8:
    return data[argmin(data)]
