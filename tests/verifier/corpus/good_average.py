# expect: proved
# The midpoint computed in a wider type, then narrowed with a proof.
from tamapy.fw import ensures, u8, u16


@ensures(lambda a, b, result: (a <= result <= b) or (b <= result <= a))
def midpoint(a: u8, b: u8) -> u8:
    return (u16(a) + b) // 2
