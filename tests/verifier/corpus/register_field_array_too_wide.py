# expect: register 9
# A level passed straight into a one-bit pin element.
from soc.imx6ul.regs import GPIO1
from tamapy.fw import clock_enabled, requires, u8, u32


@requires(lambda pin, level: pin < 32 and clock_enabled(GPIO1))
def drive(pin: u32, level: u8) -> None:
    GPIO1.DR.IO.write(pin, level)  # bug: level may be 2 or more; IO[i] has one bit
