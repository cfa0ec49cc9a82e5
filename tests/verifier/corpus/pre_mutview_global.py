# expect: precondition 16
# A module array passed as a MutView to a callee that also reads it by name:
# the two names alias one memory.
from tamapy.fw import Bytes, MutView, requires, u8

LOG: Bytes[8] = Bytes[8]()


@requires(lambda out: len(out) >= 1)
def stamp(out: MutView[u8]) -> u8:
    out[0] = 1
    return LOG[0]


def caller() -> u8:
    return stamp(LOG[0:4])  # bug: stamp reads LOG[0] after writing it through out
