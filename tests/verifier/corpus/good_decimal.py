# expect: proved
# Decimal digits of a u32, most significant first (as runtime.console does).
from tamapy.fw import Bytes, ensures, invariant, u8, u32


@ensures(lambda value, out, result: 1 <= result <= 10)
def to_decimal(value: u32, out: Bytes[10]) -> u32:
    buf: Bytes[10] = Bytes[10]()
    count: u32 = 0
    rest: u32 = value
    for n in range(0, 10):
        invariant(count == n)
        buf[n] = u8(rest % 10 + 48)
        count = n + 1
        rest = rest // 10
        if rest == 0:
            break
    for i in range(0, count):
        invariant(1 <= count <= 10)
        out[i] = buf[count - 1 - i]
    return count
