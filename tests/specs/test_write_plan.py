"""The register write plan: what each kind of field write stores, where, and what it keeps.

The compiler, the host register objects and the verifier all apply this one
plan, so these tests pin its arithmetic against docs/subset.md ("Registers").
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tamapy.specs import load_soc
from tamapy.specs.model import Access, Field, Register

ROOT = Path(__file__).resolve().parents[2]

CTRL = Register(
    "CTRL", 0x10, 32, Access.RW, reset=0x0000_0305,
    fields=(
        Field("EN", 0, 1, Access.RW, reset=1),
        Field("MODE", 2, 2, Access.RW, reset=1),
        Field("DONE", 8, 1, Access.W1C, reset=1),
        Field("LEVEL", 9, 3, Access.RW, reset=0),
    ),
    aliases=("SET", "CLR"),
    reserved_value=0x8000_0000,
)
"""Reserved bits at 0x80000000; DONE is write-1-to-clear; no TOG alias."""


def test_write_stores_over_the_write_base() -> None:
    plan = CTRL.write_plan("write", ["MODE"])
    # EN at its reset value 1, DONE (W1C) 0, LEVEL at reset 0, MODE cleared for the new value.
    assert (plan.offset, plan.keep, plan.forced, plan.reads_old) == (0x10, 0, 0x8000_0001, False)
    assert [(s.name, s.shift, s.mask) for s in plan.slots] == [("MODE", 2, 3)]


def test_modify_keeps_unnamed_fields_and_forces_reserved_bits() -> None:
    plan = CTRL.write_plan("modify", ["LEVEL", "EN"])
    assert plan.reads_old
    assert plan.keep == CTRL.field_mask & ~(0b111 << 9) & ~1
    assert plan.forced == 0x8000_0000
    assert [s.name for s in plan.slots] == ["LEVEL", "EN"]


@pytest.mark.parametrize(("kind", "offset"), [("set", 0x14), ("clear", 0x18), ("toggle", 0x10)])
def test_alias_writes_store_only_the_named_fields(kind: str, offset: int) -> None:
    """``toggle`` has no TOG alias here: the checker refuses it; the plan still names the register."""
    plan = CTRL.write_plan(kind, ["MODE"])
    assert (plan.offset, plan.keep, plan.forced, plan.reads_old) == (offset, 0, 0, False)


def test_unknown_fields_and_kinds_are_callers_bugs() -> None:
    with pytest.raises(KeyError):
        CTRL.write_plan("write", ["NOPE"])
    with pytest.raises(ValueError, match="raw"):
        CTRL.write_plan("raw", [])


def test_forced_field_reads_a_fields_constant_back() -> None:
    plan = CTRL.write_plan("write", ["LEVEL"])
    assert [plan.forced_field(f) for f in CTRL.fields] == [1, 1, 0, 0]


def _shipped_registers() -> list[Register]:
    soc = load_soc(ROOT / "specs", "imx6ul")
    return [r for p in soc.peripherals for r in p.registers if any(f.count is None for f in r.fields)]


def _shipped_field_arrays() -> list[tuple[Register, Field]]:
    soc = load_soc(ROOT / "specs", "imx6ul")
    return [(r, f) for p in soc.peripherals for r in p.registers for f in r.fields if f.count is not None]


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_every_shipped_register_stores_what_the_hardware_rules_say(data: st.DataObject) -> None:
    """For a random register, named fields and old value: the stored word by the documented rules."""
    reg = data.draw(st.sampled_from(_shipped_registers()))
    chosen = data.draw(st.lists(st.sampled_from([f for f in reg.fields if f.count is None]), min_size=1, unique=True))
    values = {f.name: data.draw(st.integers(0, f.max_value)) for f in chosen}
    old = data.draw(st.integers(0, (1 << reg.width) - 1))
    kind = data.draw(st.sampled_from(["write", "modify", "set"]))
    plan = reg.write_plan(kind, list(values))
    stored = (old & plan.keep if plan.reads_old else 0) | plan.forced
    for slot in plan.slots:
        stored |= (values[slot.name] & slot.mask) << slot.shift
    assert plan.stored(old, [values[slot.name] for slot in plan.slots]) == stored
    named = sum(f.mask for f in chosen)
    packed = sum(v << f.lsb for f in chosen for v in [values[f.name]])
    expected = {
        "write": (reg.write_base & ~named) | packed,
        "modify": (old & ~named & ~reg.reserved_mask) | reg.reserved_value | packed,
        "set": packed,
    }[kind]
    assert stored == expected


GPIO_LIKE = Register(
    "PADS", 0x0, 32, Access.RW, reset=0x0000_00F0,
    fields=(Field("MODE", 0, 2, Access.RW, reset=0xF0, count=4, stride=2),  # bits 7:0, elements 0..3
            Field("EN", 31, 1, Access.RW)),
    aliases=("SET", "CLR", "TOG"),
    reserved_value=0x0000_0100,
)
"""A field array of four 2-bit elements beside a single field, reserved bits written 0x100."""


def test_field_array_spans_its_elements() -> None:
    mode = GPIO_LIKE.fields[0]
    assert (mode.mask, mode.msb, mode.max_value) == (0xFF, 7, 3)
    assert [mode.element_shift(i) for i in range(4)] == [0, 2, 4, 6]
    assert GPIO_LIKE.write_base == 0x0000_01F0  # every element at its reset value, reserved at 0x100


def test_element_modify_keeps_the_other_elements() -> None:
    plan = GPIO_LIKE.write_plan("modify", ["MODE"])
    assert [(s.shift, s.mask, s.stride) for s in plan.slots] == [(0, 3, 2)]
    # Element 2 (bits 5:4) becomes 1; elements 0, 1, 3 and EN are kept; reserved bits forced.
    assert plan.stored(0x8000_00FF, [1], element=2) == 0x8000_01DF
    assert plan.stored(0x8000_00FF, [1], element=0) == 0x8000_01FD


@pytest.mark.parametrize(("kind", "offset"), [("set", 0x4), ("clear", 0x8), ("toggle", 0xC)])
def test_element_alias_write_stores_just_the_element(kind: str, offset: int) -> None:
    plan = GPIO_LIKE.write_plan(kind, ["MODE"])
    assert (plan.offset, plan.keep, plan.forced) == (offset, 0, 0)
    assert plan.stored(0xFFFF_FFFF, [3], element=3) == 0xC0


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_every_shipped_field_array_element_write(data: st.DataObject) -> None:
    """Element ``i`` of a shipped field array: a read-modify-write changes exactly its bits."""
    reg, f = data.draw(st.sampled_from(_shipped_field_arrays()))
    assert f.count is not None
    i = data.draw(st.integers(0, f.count - 1))
    value = data.draw(st.integers(0, f.max_value))
    old = data.draw(st.integers(0, (1 << reg.width) - 1))
    element = f.max_value << f.element_shift(i)
    stored = reg.write_plan("modify", [f.name]).stored(old, [value], i)
    expected = (old & ~element & ~reg.reserved_mask) | reg.reserved_value | (value << f.element_shift(i))
    assert stored == expected
