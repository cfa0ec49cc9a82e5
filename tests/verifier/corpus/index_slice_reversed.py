# expect: index 12
# Both slice bounds are in range, but they may be in the wrong order.
from tamapy.fw import Bytes, View, u8, u32


def length(data: View[u8]) -> u32:
    return len(data)


def window_len(buf: Bytes[32], first: u32, last: u32) -> u32:
    if first < 32 and last < 32:
        return length(buf[first:last])  # bug: first may be greater than last
    return 0
