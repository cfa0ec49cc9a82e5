# expect: index 8
# Options start at byte 2 of a packet whose length is never checked.
from tamapy.fw import View, requires, u8, u32


@requires(lambda packet, n: n < 4)
def option_byte(packet: View[u8], n: u32) -> u8:
    return packet[n + 2]  # bug: the packet may be shorter than 6 bytes
