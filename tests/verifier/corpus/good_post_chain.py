# expect: proved
# The caller's narrowing is proven from the callees' post-conditions.
from tamapy.fw import ensures, u16, u32


@ensures(lambda raw, result: result < 1000)
def millivolts(raw: u16) -> u32:
    return (u32(raw) * 1000) >> 16


def sum_mv(a: u16, b: u16) -> u16:
    return millivolts(a) + millivolts(b)
