# expect: precondition 13
# Both arms are views, but only one of them has an "n" second: the
# contract must hold for whichever arm the condition picks.
from tamapy.fw import View, requires, u8


@requires(lambda v: len(v) >= 2 and v[1] == 110)
def second_is_n(v: View[u8]) -> u8:
    return v[1]


def state_letter(on: bool) -> u8:
    return second_is_n(b"on" if on else b"off")  # bug: b"off"[1] is "f"
