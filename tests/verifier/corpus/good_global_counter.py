# expect: proved
# A saturating event counter in a module global.
from tamapy.fw import u16

events: u16 = 0
overflowed: bool = False


def record() -> None:
    global events, overflowed
    if events == 0xFFFF:
        overflowed = True
        return
    events = events + 1
    assert events >= 1


def record_many(n: u16) -> None:
    for _ in range(0, n):
        record()
