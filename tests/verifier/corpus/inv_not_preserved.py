# expect: invariant 10
# Stepping by two can jump past an odd bound.
from tamapy.fw import decreases, invariant, requires, u32


@requires(lambda n: n < 1000)
def evens(n: u32) -> u32:
    i: u32 = 0
    while i < n:
        invariant(i <= n)  # bug: i + 2 may exceed n
        decreases(n - i)
        i = i + 2
    return i
