# expect: index 9
# A pad level read with a pin number one past GPIO's 32 pins.
from soc.imx6ul.regs import GPIO1
from tamapy.fw import clock_enabled, requires, u32


@requires(lambda pin: pin <= 32 and clock_enabled(GPIO1))
def level(pin: u32) -> u32:
    return GPIO1.PSR.IO[pin]  # bug: pin 32 is past IO (0..31)
