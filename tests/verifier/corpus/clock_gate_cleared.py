# expect: clock 10
# The UART is disabled after its clock gate was already cut.
from soc.imx6ul.regs import CCM, UART1


def shutdown() -> None:
    CCM.CCGR5.modify(CG12=3)
    UART1.UCR2.write(TXEN=0, RXEN=0)
    CCM.CCGR5.modify(CG12=0)
    UART1.UCR1.write(UARTEN=0)  # bug: UART1 is touched after its gate was cleared
