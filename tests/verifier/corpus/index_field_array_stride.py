# expect: index 10
# Interrupt configuration of pins 0..31 taken from ICR1, which holds pins 0..15 only
# (two bits each; pins 16..31 are in ICR2).
from soc.imx6ul.regs import GPIO1
from tamapy.fw import clock_enabled, requires, u32


@requires(lambda pin: pin < 32 and clock_enabled(GPIO1))
def trigger(pin: u32) -> u32:
    return GPIO1.ICR1.ICR[pin]  # bug: ICR has 16 elements
