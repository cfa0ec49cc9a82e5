# expect: clock 9
# An interrupt acknowledged on whichever GPIO the caller passes, without its gate.
from soc.imx6ul.regs import GPIO
from tamapy.fw import requires, u32


@requires(lambda gpio, pin: pin < 32)
def acknowledge(gpio: GPIO, pin: u32) -> None:
    gpio.ISR.IO.clear(pin)  # bug: the instance's clock gate may be off
