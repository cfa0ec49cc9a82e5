# expect: index 9
# The length is the view's, not the array's: writing n bytes needs n <= len(out).
from tamapy.fw import MutView, requires, u8, u32


@requires(lambda out, n: n <= 16)
def fill(out: MutView[u8], n: u32) -> None:
    for i in range(0, n):
        out[i] = 0xFF  # bug: the caller's window may be shorter than n
