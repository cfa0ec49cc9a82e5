# expect: proved
# Packing an RGB888 colour into RGB565 and reading the channels back.
from tamapy.fw import ensures, u8, u16


@ensures(lambda r, g, b, result: result >> 11 == r >> 3 and (result >> 5) & 0x3F == g >> 2 and result & 0x1F == b >> 3)
def rgb565(r: u8, g: u8, b: u8) -> u16:
    return ((r >> 3) << 11) | ((g >> 2) << 5) | (b >> 3)


@ensures(lambda c, result: result <= 0xF8)
def red_of(c: u16) -> u8:
    return u8(c >> 11) << 3
