# expect: precondition 18
# A fill count that is never checked against the buffer size.
from tamapy.fw import Bytes, decreases, invariant, requires, u32


@requires(lambda buf, n: n <= 16)
def fill(buf: Bytes[16], n: u32) -> None:
    for i in range(0, n):
        buf[i] = 0xFF


def fill_until(buf: Bytes[16], limit: u32) -> None:
    n: u32 = 0
    while n < limit:
        invariant(n <= limit)
        decreases(limit - n)
        n = n + 1
    fill(buf, n)  # bug: limit was never checked against 16
