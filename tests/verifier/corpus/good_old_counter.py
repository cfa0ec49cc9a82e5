# expect: proved
# A module counter advanced by one: the caller counts two calls from the entry values.
from tamapy.fw import ensures, old, requires, u32

ticks: u32 = 0


@requires(lambda: ticks < 1000)
@ensures(lambda: ticks == old(ticks) + 1)
def tick() -> None:
    global ticks
    ticks += 1


@requires(lambda: ticks < 100)
@ensures(lambda result: ticks == old(ticks) + 2 and result == old(ticks))
def tick_twice() -> u32:
    start: u32 = ticks
    tick()
    tick()
    assert ticks == start + 2
    return start
