# expect: assert 15
# Inside the trusted function too: after the raw write, G is not what it was.
from tamapy.fw import Bytes, addr_of, mmio, trusted, u32

G: Bytes[4] = Bytes[4]()


@trusted("clears G[0] through its bus address, then checks it")
def clear_first() -> None:
    G[0] = 5
    where: u32 = addr_of(G)
    mmio.write8(where, 0)
    # The raw write is invisible to the model of G; assuming G[0] == 5 would be unsound.
    x: bool = G[0] == 5
    assert x  # bug: the write above set G[0] to 0
