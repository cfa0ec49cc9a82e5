"""The GPIO model on the bus: pads, direction, and the interrupt conditions ISR latches."""

from __future__ import annotations

import pytest

from tamapy.sim.peripherals import Gpio

from .support import Bench

GPIO4 = 0x020A8000
DR, GDIR, PSR, ICR1, ICR2, ISR, EDGE_SEL = 0x0, 0x4, 0x8, 0xC, 0x10, 0x18, 0x1C


def _gpio4(bench: Bench) -> Gpio:
    return next(d for d in bench.bus.devices if isinstance(d, Gpio) and d.instance == "GPIO4")


def test_outputs_drive_their_pads_and_inputs_read_the_outside() -> None:
    bench = Bench()
    model = _gpio4(bench)
    bench.w(GPIO4 + GDIR, 0x0000_00F0)  # pins 4..7 outputs
    bench.w(GPIO4 + DR, 0xFFFF_FF50)  # DR bits of input pins are stored, not driven
    model.drive(0, 1)
    model.drive(5, 0)  # an output pin: the outside does not change its pad
    assert bench.r(GPIO4 + PSR) == 0x0000_0051
    assert bench.r(GPIO4 + DR) == 0x0000_0051  # an input pin's DR bit reads its pad
    assert model.value("DR") == 0xFFFF_FF50


@pytest.mark.parametrize(("mode", "levels", "latched"), [
    (0, [1, 0], True),  # low level
    (1, [0, 1], True),  # high level
    (2, [1, 0], False),  # rising edge: a falling one is not it
    (2, [0, 1], True),
    (3, [1, 0], True),  # falling edge
    (3, [0, 1], False),
])
def test_isr_latches_the_configured_condition(mode: int, levels: list[int], latched: bool) -> None:
    bench = Bench()
    model = _gpio4(bench)
    pin = 20  # ICR2 holds pins 16..31, two bits each
    model.drive(pin, levels[0])
    bench.w(GPIO4 + ISR, 0xFFFF_FFFF)  # acknowledge whatever the first level latched
    bench.w(GPIO4 + ICR2, mode << (2 * (pin - 16)))
    model.drive(pin, levels[1])
    assert bench.r(GPIO4 + ISR) == ((1 << pin) if latched else 0)


def test_edge_select_overrides_icr_and_isr_clears_by_writing_one() -> None:
    bench = Bench()
    model = _gpio4(bench)
    bench.w(GPIO4 + ICR1, 0xFFFF_FFFF)  # falling edge everywhere, overridden below for pin 3
    bench.w(GPIO4 + EDGE_SEL, 1 << 3)
    model.drive(3, 1)  # a rising edge: either edge counts
    model.drive(9, 1)
    assert bench.r(GPIO4 + ISR) == 1 << 3
    model.drive(9, 0)  # pin 9's falling edge
    assert bench.r(GPIO4 + ISR) == (1 << 3) | (1 << 9)
    bench.w(GPIO4 + ISR, 1 << 3)  # write-1-to-clear: pin 9 stays pending
    assert bench.r(GPIO4 + ISR) == 1 << 9
    with pytest.raises(IndexError):
        model.drive(32, 1)
