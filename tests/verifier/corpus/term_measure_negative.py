# expect: termination 11
# A measure with a hard-coded bound that n may exceed.
from tamapy.fw import decreases, i32, invariant, requires


@requires(lambda n: n <= 100)
def ticks(n: i32) -> i32:
    i: i32 = 0
    while i < n:
        invariant(i >= 0)
        decreases(10 - i)  # bug: negative once i > 10
        i = i + 1
    return i
