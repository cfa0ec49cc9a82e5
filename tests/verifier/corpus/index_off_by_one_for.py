# expect: index 8
# Clearing a buffer with a loop that runs one element too far.
from tamapy.fw import Bytes


def clear(buf: Bytes[16]) -> None:
    for i in range(0, len(buf) + 1):
        buf[i] = 0  # bug: i == 16 is past the end
