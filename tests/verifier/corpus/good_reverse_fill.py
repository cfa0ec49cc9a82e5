# expect: proved
# A for loop with a negative step; the loop variable is signed.
from tamapy.fw import Bytes


def reverse_fill(buf: Bytes[8]) -> None:
    for i in range(7, -1, -1):
        buf[i] = 7 - i
