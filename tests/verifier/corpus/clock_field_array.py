# expect: clock 9
# A pin read before the GPIO2 clock gate is known to be on.
from soc.imx6ul.regs import GPIO2
from tamapy.fw import requires, u32


@requires(lambda pin: pin < 32)
def level(pin: u32) -> u32:
    return GPIO2.PSR.IO[pin]  # bug: CCGR0.CG15 may be off
