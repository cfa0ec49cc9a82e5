# expect: proved
# A loop that only ever opens gates keeps an open gate open at its head.
from soc.imx6ul.regs import CCM, UART1, UART2

from tamapy.fw import clock_enabled, requires, u32


@requires(lambda n: clock_enabled(UART1))
def f(n: u32) -> None:
    for i in range(0, n):
        UART1.UCR1.write(UARTEN=1)
        CCM.CCGR0.modify(CG14=3)
        UART2.UCR1.write(UARTEN=1)
        CCM.CCGR5.modify(CG12=3)
