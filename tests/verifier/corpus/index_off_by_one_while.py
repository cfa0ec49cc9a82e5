# expect: index 13
# `<=` instead of `<` in a scanning loop.
from tamapy.fw import View, decreases, invariant, requires, u8, u32


@requires(lambda data: len(data) <= 64)
def last_nonzero(data: View[u8]) -> u32:
    i: u32 = 0
    found: u32 = 0
    while i <= len(data):
        invariant(i <= len(data) + 1)
        decreases(len(data) + 1 - i)
        if data[i] != 0:  # bug: i == len(data) is read
            found = i
        i = i + 1
    return found
