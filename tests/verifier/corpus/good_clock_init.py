# expect: proved
# Opening the gate establishes the clock contract that later calls need.
from soc.imx6ul.regs import CCM, UART1

from tamapy.fw import clock_enabled, ensures, poll, requires


@ensures(lambda: clock_enabled(UART1))
def uart1_clock_on() -> None:
    CCM.CCGR5.modify(CG12=3)


@requires(lambda: clock_enabled(UART1))
def reset_uart1() -> bool:
    UART1.UCR1.write(UARTEN=0)
    UART1.UCR2.write(SRST=0)
    return poll(UART1.UCR2.SRST == 1, limit=10000)


@ensures(lambda result: clock_enabled(UART1))
def start() -> bool:
    uart1_clock_on()
    if not reset_uart1():
        return False
    UART1.UCR2.write(WS=1, TXEN=1, RXEN=1, SRST=1, IRTS=1)
    UART1.UCR1.write(UARTEN=1)
    return True
