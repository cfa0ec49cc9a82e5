# expect: proved
# Copying a view into an array, with the length bound as a pre-condition.
from tamapy.fw import Bytes, View, ensures, requires, u8, u32


@requires(lambda dst, src: len(src) <= 16)
@ensures(lambda dst, src, result: result == len(src))
def copy_in(dst: Bytes[16], src: View[u8]) -> u32:
    for i in range(0, len(src)):
        dst[i] = src[i]
    return len(src)


def copy_header(dst: Bytes[16], packet: View[u8]) -> u32:
    if len(packet) < 16:
        return copy_in(dst, packet)
    return copy_in(dst, packet[0:16])
