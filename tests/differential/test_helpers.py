"""Helper functions (tests/differential/firmware/difftest/subjects.py), compiled and in CPython.

Bit fields, loops over arrays and views, signed floor arithmetic, module
globals and enums, and the safety checks: an out-of-bounds index, a
division by zero, a failed assert and ``panic(code)`` must stop both sides
with the same code, after the same panic-hook output.
"""

from __future__ import annotations

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tamapy.abi import PANIC_ASSERT, PANIC_BOUNDS, PANIC_DIVIDE
from tests.differential.harness import Differential

U32 = st.integers(0, 2**32 - 1)
FEWER = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
"""For tests that compare several cases per example."""
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _signed(v: int, bits: int) -> int:
    return v - (1 << bits) if v >> (bits - 1) else v


@FEWER
@given(value=U32, field=U32, lsb=st.integers(0, 31), data=st.data())
def test_field_get_and_set(evk: Differential, value: int, field: int, lsb: int, data: st.DataObject) -> None:
    width = data.draw(st.integers(1, 32 - lsb))
    mask = (1 << width) - 1
    assert evk.check(20, value, lsb, width).value == (value >> lsb) & mask
    expected = (value & ~(mask << lsb) & 0xFFFFFFFF) | ((field & mask) << lsb)
    assert evk.check(21, value, lsb, width, field).value == expected


@FEWER
@given(value=U32)
def test_popcount_reverse_isqrt(evk: Differential, value: int) -> None:
    assert evk.check(22, value).value == bin(value).count("1")
    assert evk.check(23, value).value == int(f"{value:032b}"[::-1], 2)
    root = evk.check(24, value).value
    assert root is not None and root * root <= value < (root + 1) ** 2


@SETTINGS
@given(a=U32, b=U32)
def test_gcd(evk: Differential, a: int, b: int) -> None:
    evk.check(25, a, b)


@SETTINGS
@given(a=U32, b=U32, c=U32, n=st.integers(0, 12))
def test_crc8_of_a_view(evk: Differential, a: int, b: int, c: int, n: int) -> None:
    evk.check(26, a, b, c, n)


@SETTINGS
@given(seed=U32, n=st.integers(0, 8))
def test_insertion_sort_over_an_array(evk: Differential, seed: int, n: int) -> None:
    evk.check(27, seed, n)


@SETTINGS
@given(a=st.integers(0, 0xFFFF), b=st.integers(0, 0xFFFF))
def test_saturating_add(evk: Differential, a: int, b: int) -> None:
    expected = max(-32768, min(32767, (a - 32768) + (b - 32768)))
    assert evk.check(28, a, b).value == expected


@SETTINGS
@given(value=U32, bits=st.integers(1, 32))
def test_sign_extend(evk: Differential, value: int, bits: int) -> None:
    assert evk.check(29, value, bits).value == _signed(value & ((1 << bits) - 1), bits)


@SETTINGS
@given(a=U32, b=st.one_of(U32, st.just(2**31)))
def test_floor_division_with_signs_and_zero(evk: Differential, a: int, b: int) -> None:
    sa, sb = a - 2**31, b - 2**31
    assume(not (sa == -(2**31) and sb == -1))  # the quotient does not fit i32: outside the proved domain
    result = evk.check(30, a, b)
    if sb == 0:
        assert (result.status, result.value) == ("panic", PANIC_DIVIDE)
    else:
        assert result.value == (sa // sb) * 1000 + sa % sb + (sa >> 3)


@FEWER
@given(n=st.integers(0, 40), d=st.integers(0, 3), value=st.integers(0, 1500))
def test_safety_checks_panic_alike(evk: Differential, n: int, d: int, value: int) -> None:
    result = evk.check(40, n)
    assert (result.status, result.value) == (("returned", 7 if n == 0 else 0) if n < 4 else ("panic", PANIC_BOUNDS))
    result = evk.check(41, n, d)
    assert (result.status, result.value) == (("returned", n // d) if d else ("panic", PANIC_DIVIDE))
    result = evk.check(42, value)
    assert (result.status, result.value) == (("returned", value + 1) if value < 1000 else ("panic", PANIC_ASSERT))


@SETTINGS
@given(code=U32)
def test_explicit_panic(armory: Differential, code: int) -> None:
    result = armory.check(43, code)
    assert (result.status, result.value) == (("returned", code) if code < 0x100 else ("panic", code))
    if code >= 0x100:
        assert dict(result.sent)["UART2"] == f"tamapy: panic 0x{code:08x}\n".encode()


@SETTINGS
@given(a=U32, b=U32, c=U32)
def test_enum_results_and_module_globals(evk: Differential, a: int, b: int, c: int) -> None:
    evk.check(70, a, b, c)


@SETTINGS
@given(a=U32, b=U32, i=st.integers(0, 9), j=st.integers(0, 9))
def test_views_of_views_and_their_bounds(evk: Differential, a: int, b: int, i: int, j: int) -> None:
    result = evk.check(31, a, b, i, j)
    assert result.status == ("returned" if i <= j <= 7 else "panic")


@SETTINGS
@given(a=U32, b=U32)
def test_arrays_are_passed_by_reference(evk: Differential, a: int, b: int) -> None:
    evk.check(32, a, b)


@SETTINGS
@given(a=U32, b=U32, i=st.integers(0, 9))
def test_views_chosen_by_a_condition(evk: Differential, a: int, b: int, i: int) -> None:
    """Each arm's own length travels with the chosen view (CRC and weights differ per arm)."""
    assert evk.check(33, a, b, i).status == "returned"


@SETTINGS
@given(seed=U32, i=st.integers(0, 7), n=st.integers(0, 7))
def test_writes_through_a_mutview(evk: Differential, seed: int, i: int, n: int) -> None:
    """Writes land in the caller's array at the window's offset; a write past the window panics."""
    result = evk.check(34, seed, i, n)
    assert result.status == ("returned" if i + n <= 8 else "panic")


WORDS = (0x428A2F98, 0xFFFFFFFF, 0, 1, 0x80000000, 0x12345678, 0xDEADBEEF, 0x70000000)
HALVES = (0xFFFF, 0x8000, 0x00FF, 8, 7)
SIGNED = (-128, -1, 0, 1, 127, -9)


@SETTINGS
@given(i=st.integers(0, 9), j=st.integers(0, 6), k=st.integers(0, 7))
def test_constant_tables(evk: Differential, i: int, j: int, k: int) -> None:
    """u32, u16 and i8 tables read alike compiled and in CPython; an index past the end panics on both."""
    result = evk.check(35, i, j, k)
    if i < 8 and j < 5 and k < 6:
        expected = (WORDS[i] ^ (HALVES[j] << 3)) * 300 + SIGNED[k] * 7 + (sum(WORDS[i:]) & 0xFFFF)
        assert (result.status, result.value) == ("returned", expected)
    else:
        assert (result.status, result.value) == ("panic", PANIC_BOUNDS)


@SETTINGS
@given(a=U32, b=U32, i=st.integers(0, 3))
def test_struct_members(evk: Differential, a: int, b: int, i: int) -> None:
    """Members of every width at their offsets, a bytes member written through a window, a member
    array indexed: the same digest compiled and in CPython; an index past the member panics on both."""
    result = evk.check(36, a, b, i)
    assert (result.status, result.value if result.status == "panic" else None) == (
        ("returned", None) if i < 3 else ("panic", PANIC_BOUNDS))
