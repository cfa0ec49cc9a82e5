# expect: proved
# Sign-extending a 12-bit two's-complement field.
from tamapy.fw import ensures, i16, u16


@ensures(lambda raw, result: -2048 <= result <= 2047)
def sext12(raw: u16) -> i16:
    v: i16 = i16(raw & 0xFFF)
    if v >= 2048:
        return v - 4096
    return v
