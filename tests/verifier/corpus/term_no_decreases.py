# expect: termination 8
# A scanning loop without a termination measure.
from tamapy.fw import View, u8, u32


def skip_spaces(text: View[u8]) -> u32:
    i: u32 = 0
    while i < len(text) and text[i] == 32:  # bug: no decreases()
        i = i + 1
    return i
