"""Driver for the i.MX6UL GPIO blocks, for any instance and any of its 32 pins.

Each register holds one bit per pin (ICR1/ICR2 two), and the spec declares
them as field arrays, so pin ``n`` is ``gpio.DR.IO[n]`` and no bit position
is restated here.  The blocks have no SET/CLR/TOG aliases: changing one pin
is a read-modify-write of its bit.  The pad multiplexer (IOMUXC) must route
the pad to GPIO as well; that is the board's business, not this driver's.
"""

from typing import Final

from soc.imx6ul.regs import GPIO
from tamapy.fw import clock_enabled, requires, u32

PINS: Final = 32
"""Pins per instance, as far as the registers go (not every instance bonds out all 32)."""
OUTPUT: Final = 1
INPUT: Final = 0


@requires(lambda gpio, pin: clock_enabled(gpio) and pin < PINS)
def make_output(gpio: GPIO, pin: u32, level: u32) -> None:
    """Drive ``pin`` at ``level`` (0 or 1, anything else counts as 1).  DR is written
    first, so the pad never drives the stale level when GDIR turns it around."""
    gpio.DR.IO.write(pin, 1 if level != 0 else 0)
    gpio.GDIR.IO.write(pin, OUTPUT)


@requires(lambda gpio, pin: clock_enabled(gpio) and pin < PINS)
def make_input(gpio: GPIO, pin: u32) -> None:
    """Stop driving ``pin``; its level is then read from PSR."""
    gpio.GDIR.IO.write(pin, INPUT)


@requires(lambda gpio, pin: clock_enabled(gpio) and pin < PINS)
def set_pin(gpio: GPIO, pin: u32) -> None:
    """Drive an output pin high."""
    gpio.DR.IO.write(pin, 1)


@requires(lambda gpio, pin: clock_enabled(gpio) and pin < PINS)
def clear_pin(gpio: GPIO, pin: u32) -> None:
    """Drive an output pin low."""
    gpio.DR.IO.write(pin, 0)


@requires(lambda gpio, pin: clock_enabled(gpio) and pin < PINS)
def toggle_pin(gpio: GPIO, pin: u32) -> None:
    """Invert an output pin: DR reads back the level being driven, so flip that bit."""
    gpio.DR.IO.write(pin, gpio.DR.IO[pin] ^ 1)


@requires(lambda gpio, pin: clock_enabled(gpio) and pin < PINS)
def read_pin(gpio: GPIO, pin: u32) -> u32:
    """The level at the pad (PSR), 0 or 1, whether the pin is an input or an output."""
    return gpio.PSR.IO[pin]


@requires(lambda gpio, pin: clock_enabled(gpio) and pin < PINS)
def clear_event(gpio: GPIO, pin: u32) -> None:
    """Acknowledge ``pin``'s interrupt condition: ISR is write-1-to-clear, so writing the
    pin's one bit clears it alone and leaves every other pending pin pending."""
    gpio.ISR.IO.clear(pin)
