# expect: clock 16
# The condition's call closes the UART's clock gate before the next status read.
from soc.imx6ul.regs import CCM, UART1

from tamapy.fw import clock_enabled, decreases, invariant, requires, u32


def quiesce() -> bool:
    CCM.CCGR5.modify(CG12=0)
    return True


@requires(lambda: clock_enabled(UART1))
def drain() -> u32:
    n: u32 = 0
    while n < 3 and UART1.USR1.TRDY == 1 and quiesce():  # bug: the gate is off from the second test on
        invariant(n <= 3)
        decreases(3 - n)
        n += 1
    return n
