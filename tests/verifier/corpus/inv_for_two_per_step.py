# expect: invariant 10
# Counting two per iteration breaks "count <= i".
from tamapy.fw import invariant, requires, u32


@requires(lambda n: n <= 100)
def pairs(n: u32) -> u32:
    count: u32 = 0
    for i in range(0, n):
        invariant(count <= i)  # bug: not preserved
        count = count + 2
    return count
