# expect: clock 16
# A callee that writes a gate with a value it is given can close it: only
# gates written with non-zero constants are known to stay open.
from soc.imx6ul.regs import CCM, UART1

from tamapy.fw import clock_enabled, requires, u32


def set_gate(level: u32) -> None:
    CCM.CCGR5.modify(CG12=level & 3)


@requires(lambda: clock_enabled(UART1))
def f() -> None:
    set_gate(0)
    UART1.UCR1.write(UARTEN=1)  # bug: the gate was just closed
