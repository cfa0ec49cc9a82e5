# expect: proved
# Parsing a length-prefixed packet through slices.
from tamapy.fw import View, ensures, requires, u8, u32


@requires(lambda hdr: len(hdr) == 4)
def declared_length(hdr: View[u8]) -> u32:
    return (u32(hdr[2]) << 8) | hdr[3]


@requires(lambda packet: len(packet) >= 4)
@ensures(lambda packet, result: result <= len(packet) - 4)
def payload_len(packet: View[u8]) -> u32:
    declared: u32 = declared_length(packet[0:4])
    if declared > len(packet) - 4:
        return len(packet) - 4
    return declared
