# expect: index 12
# A field read through an unchecked loop bound.
from soc.imx6ul.regs import OCOTP
from tamapy.fw import clock_enabled, invariant, requires, u32


@requires(lambda n: n <= 64 and clock_enabled(OCOTP))
def count_set(n: u32) -> u32:
    total: u32 = 0
    for i in range(0, n):
        invariant(total <= i)
        total += OCOTP.FUSE[i].read() & 1  # bug: n may be up to 64, FUSE has 48
    return total
