# expect: index 14
# A 4-byte field sliced at an offset checked only against the frame start.
from tamapy.fw import Bytes, View, u8, u32


def first(data: View[u8]) -> u8:
    if len(data) == 0:
        return 0
    return data[0]


def field_first(frame: Bytes[16], start: u32) -> u8:
    if start < 16:
        return first(frame[start:start + 4])  # bug: start + 4 may pass the end of the frame
    return 0
