# expect: termination 10
# An unbounded busy-wait on a status bit (poll(..., limit=N) is the bounded form).
from soc.imx6ul.regs import UART1

from tamapy.fw import clock_enabled, requires


@requires(lambda: clock_enabled(UART1))
def wait_tx() -> None:
    while UART1.UTS.TXFULL == 1:  # bug: may spin forever
        pass
