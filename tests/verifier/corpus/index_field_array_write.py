# expect: index 9
# A pin made an output without a bound on its number.
from soc.imx6ul.regs import GPIO
from tamapy.fw import clock_enabled, requires, u32


@requires(lambda gpio, pin: clock_enabled(gpio))
def make_output(gpio: GPIO, pin: u32) -> None:
    gpio.GDIR.IO.write(pin, 1)  # bug: pin may be 32 or more
