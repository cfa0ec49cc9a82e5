# expect: assert 17
# Undeclared trusted code may change any global: a counter kept across it is not known.
from tamapy.fw import mmio, trusted, u32

ticks: u32 = 0


@trusted("reads the free-running counter of the GPT")
def now() -> u32:
    return mmio.read32(0x02098024)


def f() -> None:
    global ticks
    ticks = 5
    t: u32 = now()
    assert ticks == 5 and t >= 0  # bug: now() declares nothing, so ticks may have changed
