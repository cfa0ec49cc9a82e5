# expect: precondition 13
# The view's length is the chosen arm's: three bytes are there only when
# the condition is false.
from tamapy.fw import View, requires, u8


@requires(lambda v: len(v) >= 3)
def third(v: View[u8]) -> u8:
    return v[2]


def last_letter(on: bool) -> u8:
    return third(b"on" if on else b"off")  # bug: b"on" has no third byte
