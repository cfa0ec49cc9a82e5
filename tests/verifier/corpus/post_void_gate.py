# expect: postcondition 10
# Trusting a flag instead of opening the gate: the post-condition fails on
# the path that falls off the end of the function (reported at its `def`).
from soc.imx6ul.regs import CCM, UART1

from tamapy.fw import clock_enabled, ensures


@ensures(lambda already_on: clock_enabled(UART1))
def console_on(already_on: bool) -> None:  # bug: when already_on is True the gate is never checked
    if not already_on:
        CCM.CCGR5.modify(CG12=3)
