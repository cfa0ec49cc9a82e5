# expect: shift 7
# Division by a power of two through an arithmetic shift, exponent unchecked.
from tamapy.fw import i32, u32


def divide_pow2(x: i32, n: u32) -> i32:
    return x >> n  # bug: n may be 32 or more
