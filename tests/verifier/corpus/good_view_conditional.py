# expect: proved
# A conditional expression chooses a read-only view; arms of different
# lengths are fine, and the callee's contract sees the chosen bytes.
from tamapy.fw import View, requires, u8


@requires(lambda v: len(v) >= 2 and v[0] == 111)
def second(v: View[u8]) -> u8:
    return v[1]


def state_letter(on: bool) -> u8:
    return second(b"on" if on else b"off")
