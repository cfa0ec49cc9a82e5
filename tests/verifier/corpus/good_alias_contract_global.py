# expect: proved
# The same callee with a buffer of the caller's own: no second name for it.
from tamapy.fw import Bytes, ensures, requires

G: Bytes[4] = Bytes[4]()


@requires(lambda a: G[0] == 0)
@ensures(lambda a: a[0] == 1 and G[0] == 0)
def mark(a: Bytes[4]) -> None:
    a[0] = 1


def f() -> None:
    mine: Bytes[4] = Bytes[4]()
    G[0] = 0
    mark(mine)
    assert mine[0] == 1 and G[0] == 0
