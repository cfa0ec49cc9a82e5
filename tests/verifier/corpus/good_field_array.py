# expect: proved
# Twins of the *_field_array* programs: bounds, widths and gates established.
from soc.imx6ul.regs import GPIO, GPIO1, GPIO2
from tamapy.fw import RegValue, clock_enabled, requires, u32


@requires(lambda pin: pin < 32 and clock_enabled(GPIO1))
def level(pin: u32) -> u32:
    return GPIO1.PSR.IO[pin]


@requires(lambda gpio, pin: pin < 32 and clock_enabled(gpio))
def make_output(gpio: GPIO, pin: u32) -> None:
    gpio.GDIR.IO.write(pin, 1)


@requires(lambda pin: pin < 32 and clock_enabled(GPIO1))
def trigger(pin: u32) -> u32:
    if pin < 16:
        return GPIO1.ICR1.ICR[pin]
    return GPIO1.ICR2.ICR[pin - 16]


@requires(lambda pin, value: pin < 32 and clock_enabled(GPIO1))
def drive(pin: u32, value: u32) -> None:
    GPIO1.DR.IO.write(pin, value & 1)


@requires(lambda pin, mode: pin < 16 and mode <= 3 and clock_enabled(GPIO1))
def configure(pin: u32, mode: u32) -> None:
    GPIO1.ICR1.ICR.write(pin, mode)


@requires(lambda gpio, pin: pin < 32 and clock_enabled(gpio))
def acknowledge(gpio: GPIO, pin: u32) -> None:
    gpio.ISR.IO.clear(pin)


@requires(lambda: clock_enabled(GPIO2))
def low_pins() -> u32:
    psr: RegValue[GPIO2.PSR] = GPIO2.PSR.read()
    return psr.IO[0] | psr.IO[1] << 1


@requires(lambda pin: pin < 32 and clock_enabled(GPIO1))
def pending(pin: u32) -> u32:
    isr: RegValue[GPIO1.ISR] = GPIO1.ISR.read()
    return isr.IO[pin] + isr.IO[31 - pin]
