# expect: precondition 22
# A trusted function with raw writes may change any global, scalars included.
from tamapy.fw import mmio, requires, trusted, u32

mode: u32 = 0


@trusted("writes a device register")
def kick(address: u32) -> None:
    mmio.write32(address, 1)


@requires(lambda: mode == 0)
def idle() -> None:
    pass


def f(address: u32) -> None:
    global mode
    mode = 0
    kick(address)
    idle()  # bug: kick() may have changed mode (its write may land anywhere)
