# expect: assert 16
# A trusted raw write through a buffer's address changes the buffer behind the caller's back.
from tamapy.fw import Bytes, addr_of, mmio, trusted

G: Bytes[4] = Bytes[4]()


@trusted("pokes the first byte of G through its bus address")
def poke() -> None:
    mmio.write8(addr_of(G), 7)


def f() -> None:
    G[0] = 1
    poke()
    assert G[0] == 1  # bug: poke() wrote 7 there
