"""The GPIO block: 32 pins, each an input or an output, with pad levels a test drives.

Modelled (RM "GPIO", functional description):

* DR holds the level each output pin drives.  A read of DR returns DR's bit
  for an output pin (GDIR = 1) and the pad's level for an input pin.
* PSR reads the pads: an output pin's pad is at the level DR drives; an input
  pin's pad is what :meth:`Gpio.drive` last put on it (0 at reset: nothing
  outside the chip drives it).
* ISR (write-1-to-clear) latches an input pin's interrupt condition when its
  pad changes through :meth:`Gpio.drive`: per EDGE_SEL (either edge) or its
  two ICR1/ICR2 bits (0 low level, 1 high level, 2 rising, 3 falling edge).
  IMR only masks the interrupt line, which is not modelled (no GIC model), so
  it does not gate ISR, as in the hardware.

Not modelled: the pad multiplexer (IOMUXC): every pin is taken as routed to
its GPIO, and an output pin's pad follows DR at once.
"""

from __future__ import annotations

from tamapy.sim.peripherals.base import RegisterFile
from tamapy.specs.model import Peripheral, Register

PINS = 32
LOW_LEVEL, HIGH_LEVEL, RISING, FALLING = 0, 1, 2, 3


class Gpio(RegisterFile):
    """One GPIO instance."""

    def __init__(self, peripheral: Peripheral, instance: str, base: int) -> None:
        self._pads = 0
        """The levels put on the pads from outside (input pins only count)."""
        super().__init__(peripheral, instance, base)
        for name in ("DR", "GDIR", "PSR", "ICR1", "ICR2", "ISR", "EDGE_SEL"):
            self.register(name)

    def reset(self) -> None:
        super().reset()
        self._pads = 0

    def pads(self) -> int:
        """Every pad's level: DR's bit for an output pin, the driven level for an input."""
        outputs = self.value("GDIR")
        return (self.value("DR") & outputs) | (self._pads & ~outputs & 0xFFFF_FFFF)

    def read(self, reg: Register) -> int:
        if reg.name in ("PSR", "DR"):  # DR: its own bit for an output pin, the pad's for an input
            return self.pads()
        return super().read(reg)

    def drive(self, pin: int, level: int) -> None:
        """Put ``level`` on input pad ``pin`` from outside (a test's button or signal)."""
        if not 0 <= pin < PINS:
            raise IndexError(f"{self.instance} has pins 0..{PINS - 1}, not {pin}")
        before = (self.pads() >> pin) & 1
        self._pads = (self._pads & ~(1 << pin)) | ((1 if level else 0) << pin)
        if (self.value("GDIR") >> pin) & 1:
            return  # an output pin's pad follows DR, not the outside
        after = (self.pads() >> pin) & 1
        if self._condition(pin, before, after):
            self.set_value("ISR", self.value("ISR") | (1 << pin))

    def _condition(self, pin: int, before: int, after: int) -> bool:
        """Whether the pad's change from ``before`` to ``after`` is pin's interrupt condition."""
        if (self.value("EDGE_SEL") >> pin) & 1:
            return before != after
        icr = self.value("ICR1" if pin < PINS // 2 else "ICR2")
        mode = (icr >> (2 * (pin % (PINS // 2)))) & 0b11
        return {LOW_LEVEL: after == 0, HIGH_LEVEL: after == 1,
                RISING: before == 0 and after == 1, FALLING: before == 1 and after == 0}[mode]
