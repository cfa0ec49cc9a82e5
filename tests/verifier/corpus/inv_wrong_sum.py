# expect: invariant 10
# The invariant's constant is off by one: i + steps == 10 throughout.
from tamapy.fw import decreases, invariant, u32


def countdown() -> u32:
    i: u32 = 10
    steps: u32 = 0
    while i > 0:
        invariant(i + steps == 11)  # bug: i + steps is 10
        decreases(i)
        i = i - 1
        steps = steps + 1
    return steps
