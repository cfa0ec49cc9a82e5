# expect: proved
# Saturating byte addition; the guard is written so that it cannot overflow.
from tamapy.fw import ensures, u8


@ensures(lambda a, b, result: result >= a and result >= b)
def add_sat(a: u8, b: u8) -> u8:
    if a > 255 - b:
        return 255
    return a + b
