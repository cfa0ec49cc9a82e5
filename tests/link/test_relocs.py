"""Relocation arithmetic against hand-encoded ARM instruction words (AAELF formulas)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tamapy.link.relocs import KINDS, RelocationOverflow

from .support import branch_target, mov_imm16

NONE, ABS32, REL32, CALL, JUMP24, V4BX, PREL31 = 0, 2, 3, 28, 29, 40, 42
MOVW_ABS_NC, MOVT_ABS, MOVW_PREL_NC, MOVT_PREL = 43, 44, 45, 46


def apply(kind: int, word: int, s: int, p: int, addend: int | None = None) -> int:
    return KINDS[kind].apply(word, s, addend, p)


def test_names_follow_aaelf_numbering() -> None:
    assert {k: v.name for k, v in KINDS.items()} == {
        0: "R_ARM_NONE",
        2: "R_ARM_ABS32",
        3: "R_ARM_REL32",
        28: "R_ARM_CALL",
        29: "R_ARM_JUMP24",
        40: "R_ARM_V4BX",
        42: "R_ARM_PREL31",
        43: "R_ARM_MOVW_ABS_NC",
        44: "R_ARM_MOVT_ABS",
        45: "R_ARM_MOVW_PREL_NC",
        46: "R_ARM_MOVT_PREL",
    }


@pytest.mark.parametrize("kind", [NONE, V4BX])
def test_none_and_v4bx_leave_the_word_alone(kind: int) -> None:
    assert apply(kind, 0xE12F_FF1E, 0x1234, 0x5678) == 0xE12F_FF1E  # bx lr


def test_abs32_rel_uses_word_as_addend() -> None:
    assert apply(ABS32, 0, 0x8001_2000, 0) == 0x8001_2000
    assert apply(ABS32, 5, 0x8001_2000, 0) == 0x8001_2005
    assert apply(ABS32, 0xFFFF_FFFC, 0x8001_2000, 0) == 0x8001_1FFC  # addend -4
    assert apply(ABS32, 8, 0xFFFF_FFFC, 0) == 4  # wraps modulo 2**32


def test_rela_addend_replaces_the_word() -> None:
    assert apply(ABS32, 0x1234_5678, 0x8001_2000, 0, addend=4) == 0x8001_2004


def test_rel32_is_place_relative() -> None:
    assert apply(REL32, 0, 0x8001_2000, 0x8001_0000) == 0x2000
    assert apply(REL32, 0, 0x8001_0000, 0x8001_2000) == 0xFFFF_E000
    assert apply(REL32, 0x10, 0x8001_2000, 0x8001_0000) == 0x2010


def test_call_backwards_with_llvm_implicit_addend() -> None:
    # `bl` as LLVM leaves it in a REL object: imm24 = 0xFFFFFE, i.e. A = -8.
    # S - P + A = 0x80010008 - 0x80010020 - 8 = -0x20 -> imm24 = -8 = 0xFFFFF8.
    assert apply(CALL, 0xEBFF_FFFE, 0x8001_0008, 0x8001_0020) == 0xEBFF_FFF8


def test_call_forwards() -> None:
    # 0x80010100 - 0x80010000 - 8 = 0xF8 -> imm24 = 0x3E
    assert apply(CALL, 0xEBFF_FFFE, 0x8001_0100, 0x8001_0000) == 0xEB00_003E


def test_jump24_keeps_the_condition() -> None:
    # bne with A = -8: 0x2000 - 0x1000 - 8 = 0xFF8 -> imm24 = 0x3FE, cond NE kept
    assert apply(JUMP24, 0x1AFF_FFFE, 0x2000, 0x1000) == 0x1A00_03FE


def test_call_on_blx_becomes_bl_for_arm_target() -> None:
    # blx #-8 (H = 0) to an ARM-state function: rewritten to BL (cond AL)
    assert apply(CALL, 0xFAFF_FFFE, 0x100, 0) == 0xEB00_003E


def test_branch_range_limits() -> None:
    p = 0x1000_0000
    # largest forward: offset 0x1FFFFFC, smallest backward: -0x2000000 (A = -8)
    assert apply(CALL, 0xEBFF_FFFE, p + 8 + 0x1FF_FFFC, p) == 0xEB7F_FFFF
    assert apply(CALL, 0xEBFF_FFFE, p + 8 - 0x200_0000, p) == 0xEB80_0000
    with pytest.raises(RelocationOverflow):
        apply(CALL, 0xEBFF_FFFE, p + 8 + 0x200_0000, p)
    with pytest.raises(RelocationOverflow):
        apply(JUMP24, 0xEAFF_FFFE, p + 8 - 0x200_0004, p)


def test_branch_to_misaligned_target_is_refused() -> None:
    with pytest.raises(RelocationOverflow):
        apply(CALL, 0xEBFF_FFFE, 0x2002, 0x1000)


@given(
    place=st.integers(0x400_0000, 0xF000_0000).map(lambda v: v & ~3),
    delta=st.integers(-0x200_0000 // 4, 0x1FF_FFFC // 4).map(lambda v: v * 4),
)
def test_bl_reaches_its_target(place: int, delta: int) -> None:
    target = place + 8 + delta
    patched = apply(CALL, 0xEBFF_FFFE, target, place)
    assert patched >> 24 == 0xEB
    assert branch_target(patched, place) == target


def test_movw_movt_abs_split_imm4_imm12() -> None:
    # 0x80012345: MOVW imm16 = 0x2345 -> imm4 = 2, imm12 = 0x345; MOVT 0x8001 -> 8, 0x001
    assert apply(MOVW_ABS_NC, 0xE300_0000, 0x8001_2345, 0) == 0xE302_0345  # movw r0
    assert apply(MOVT_ABS, 0xE340_0000, 0x8001_2345, 0) == 0xE348_0001  # movt r0
    assert apply(MOVW_ABS_NC, 0xE300_1000, 0x8001_2345, 0) == 0xE302_1345  # movw r1


def test_movw_movt_rel_implicit_addends() -> None:
    # movw r0, #12 -> A = 12: 0x80012351
    assert apply(MOVW_ABS_NC, 0xE300_000C, 0x8001_2345, 0) == 0xE302_0351
    # movw r0, #0xFFFC -> A = -4: 0x80012341
    assert apply(MOVW_ABS_NC, 0xE30F_0FFC, 0x8001_2345, 0) == 0xE302_0341
    # movt r0, #0x10 -> A = 0x10; the carry of S + A reaches the high half: 0x80020008
    assert apply(MOVT_ABS, 0xE340_0010, 0x8001_FFF8, 0) == 0xE348_0002


def test_movw_movt_prel() -> None:
    s, p = 0x8001_2345, 0x7000_0000  # S - P = 0x10012345
    assert apply(MOVW_PREL_NC, 0xE300_0000, s, p) == 0xE302_0345
    assert apply(MOVT_PREL, 0xE340_0000, s, p) == 0xE341_0001
    s, p = 0x1000, 0x3000  # S - P = -0x2000 = 0xFFFFE000
    assert apply(MOVW_PREL_NC, 0xE300_0000, s, p) == 0xE30E_0000
    assert apply(MOVT_PREL, 0xE340_0000, s, p) == 0xE34F_0FFF


@given(value=st.integers(0, 0xFFFF_FFFF), rd=st.integers(0, 14))
def test_movw_movt_pair_rebuilds_any_address(value: int, rd: int) -> None:
    low = apply(MOVW_ABS_NC, 0xE300_0000 | rd << 12, value, 0)
    high = apply(MOVT_ABS, 0xE340_0000 | rd << 12, value, 0)
    assert (low >> 12) & 0xF == rd and (high >> 12) & 0xF == rd
    assert mov_imm16(high) << 16 | mov_imm16(low) == value


def test_prel31_preserves_bit31() -> None:
    assert apply(PREL31, 0x8000_0000, 0x8001_0100, 0x8001_0000) == 0x8000_0100
    assert apply(PREL31, 0x0000_0000, 0x8001_0100, 0x8001_0000) == 0x0000_0100
    assert apply(PREL31, 0x0000_0000, 0x1000, 0x2000) == 0x7FFF_F000  # -0x1000 in 31 bits
    # implicit addend 0x7FFFFFFC = -4 in 31 bits; bit 31 set and kept
    assert apply(PREL31, 0xFFFF_FFFC, 0x2100, 0x2000) == 0x8000_00FC


def test_prel31_range() -> None:
    assert apply(PREL31, 0, 0x3FFF_FFFF, 0) == 0x3FFF_FFFF
    with pytest.raises(RelocationOverflow):
        apply(PREL31, 0, 0x4000_0000, 0)
    with pytest.raises(RelocationOverflow):
        apply(PREL31, 0, 0, 0x4000_0001)
