# expect: termination 11
# The `continue` path forgets to advance i.
from tamapy.fw import View, decreases, invariant, u8, u32


def count_char(text: View[u8], ch: u8) -> u32:
    i: u32 = 0
    n: u32 = 0
    while i < len(text):
        invariant(n <= i)
        decreases(len(text) - i)  # bug: does not decrease on the `continue` path
        if text[i] != ch:
            continue
        n = n + 1
        i = i + 1
    return n
