"""Field arrays on the host: ``REG.FIELD[i]`` and the element writes make the compiled code's
accesses (one load; one store, after one load for ``write``), and refuse what the checker
and the verifier refuse (RegisterError, IndexError, OverflowError)."""

from __future__ import annotations

from typing import Any

import pytest

from tamapy.fw.regs import RegisterError
from tamapy.sim.host import Host
from tamapy.sim.peripherals import Gpio
from tests.fw.support import DIFF1_BASE

PINS, EVT = DIFF1_BASE + 0x40, DIFF1_BASE + 0x50
GPIO1 = 0x0209C000


def _trace(host: Host) -> list[tuple[bool, int, int]]:
    return [(a.read, a.address, a.value) for a in host.trace]


def _diff1(host: Host) -> Any:
    host.reset(modules=False)
    return host.regs.DIFF1


def test_element_read_is_one_load_shifted_to_the_element(host: Host) -> None:
    d = _diff1(host)
    assert [d.PINS.P[n] for n in range(4)] == [1, 2, 3, 0]  # reset 0x800010D1: bits 1:0, 4:3, 7:6, 10:9
    assert _trace(host) == [(True, PINS, 0x800010D1)] * 4
    assert len(d.PINS.P) == 4


def test_element_write_is_a_read_modify_write_of_its_bits(host: Host) -> None:
    d = _diff1(host)
    d.PINS.P.write(2, 1)  # bits 7:6 from 3 to 1; EN and the other elements kept, reserved bit 12 forced
    assert _trace(host) == [(True, PINS, 0x800010D1), (False, PINS, 0x80001051)]


def test_element_alias_writes_store_the_elements_ones(host: Host) -> None:
    d = _diff1(host)
    d.PINS.P.set(3)
    d.PINS.P.clear(0)
    d.PINS.P.toggle(1)
    assert _trace(host) == [(False, PINS + 4, 3 << 9), (False, PINS + 8, 3), (False, PINS + 0xC, 3 << 3)]


def test_write_one_to_clear_element_stores_its_bit_alone(host: Host) -> None:
    d = _diff1(host)
    d.EVT.E.clear(5)
    assert _trace(host) == [(False, EVT, 1 << 5)]
    assert d.EVT.E[5] == 0  # 1 at reset (0xA5): cleared
    assert [d.EVT.E[n] for n in (0, 2, 7)] == [1, 1, 1] and d.EVT.COUNT == 5  # the others still pending


def test_value_elements_come_from_the_value_read(host: Host) -> None:
    d = _diff1(host)
    v = d.EVT.read()
    assert [v.E[n] for n in range(8)] == [1, 0, 1, 0, 0, 1, 0, 1] and v.COUNT == 5
    assert len(_trace(host)) == 1  # the elements cost no further load
    with pytest.raises(IndexError):
        v.E[8]


@pytest.mark.parametrize("index", [4, -1, 2**32])
def test_an_element_outside_the_array_raises_index_error(host: Host, index: int) -> None:
    d = _diff1(host)
    with pytest.raises(IndexError):
        d.PINS.P[index]
    with pytest.raises(IndexError):
        d.PINS.P.write(index, 0)
    with pytest.raises(IndexError):
        d.PINS.P.set(index)
    assert _trace(host) == []  # nothing reached the bus


def test_refused_uses_raise(host: Host) -> None:
    d = _diff1(host)
    with pytest.raises(OverflowError):
        d.PINS.P.write(0, 4)  # 2-bit element
    with pytest.raises(RegisterError, match="write-1-to-clear"):
        d.EVT.E.write(0, 1)  # read-modify-write of a W1C register
    with pytest.raises(RegisterError, match="field array"):
        d.PINS.modify(P=1)  # the array named as one field
    with pytest.raises(RegisterError, match="read-only"):
        host.regs.GPIO1.PSR.IO.write(0, 1)
    with pytest.raises(RegisterError, match="SET alias"):
        host.regs.GPIO1.DR.IO.set(0)  # GPIO has no aliases


def test_gpio_model_pads_follow_outputs_and_driven_inputs(host: Host) -> None:
    """PSR reads DR's bit for an output pin, the driven level for an input pin; an edge the ICR
    selects latches ISR, and clearing the element acknowledges it alone."""
    host.reset(modules=False)
    gpio = host.regs.GPIO1
    model = next(dev for dev in host.bus.devices if isinstance(dev, Gpio) and dev.instance == "GPIO1")
    gpio.GDIR.IO.write(3, 1)
    gpio.DR.IO.write(3, 1)
    assert gpio.PSR.IO[3] == 1 and gpio.PSR.IO[4] == 0
    gpio.ICR1.ICR.write(4, 2)  # rising edge
    model.drive(4, 1)
    model.drive(5, 1)  # pin 5: ICR 0 (low level), a rising edge is not its condition
    assert gpio.PSR.IO[4] == 1 and gpio.ISR.IO[4] == 1 and gpio.ISR.IO[5] == 0
    gpio.ISR.IO.clear(4)
    assert gpio.ISR.IO[4] == 0
    assert _trace(host)[-2] == (False, GPIO1 + 0x18, 1 << 4)
