# expect: index 7
# A per-channel table indexed by an unchecked channel number.
from tamapy.fw import Bytes, u8, u32


def channel_gain(gains: Bytes[8], channel: u32) -> u8:
    return gains[channel]  # bug: channel is not checked against 8
