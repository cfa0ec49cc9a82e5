# expect: register 9
# A clock-gate field is two bits wide.
from soc.imx6ul.regs import CCM

from tamapy.fw import u8


def set_uart1_gate(level: u8) -> None:
    CCM.CCGR5.modify(CG12=level)  # bug: CG12 has 2 bits
