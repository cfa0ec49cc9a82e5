# expect: precondition 16
# The callee's contract names G, and G is also passed as its array: both names are one buffer.
from tamapy.fw import Bytes, ensures, requires

G: Bytes[4] = Bytes[4]()


@requires(lambda a: G[0] == 0)
@ensures(lambda a: a[0] == 1 and G[0] == 0)
def mark(a: Bytes[4]) -> None:
    a[0] = 1


def f() -> None:
    G[0] = 0
    mark(G)  # bug: G is `a` too, so the post-condition claims G[0] is both 1 and 0
    assert False
