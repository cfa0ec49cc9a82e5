# expect: proved
# Closing and reopening a gate; every UART access happens while it is open.
from soc.imx6ul.regs import CCM, UART1, UART2

from tamapy.fw import clock_enabled, ensures, requires


@requires(lambda: clock_enabled(UART1))
@ensures(lambda: clock_enabled(UART1) and clock_enabled(UART2))
def suspend_resume() -> None:
    UART1.UCR1.write(UARTEN=0)
    CCM.CCGR5.modify(CG12=0)
    CCM.CCGR0.modify(CG14=3)
    UART2.UCR1.write(UARTEN=0)
    CCM.CCGR5.modify(CG12=3)
    UART1.UCR1.write(UARTEN=1)
