# expect: precondition 12
# Reading the third byte of a view without checking its length.
from tamapy.fw import View, requires, u8, u32


@requires(lambda buf, n: n < len(buf))
def get(buf: View[u8], n: u32) -> u8:
    return buf[n]


def third(buf: View[u8]) -> u8:
    return get(buf, 2)  # bug: buf may have fewer than three bytes
