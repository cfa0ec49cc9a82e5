# expect: assert 15
# After a call that writes through a MutView, the caller no longer knows the
# bytes of the array the view was cut from.
from tamapy.fw import Bytes, MutView, requires, u8


@requires(lambda out: len(out) >= 1)
def scramble(out: MutView[u8]) -> None:
    out[0] = out[0] ^ 0x5A


def caller() -> None:
    frame: Bytes[4] = Bytes[4]()
    scramble(frame[0:2])
    assert frame[0] == 0  # bug: scramble wrote it
