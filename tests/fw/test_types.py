"""Machine types, arrays and views: range claims raise, views are live and read-only."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

import tamapy.fw as fw
from tamapy.fw import (
    Array,
    ArrayView,
    Bytes,
    Dma,
    FixedArray,
    View,
    i8,
    i16,
    i32,
    i64,
    u8,
    u16,
    u32,
    u64,
)
from tamapy.fw.types import MACHINE_TYPES, MachineType, claim, unsigned_for_bits

RANGES = {u8: (0, 255), u16: (0, 65535), u32: (0, 2**32 - 1), u64: (0, 2**64 - 1),
          i8: (-128, 127), i16: (-32768, 32767), i32: (-(2**31), 2**31 - 1), i64: (-(2**63), 2**63 - 1)}


def test_public_names_of_the_old_module_are_kept() -> None:
    for name in ("ContractError", "Panic", "u8", "u16", "u32", "u64", "i8", "i16", "i32", "i64", "FixedArray",
                 "Array", "Bytes", "View", "requires", "ensures", "trusted", "invariant", "decreases", "poll",
                 "forever", "clock_enabled", "panic", "wfi", "dsb", "isb", "dmb", "mmio", "F"):
        assert hasattr(fw, name), name
    assert set(fw.__all__) <= set(dir(fw))


@pytest.mark.parametrize("t", list(RANGES), ids=lambda t: t.__name__)
def test_range_claims(t: MachineType) -> None:
    lo, hi = RANGES[t]
    assert (t.min, t.max) == (lo, hi) and t.bits in (8, 16, 32, 64)
    assert t(lo) == lo and t(hi) == hi
    assert type(t(hi)) is int  # values stay plain ints: arithmetic is Python's
    for bad in (lo - 1, hi + 1):
        with pytest.raises(OverflowError, match=t.__name__):
            t(bad)
    assert isinstance(hi, t) and not isinstance(hi + 1, t) and not isinstance(True, t)


def test_u8_300_raises_and_conversions_accept_bools_and_enums() -> None:
    with pytest.raises(OverflowError):
        u8(300)
    assert u32(True) == 1 and u8() == 0
    assert MACHINE_TYPES["u16"] is u16
    assert unsigned_for_bits(1) is u8 and unsigned_for_bits(9) is u16 and unsigned_for_bits(32) is u32
    assert claim(u8, 5, "speed") == 5
    with pytest.raises(OverflowError, match=r"speed = 500 does not fit i8 \(-128..127\)"):
        claim(i8, 500, "speed")


@given(st.integers(-(2**70), 2**70))
def test_claims_agree_with_the_range(v: int) -> None:
    for t, (lo, hi) in RANGES.items():
        if lo <= v <= hi:
            assert t(v) == v
        else:
            with pytest.raises(OverflowError):
                t(v)


def test_arrays_are_zeroed_bounded_and_element_checked() -> None:
    buf = Bytes[4]()
    words = Array[u32, 3]()
    assert isinstance(buf, FixedArray) and len(buf) == 4 and buf.tolist() == [0, 0, 0, 0]
    buf[3] = 255
    words[2] = 2**32 - 1
    assert buf[3] == 255 and words[2] == 2**32 - 1
    with pytest.raises(OverflowError):
        buf[0] = 256
    with pytest.raises(IndexError):
        buf[4] = 1
    with pytest.raises(IndexError):
        _ = words[-1]  # the compiled bounds check is unsigned: no negative indexing
    assert bytes(buf) == b"\0\0\0\xff" and repr(buf) == "Bytes[4](b'\\x00\\x00\\x00\\xff')"
    assert repr(Array[u32, 3]) == "Array[u32, 3]" and repr(Dma[Bytes[64]]) == "Dma[Bytes[64]]"
    assert View[u8] is object
    with pytest.raises(TypeError):
        _ = Array[int, 3]


def test_constant_tables_hold_their_elements_and_refuse_writes() -> None:
    k = Array[u32, 3](0x428A2F98, 0, 2**32 - 1)
    signs = Array[i8, 2](-128, 127)
    assert isinstance(k, FixedArray) and k.tolist() == [0x428A2F98, 0, 2**32 - 1] and k[2] == 2**32 - 1
    assert signs[0] == -128 and k[1:3].tolist() == [0, 2**32 - 1]
    with pytest.raises(TypeError):
        k[0] = 1
    with pytest.raises(TypeError):
        _ = Array[u32, 3](1, 2)  # the count is the length
    with pytest.raises(OverflowError):
        _ = Array[u16, 2](1, 0x10000)
    with pytest.raises(OverflowError):
        _ = Array[u32, 1](-1)


def test_slices_are_live_windows() -> None:
    buf = Bytes[6]()
    view = buf[1:4]
    assert isinstance(view, ArrayView) and len(view) == 3
    buf[2] = 9
    assert view[1] == 9  # sees the later store, as the compiled pointer+length view does
    assert view[1:3].tolist() == [9, 0] and bytes(buf[:2]) == b"\0\0" and len(buf[4:]) == 2
    # A MutView parameter writes through the window into the array (the checker decides
    # which views may be written); the element's range and the window's bounds are checked.
    view[0] = 7
    assert buf.tolist() == [0, 7, 9, 0, 0, 0]
    with pytest.raises(IndexError):
        view[3] = 1
    with pytest.raises(OverflowError):
        view[0] = 256
    with pytest.raises(IndexError):
        _ = view[3]
    for bad in (slice(4, 2), slice(0, 7), slice(0, 2, 1)):
        with pytest.raises(IndexError):
            _ = buf[bad]
