# expect: clock 9
# The gate is opened on one path only.
from soc.imx6ul.regs import CCM, UART1


def start(open_clock: bool) -> None:
    if open_clock:
        CCM.CCGR5.modify(CG12=3)
    UART1.UCR1.write(UARTEN=1)  # bug: the gate may still be closed
