# expect: proved
# A ring buffer in module globals: the index is kept in range by a guard and
# a modulo by a constant.
from typing import Final

from tamapy.fw import Bytes, u8, u32

RING_SIZE: Final = 16
ring: Bytes[16] = Bytes[16]()
head: u32 = 0
count: u32 = 0


def push(b: u8) -> None:
    global head, count
    if head >= RING_SIZE:
        head = 0
    ring[head] = b
    head = (head + 1) % RING_SIZE
    if count < RING_SIZE:
        count = count + 1


def newest() -> u8:
    if count == 0 or head >= RING_SIZE:
        return 0
    return ring[(head + RING_SIZE - 1) % RING_SIZE]
