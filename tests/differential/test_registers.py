"""Register field packing, compiled and in CPython: the same accesses with the same values.

The DIFF block (tests/fw/data/diff.toml) has every kind of register the
rules distinguish; the subjects write fields with values only known at run
time, so the packing, the write base (reset values, W1C zeros, reserved
bits), aliases, read-modify-write, narrow widths, ``poll`` re-evaluation
and evaluation order are all compared access by access.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tamapy.abi import PANIC_BOUNDS
from tests.differential.harness import Differential

U32 = st.integers(0, 2**32 - 1)
BYTE = st.integers(0, 255)
FEWER = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
"""For tests that compare several cases per example."""
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@FEWER
@given(mode=BYTE, speed=BYTE, level=BYTE)
def test_write_modify_and_alias_packing(evk: Differential, mode: int, speed: int, level: int) -> None:
    evk.check(50, mode, speed, level)
    evk.check(51, mode, speed, level)


@SETTINGS
@given(done=st.booleans(), flags=BYTE)
def test_write_one_to_clear(evk: Differential, done: bool, flags: int) -> None:
    evk.check(52, int(done), flags)


@SETTINGS
@given(a=BYTE, c=BYTE, raw=U32)
def test_modify_keeps_fields_and_forces_reserved_bits(evk: Differential, a: int, c: int, raw: int) -> None:
    evk.check(53, a, c, raw)


@SETTINGS
@given(lo=BYTE, y=BYTE)
def test_8_and_16_bit_registers(evk: Differential, lo: int, y: int) -> None:
    evk.check(54, lo, y)


@SETTINGS
@given(mode=BYTE, speed=BYTE, level=BYTE, case=U32)
def test_poll_reevaluates_compound_conditions(evk: Differential, mode: int, speed: int, level: int, case: int) -> None:
    evk.check(56, mode, speed, level, case)


@SETTINGS
@given(k=st.integers(1, 7), limit=st.integers(0, 45), data=st.binary(max_size=45))
def test_receive_loop_with_read_sensitive_register(evk: Differential, k: int, limit: int, data: bytes) -> None:
    result = evk.check(57, k, limit, rx={f"UART{k}": data})
    assert result.value is not None and result.value >> 24 == min(len(data), limit or 40, 40)


def test_clock_gated_access_faults_alike(evk: Differential) -> None:
    result = evk.check(58)
    assert result.status == "fault" and result.fault == ("clock-gated", 0x02301000)


@SETTINGS
@given(op=st.sampled_from([60, 61, 62, 64, 65]), ctrl=U32, cfg=U32, narrow=U32)
def test_evaluation_order_of_register_reads(evk: Differential, op: int, ctrl: int, cfg: int, narrow: int) -> None:
    evk.check(op, ctrl, cfg, narrow)


@SETTINGS
@given(n=BYTE)
def test_modify_evaluates_field_values_before_the_load(evk: Differential, n: int) -> None:
    """``CFG.modify(B=CTRL.MODE)``: CPython reads CTRL (the argument) before modify loads CFG.

    The compiled code used to load CFG first; these tests found it (the lowering
    now evaluates the field values first)."""
    result = evk.check(55, n)
    assert [a.register for a in result.named_trace if a.read] == ["DIFF1.CTRL", "DIFF1.CFG", "DIFF1.CFG"]


def test_a_model_ending_the_run_stops_both_sides(evk: Differential) -> None:
    result = evk.check(59, 7)
    assert result.status == "stopped" and len(result.trace) == 2  # nothing after the WDOG store ran


@SETTINGS
@given(i=st.integers(0, 7), a=BYTE, b=BYTE)
def test_register_array_elements_are_registers_of_their_own(evk: Differential, i: int, a: int, b: int) -> None:
    result = evk.check(87, i, a, b)
    lo = [k + 1 for k in range(4)]
    lo[(i + 1) & 3] |= b & 0xF0  # SET alias: ones are set
    expected = (lo[0] << 24 | lo[1] << 16 | lo[2] << 8 | lo[3]) ^ (a << 24)
    assert result.value == expected & 0xFFFFFFFF
    slots = {name: value for inst, name, value in result.registers if inst == "DIFF1" and name.startswith("SLOT")}
    assert [slots[f"SLOT[{k}]"] & 0xFF for k in range(4)] == lo  # one value per element, as stored


@SETTINGS
@given(i=U32, a=U32, b=U32)
def test_field_array_elements(evk: Differential, i: int, a: int, b: int) -> None:
    """Element writes (read-modify-write, SET/CLR/TOG, write-1-to-clear) and reads of field arrays
    at run-time indexes: the same accesses with the same values, compiled and in CPython."""
    result = evk.check(88, i, a, b)
    pins = [1, 2, 3, 0]  # PINS.P at reset (0x800010D1)
    k = i & 3
    pins[k] = a & 3
    pins[(k + 1) & 3] = 3  # SET alias: the element's ones set
    pins[(k + 2) & 3] = 0  # CLR alias
    pins[(k + 3) & 3] ^= 3  # TOG alias
    events = 0xA5 & ~(1 << (b & 7))  # EVT.E at reset, one element cleared by writing it 1
    total = pins[0] << 6 | pins[1] << 4 | pins[2] << 2 | pins[3]
    bit = (events >> ((b + 1) & 7)) & 1
    from_value = (events >> ((b + 2) & 7)) & 1  # an element of the value read, at a run-time index
    assert result.value == total << 16 | bit << 8 | from_value << 4 | (events >> 7) << 1 | (events & 1)
    stored = {name: value for inst, name, value in result.registers if inst == "DIFF1"}
    assert stored["PINS"] == 0x80001000 | sum(p << (3 * n) for n, p in enumerate(pins))  # EN kept, reserved bit 1


@SETTINGS
@given(i=st.one_of(st.integers(0, 9), U32), j=st.one_of(st.integers(0, 12), U32))
def test_field_array_element_outside_panics_alike(evk: Differential, i: int, j: int) -> None:
    """An element index outside the array: a bounds panic compiled, IndexError in CPython."""
    result = evk.check(90, i, j)
    if i < 4 and j < 8:
        assert result.status == "returned" and result.value == ([1, 2, 3, 0][i] << 1) | ((0xA5 >> j) & 1)
    else:
        assert (result.status, result.value) == ("panic", PANIC_BOUNDS)


@SETTINGS
@given(pin=st.integers(0, 40), level=U32, steps=st.integers(0, 9))
def test_gpio_driver_against_the_model(evk: Differential, pin: int, level: int, steps: int) -> None:
    """The GPIO driver on the GPIO model: an output's pad follows DR, toggles flip it, an input
    that nothing drives reads 0."""
    result = evk.check(89, pin, level, steps)
    driven = (1 if level else 0) ^ ((steps & 7) % 2)
    assert result.status == "returned" and result.value == driven << 1
