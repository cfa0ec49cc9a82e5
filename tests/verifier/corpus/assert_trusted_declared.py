# expect: assert 22
# A trusted function's declaration says which globals its raw accesses reach: those are forgotten.
from tamapy.fw import Bytes, addr_of, mmio, trusted, u32

G: Bytes[4] = Bytes[4]()
H: Bytes[4] = Bytes[4]()
count: u32 = 0


@trusted("pokes the first byte of G through its bus address", modifies=("G",))
def poke() -> None:
    mmio.write8(addr_of(G), 7)


def f() -> None:
    global count
    G[0] = 1
    H[0] = 1
    count = 3
    poke()
    assert H[0] == 1 and count == 3
    assert G[0] == 1  # bug: poke() wrote 7 there
