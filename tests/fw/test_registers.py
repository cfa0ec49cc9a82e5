"""Register objects against the spec: one access each, with the value the compiler would store.

The expected values are computed here from the spec, independently of
:mod:`tamapy.fw.regs`, following docs/subset.md ("Registers") and the
compiler's lowering; the spec model's ``Register.write_base`` (which the
compiler and the host both store over) is checked for every register of the
shipped maps.
"""

from __future__ import annotations

import contextlib
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tamapy.fw.live import Live
from tamapy.fw.regs import RegisterClaimError, RegisterError, RegisterNameError
from tamapy.sim.host import Host, Stopped
from tamapy.sim.outcome import MmioAccess
from tamapy.specs.model import Access as Kind
from tamapy.specs.model import Register
from tests.fw.support import DIFF1_BASE

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _registers(host: Host) -> list[tuple[str, int, Register]]:
    return [(inst, base, reg) for p in host.soc.peripherals if p.name not in host.variant.absent
            for inst, base in p.instances for reg in p.storage]


def _handle(host: Host, inst: str, reg: Register) -> Any:
    """The host register object of ``reg`` (an array element as ``REG[i]``)."""
    name, _, element = reg.name.partition("[")
    handle = getattr(getattr(host.regs, inst), name)
    return handle[int(element[:-1])] if element else handle


def test_write_base_follows_docs_subset(host: Host) -> None:
    """Unnamed fields at reset, W1C fields 0, reserved bits at reserved_value (the compiler uses
    the same ``Register.write_base``)."""
    for _, _, reg in _registers(host):
        expected = reg.reserved_value
        for f in reg.fields:
            if f.access is not Kind.W1C:
                expected |= reg.reset & f.mask  # every element of a field array
        assert reg.write_base == expected, reg.name


def _w(address: int, width: int, value: int) -> tuple[bool, int, int, int]:
    return False, address, width, value


def _trace(host: Host) -> list[tuple[bool, int, int, int]]:
    return [(a.read, a.address, a.width, a.value) for a in host.trace]


def _diff1(host: Host) -> Any:
    return host.regs.DIFF1


@SETTINGS
@given(data=st.data())
def test_field_writes_pack_over_the_write_base(host: Host, data: st.DataObject) -> None:
    """For every writable register: write(F=v...) is one store of base-with-named-fields-cleared | fields."""
    host.reset(modules=False)
    targets = [(i, b, r) for i, b, r in _registers(host) if r.access is not Kind.RO
               and any(f.access is not Kind.RO and f.count is None for f in r.fields) and host.gate_open(i)]
    inst, base, reg = data.draw(st.sampled_from(targets))
    writable = [f for f in reg.fields if f.access is not Kind.RO and f.count is None]  # arrays: one element at a time
    chosen = data.draw(st.lists(st.sampled_from(writable), min_size=1, unique=True))
    values = {f.name: data.draw(st.integers(0, f.max_value)) for f in chosen}
    expected = reg.write_base
    for f in chosen:
        expected = (expected & ~f.mask) | (values[f.name] << f.lsb)
    # Some writes end the run (a watchdog software reset, an SNVS power-off): the store happened.
    with contextlib.suppress(Stopped):
        _handle(host, inst, reg).write(**values)
    assert _trace(host) == [_w(base + reg.offset, reg.width, expected)]


def test_write_base_details(host: Host) -> None:
    diff1 = _diff1(host)
    diff1.STAT.write(FLAGS=0)  # W1C fields (DONE, ERR) 0 in the base: nothing cleared; RO DEPTH at reset
    diff1.CTRL.write(MODE=0xA)  # SPEED and LEVEL at reset, reserved bit 31 at reserved_value (1)
    diff1.CFG.write(A=1)  # reserved bits 23:16 at 0x34, C and D at reset
    assert _trace(host) == [
        _w(DIFF1_BASE + 0x10, 32, 0x0F0),
        _w(DIFF1_BASE, 32, 0x80A0030A),
        _w(DIFF1_BASE + 0x20, 32, 0x12340001),
    ]


def test_modify_keeps_unnamed_fields_and_forces_reserved_bits(host: Host) -> None:
    diff1 = _diff1(host)
    host.device("DIFF1").set_value("CFG", 0x55AA00FF)  # reserved bits wrongly set in the model
    diff1.CFG.modify(B=3)
    assert _trace(host) == [(True, DIFF1_BASE + 0x20, 32, 0x55AA00FF), _w(DIFF1_BASE + 0x20, 32, 0x5534003F)]


def test_aliases_and_w1c_clear(host: Host) -> None:
    diff1 = _diff1(host)
    diff1.CTRL.set(MODE=3, LEVEL=0x81)
    diff1.CTRL.clear(SPEED=2)
    diff1.CTRL.toggle(MODE=1)
    diff1.STAT.clear(DONE=1, FLAGS=0xF)  # W1C without a CLR alias: the register itself, just those bits
    assert _trace(host) == [
        _w(DIFF1_BASE + 0x4, 32, 0x00810003),
        _w(DIFF1_BASE + 0x8, 32, 0x200),
        _w(DIFF1_BASE + 0xC, 32, 0x1),
        _w(DIFF1_BASE + 0x10, 32, 0xF01),
    ]
    assert host.device("DIFF1").value("STAT") == 0x0F2  # DONE and FLAGS cleared, ERR and DEPTH kept


def test_raw_writes_and_narrow_registers(host: Host) -> None:
    diff1 = _diff1(host)
    diff1.CTRL.write(0x80000001)
    diff1.BYTE.write(0xA5)
    diff1.HALF.write(Y=0x12)
    assert _trace(host) == [_w(DIFF1_BASE, 32, 0x80000001), _w(DIFF1_BASE + 0x30, 8, 0xA5),
                            _w(DIFF1_BASE + 0x34, 16, 0x12EF)]


def test_reads_are_one_load_and_return_live_values(host: Host) -> None:
    diff1 = _diff1(host)
    whole = diff1.CTRL.read()
    level = diff1.CTRL.LEVEL
    half = diff1.HALF.Y
    assert (whole, level, half) == (0x80A00305, 0xA0, 0xBE)
    assert isinstance(level, Live)
    assert _trace(host) == [(True, DIFF1_BASE, 32, 0x80A00305), (True, DIFF1_BASE, 32, 0x80A00305),
                            (True, DIFF1_BASE + 0x34, 16, 0xBEEF)]
    assert all(isinstance(a, MmioAccess) and a.register.startswith("DIFF1.") for a in host.trace)


def test_register_values_are_claims(host: Host) -> None:
    diff1 = _diff1(host)
    with pytest.raises(OverflowError, match=r"4-bit field DIFF1\.CTRL\.MODE"):
        diff1.CTRL.write(MODE=16)
    with pytest.raises(OverflowError, match="u8"):
        diff1.CTRL.write(LEVEL=-1)
    with pytest.raises(OverflowError, match="u32"):
        diff1.CTRL.write(2**32)
    with pytest.raises(RegisterClaimError, match="reserved bits"):
        diff1.CTRL.write(0x1)  # bit 31 must be written 1
    assert host.trace == []  # nothing reached the bus


@pytest.mark.parametrize(("action", "message"), [
    (lambda d: d.FIFO.write(VALUE=1), "read-only"),
    (lambda d: d.CTRL.write(BUSY=1), "read-only"),
    (lambda d: d.CTRL.write(NOPE=1), "no field"),
    (lambda d: d.CTRL.NOPE, "no field"),
    (lambda d: d.NOPE, "no register"),
    (lambda d: d.DATA.read(), "write-only"),
    (lambda d: d.DATA.V, "write-only"),
    (lambda d: d.STAT.modify(FLAGS=1), "write-1-to-clear"),
    (lambda d: d.FIFO.modify(VALUE=1), "read-only"),
    (lambda d: d.DATA.modify(V=1), "write-only"),
    (lambda d: d.CFG.set(A=1), "no SET alias"),
    (lambda d: d.STAT.clear(FLAGS=1), "writes ones"),
    (lambda d: d.CTRL.write(), "at least one"),
    (lambda d: d.CTRL.write(1, MODE=1), "one value"),
    (lambda d: setattr(d.CTRL, "MODE", 1), "through their methods"),
    (lambda d: setattr(d, "CTRL", 1), "read-only"),
], ids=lambda x: x if isinstance(x, str) else "")
def test_checker_rules_raise_register_error(host: Host, action: Any, message: str) -> None:
    with pytest.raises(RegisterError, match=message):
        action(_diff1(host))
    assert host.trace == []


def test_unknown_names_are_also_attribute_errors(host: Host) -> None:
    diff1 = _diff1(host)
    assert not hasattr(diff1, "NOPE") and not hasattr(diff1.CTRL, "NOPE")
    with pytest.raises(RegisterNameError):
        _ = diff1.CTRL.NOPE


def test_modify_of_a_read_sensitive_register_is_refused(host: Host) -> None:
    urxd = host.regs.UART1.URXD
    with pytest.raises(RegisterError):
        urxd.modify(RX_DATA=1)


def test_peripheral_types_and_instances(host: Host) -> None:
    regs = host.regs
    assert isinstance(regs.UART1, regs.UART) and not isinstance(regs.DIFF1, regs.UART)
    assert regs.UART.spec.name == "UART" and regs.UART3.base == 0x021EC000
    assert regs.UART3.instance_name == "UART3" and repr(regs.UART3.UCR1).startswith("<register UART3.UCR1")


def test_bus_rules_still_apply(host: Host) -> None:
    """The host's accesses go through the simulator's bus: a gated instance faults there."""
    from tamapy.sim.bus import BusFault

    with pytest.raises(BusFault) as info:
        host.regs.DIFF2.CTRL.read()
    assert info.value.kind == "clock-gated" and host.trace == []
