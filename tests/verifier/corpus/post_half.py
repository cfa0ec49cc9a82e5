# expect: postcondition 8
# Halving loses the low bit of odd values.
from tamapy.fw import ensures, u32


@ensures(lambda x, result: result * 2 == x)
def half(x: u32) -> u32:
    return x // 2  # bug: odd x
