# expect: proved
# A ring index and a global array: the callee's old() is the caller's state just before the call.
from tamapy.fw import Bytes, View, ensures, old, requires, u8, u32

ring: Bytes[16] = Bytes[16]()
head: u32 = 0


@requires(lambda value: head < 16)
@ensures(lambda value: head == (old(head) + 1) % 16 and ring[old(head)] == value)
def push(value: u8) -> None:
    global head
    ring[head] = value
    head = (head + 1) % 16


@requires(lambda v: len(v) > 0)
@ensures(lambda v, result: result == old(len(v)) and v[0] == old(v[0]))
def length(v: View[u8]) -> u32:
    return len(v)


@requires(lambda a, b: head < 16)
def push_two(a: u8, b: u8) -> None:
    before: u32 = head
    push(a)
    push(b)
    assert head == (before + 2) % 16
    assert ring[(before + 1) % 16] == b
    assert length(ring[0:4]) == 4
