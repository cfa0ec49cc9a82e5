# expect: proved
# A while loop with a decreasing measure and an invariant linking two counters.
from tamapy.fw import decreases, ensures, invariant, u32


@ensures(lambda n, result: result == n)
def count_down(n: u32) -> u32:
    left: u32 = n
    steps: u32 = 0
    while left > 0:
        invariant(left + steps == n)
        decreases(left)
        left = left - 1
        steps = steps + 1
    return steps
