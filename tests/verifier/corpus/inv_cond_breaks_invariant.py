# expect: invariant 20
# CPython checks invariant() when the body starts, after the condition ran; here the condition breaks it.
from tamapy.fw import decreases, invariant, u32

armed: bool = False


def arm() -> bool:
    global armed
    armed = True
    return True


def f() -> None:
    global armed
    armed = False
    i: u32 = 0
    while i < 3 and arm():
        invariant(i <= 3)
        invariant(not armed)  # bug: arm() just set it
        decreases(3 - i)
        armed = False
        i += 1
