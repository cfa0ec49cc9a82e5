# expect: proved
# Writes through a MutView land in the caller's array at the window's offset;
# the callee's post-condition speaks of the window, the caller of its array.
from tamapy.fw import Bytes, MutView, ensures, requires, u8


@requires(lambda out: len(out) >= 1)
@ensures(lambda out: out[0] == 1)
def mark(out: MutView[u8]) -> None:
    out[0] = 1


@requires(lambda out: len(out) >= 2)
@ensures(lambda out: out[1] == 1)
def mark_second(out: MutView[u8]) -> None:
    mark(out[1:2])


def caller() -> None:
    frame: Bytes[8] = Bytes[8]()
    mark_second(frame[4:8])
    assert frame[5] == 1
    mark(frame)
    assert frame[0] == 1
