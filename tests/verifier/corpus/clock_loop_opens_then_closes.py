# expect: clock 12
# A loop whose body opens the gate on some rounds and closes it on another:
# at the loop head the gate is unknown, not "still open".
from soc.imx6ul.regs import CCM, UART1

from tamapy.fw import clock_enabled, requires, u32


@requires(lambda n: clock_enabled(UART1))
def f(n: u32) -> None:
    for i in range(0, n):
        UART1.UCR1.write(UARTEN=1)  # bug: closed on round 2, used on round 3
        if i == 2:
            CCM.CCGR5.modify(CG12=0)
        else:
            CCM.CCGR5.modify(CG12=3)
