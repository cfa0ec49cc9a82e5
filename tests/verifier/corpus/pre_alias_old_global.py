# expect: precondition 15
# The callee names G only inside old(), and G is also passed as its array: still one buffer.
from tamapy.fw import Bytes, ensures, old

G: Bytes[4] = Bytes[4]()


@ensures(lambda a: a[0] == 1 and G[0] == old(G[0]))
def mark(a: Bytes[4]) -> None:
    a[0] = 1


def f() -> None:
    G[0] = 0
    mark(G)  # bug: G is `a` too, so the post-condition claims G[0] is both 1 and 0
    assert False
