# expect: termination 9
# The measure is the counter itself, which grows.
from tamapy.fw import View, decreases, u8, u32


def find_zero(data: View[u8]) -> u32:
    i: u32 = 0
    while i < len(data):
        decreases(i)  # bug: i increases
        if data[i] == 0:
            return i
        i = i + 1
    return i
