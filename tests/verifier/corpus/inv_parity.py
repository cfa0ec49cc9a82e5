# expect: invariant 12
# x grows by 3, so it does not stay even.
from tamapy.fw import decreases, invariant, requires, u32


@requires(lambda n: n < 1000)
def even_steps(n: u32) -> u32:
    x: u32 = 0
    i: u32 = 0
    while i < n:
        invariant(x <= 3 * i)
        invariant(x % 2 == 0)  # bug: x + 3 is odd
        decreases(n - i)
        x = x + 3
        i = i + 1
    return x
