# expect: clock 16
# A callee that cuts the clock, followed by another UART access.
from soc.imx6ul.regs import CCM, UART1

from tamapy.fw import clock_enabled, requires, u8


def low_power() -> None:
    CCM.CCGR5.modify(CG12=0)


@requires(lambda ch: clock_enabled(UART1))
def send_then_sleep(ch: u8) -> None:
    UART1.UTXD.write(TX_DATA=ch)
    low_power()
    UART1.UCR1.write(UARTEN=0)  # bug: low_power() has closed the gate
