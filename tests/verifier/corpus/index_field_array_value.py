# expect: index 10
# A pin's interrupt flag taken from a value read of ISR, the pin number unbounded.
from soc.imx6ul.regs import GPIO3
from tamapy.fw import RegValue, clock_enabled, requires, u32


@requires(lambda pin: clock_enabled(GPIO3))
def pending(pin: u32) -> u32:
    isr: RegValue[GPIO3.ISR] = GPIO3.ISR.read()
    return isr.IO[pin]  # bug: pin may be 32 or more
