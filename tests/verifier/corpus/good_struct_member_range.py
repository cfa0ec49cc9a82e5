# expect: proved
# A 32-bit length stored into a 16-bit descriptor member after a bound check.
from tamapy.fw import struct, u16, u32


@struct
class Header:
    """An Ethernet-style header: type and length, 16 bits each, then a word of flags."""
    kind: u16
    length: u16
    flags: u32


header: Header = Header()


def set_length(n: u32) -> None:
    header.kind = 0x0800
    if n <= 0xFFFF:
        header.length = n
