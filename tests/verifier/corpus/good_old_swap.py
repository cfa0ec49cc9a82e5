# expect: proved
# Two elements swapped: the post-condition names their entry values, and the caller uses it.
from tamapy.fw import Bytes, ensures, old, requires, u8, u32


@requires(lambda buf, i, j: i < 8 and j < 8)
@ensures(lambda buf, i, j: buf[i] == old(buf[j]) and buf[j] == old(buf[i]))
def swap(buf: Bytes[8], i: u32, j: u32) -> None:
    t: u8 = buf[i]
    buf[i] = buf[j]
    buf[j] = t


def swapped_twice() -> u8:
    buf: Bytes[8] = Bytes[8]()
    buf[2] = 5
    buf[6] = 7
    swap(buf, 2, 6)
    assert buf[2] == 7 and buf[6] == 5
    swap(buf, 2, 6)
    assert buf[2] == 5
    return buf[6]
