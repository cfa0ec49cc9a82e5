# expect: proved
# A 32x32 product computed in 64 bits.
from tamapy.fw import ensures, u32, u64


@ensures(lambda a, b, result: result <= 0xFFFFFFFE00000001)
def mul_wide(a: u32, b: u32) -> u64:
    return u64(a) * b


def mac(acc: u64, a: u32, b: u32) -> u64:
    if acc > 0xFFFFFFFF:
        return acc
    return acc + mul_wide(a, b)
