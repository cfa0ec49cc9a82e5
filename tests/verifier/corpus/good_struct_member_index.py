# expect: proved
# A descriptor ring's slot table, a member array of a struct, read inside its bounds.
from tamapy.fw import Array, struct, u16, u32


@struct
class Ring:
    """Four slot addresses, then the producer and consumer indexes."""
    slots: Array[u32, 4]
    head: u16
    tail: u16


ring: Ring = Ring()


def slot(i: u32) -> u32:
    if i < 4:
        return ring.slots[i]
    return 0
