# expect: proved
# The condition leaves the invariant intact, so it holds where CPython checks it.
from tamapy.fw import decreases, ensures, invariant, u32

armed: bool = False


@ensures(lambda result: not armed)
def disarm() -> bool:
    global armed
    armed = False
    return True


def f() -> None:
    global armed
    armed = False
    i: u32 = 0
    while i < 3 and disarm():
        invariant(i <= 3)
        invariant(not armed)
        decreases(3 - i)
        armed = False
        i += 1
