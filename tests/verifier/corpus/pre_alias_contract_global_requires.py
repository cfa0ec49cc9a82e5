# expect: precondition 16
# The callee's pre-condition names the global it is also handed as its array.
from tamapy.fw import Bytes, ensures, requires, u8

LOG: Bytes[8] = Bytes[8]()


@requires(lambda out: LOG[0] == 0)
@ensures(lambda out: out[0] == 9 and LOG[0] == 0)
def stamp(out: Bytes[8]) -> None:
    out[0] = 9


def f() -> u8:
    LOG[0] = 0
    stamp(LOG)  # bug: `out` is LOG, so the post-condition claims LOG[0] is 9 and 0
    return 100 // (LOG[0] - 9)
