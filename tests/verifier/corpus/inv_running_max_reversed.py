# expect: invariant 10
# A running maximum with the comparison the wrong way round.
from tamapy.fw import View, invariant, requires, u8


@requires(lambda data: len(data) >= 1)
def maximum(data: View[u8]) -> u8:
    best: u8 = data[0]
    for i in range(1, len(data)):
        invariant(best >= data[0])  # bug: best only ever decreases
        if data[i] < best:
            best = data[i]
    return best
