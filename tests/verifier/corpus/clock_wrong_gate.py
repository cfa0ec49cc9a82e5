# expect: clock 8
# Opening the neighbouring gate: CCGR5.CG13 is UART7's, UART1's is CG12.
from soc.imx6ul.regs import CCM, UART1


def open_uart1() -> None:
    CCM.CCGR5.modify(CG13=3)
    UART1.UCR1.write(UARTEN=1)  # bug: CCGR5.CG12 was never opened
