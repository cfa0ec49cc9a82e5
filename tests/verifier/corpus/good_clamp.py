# expect: proved
# Clamping with a chained-comparison post-condition the caller needs.
from tamapy.fw import ensures, i8, i32, requires


@requires(lambda x, lo, hi: lo <= hi)
@ensures(lambda x, lo, hi, result: lo <= result <= hi)
def clamp(x: i32, lo: i32, hi: i32) -> i32:
    if x < lo:
        return lo
    if x > hi:
        return hi
    return x


def to_i8(x: i32) -> i8:
    return clamp(x, -128, 127)
