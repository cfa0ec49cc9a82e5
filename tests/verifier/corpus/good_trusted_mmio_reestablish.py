# expect: proved
# After a trusted raw write the caller re-establishes what it needs.
from tamapy.fw import Bytes, addr_of, mmio, requires, trusted, u32

G: Bytes[4] = Bytes[4]()
mode: u32 = 0


@trusted("pokes the first byte of G through its bus address")
def poke() -> None:
    mmio.write8(addr_of(G), 7)


@requires(lambda: mode == 0)
def idle() -> None:
    pass


def f() -> None:
    global mode
    poke()
    G[0] = 1
    mode = 0
    idle()
    assert G[0] == 1
