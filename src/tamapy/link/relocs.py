"""ARM relocation arithmetic (AAELF, ARM state only: T is always 0).

Pure functions on 32-bit words, kept apart from ELF parsing so each formula
can be tested against hand-computed instruction encodings.  Every kind knows
how to read its REL implicit addend from the word at the place and how to
write the computed value back into the word's field.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

MASK32 = 0xFFFF_FFFF


class RelocationOverflow(ValueError):
    """The computed value does not fit the instruction field."""


def sign_extend(value: int, bits: int) -> int:
    """Interpret the low ``bits`` bits of ``value`` as two's complement."""
    value &= (1 << bits) - 1
    return value - (1 << bits) if value >> (bits - 1) else value


def _check_signed(value: int, bits: int, what: str) -> None:
    """Refuse values outside the signed ``bits``-bit range (AAELF overflow check)."""
    if not -(1 << (bits - 1)) <= value < (1 << (bits - 1)):
        raise RelocationOverflow(f"{what} {value:#x} does not fit in {bits} signed bits")


def _no_addend(word: int) -> int:
    return 0


def _keep(word: int, s: int, a: int, p: int) -> int:
    return word


def _word_addend(word: int) -> int:
    return sign_extend(word, 32)


def _abs32(word: int, s: int, a: int, p: int) -> int:
    return (s + a) & MASK32


def _rel32(word: int, s: int, a: int, p: int) -> int:
    return (s + a - p) & MASK32


_BLX_COND = 0xF000_0000
_BL_AL = 0xEB00_0000


def _branch_addend(word: int) -> int:
    """imm24 << 2, plus the H bit of a BLX (immediate), sign-extended from 26 bits."""
    halfword = (word >> 23) & 2 if word & _BLX_COND == _BLX_COND else 0
    return sign_extend(((word & 0xFF_FFFF) << 2) | halfword, 26)


def _branch(word: int, s: int, a: int, p: int) -> int:
    """B/BL/BLX imm24 = ((S + A) | T) - P in words; a BLX to ARM code becomes BL."""
    offset = s + a - p
    _check_signed(offset, 26, "branch offset")
    if offset & 3:
        raise RelocationOverflow(f"branch offset {offset:#x} is not a multiple of 4 (ARM state)")
    if word & _BLX_COND == _BLX_COND:
        word = _BL_AL
    return (word & 0xFF00_0000) | ((offset >> 2) & 0xFF_FFFF)


def _prel31_addend(word: int) -> int:
    return sign_extend(word, 31)


def _prel31(word: int, s: int, a: int, p: int) -> int:
    """31-bit place-relative offset; bit 31 of the place is kept."""
    offset = s + a - p
    _check_signed(offset, 31, "PREL31 offset")
    return (word & 0x8000_0000) | (offset & 0x7FFF_FFFF)


def _mov_addend(word: int) -> int:
    """MOVW/MOVT imm16 = imm4:imm12 (bits 19:16 and 11:0), signed (AAELF REL form)."""
    return sign_extend(((word >> 4) & 0xF000) | (word & 0xFFF), 16)


def _mov_insert(word: int, value: int) -> int:
    """Write the low 16 bits of ``value`` into the imm4:imm12 field."""
    return (word & 0xFFF0_F000) | ((value & 0xF000) << 4) | (value & 0xFFF)


def _movw_abs(word: int, s: int, a: int, p: int) -> int:
    return _mov_insert(word, s + a)


def _movt_abs(word: int, s: int, a: int, p: int) -> int:
    return _mov_insert(word, ((s + a) & MASK32) >> 16)


def _movw_prel(word: int, s: int, a: int, p: int) -> int:
    return _mov_insert(word, s + a - p)


def _movt_prel(word: int, s: int, a: int, p: int) -> int:
    return _mov_insert(word, ((s + a - p) & MASK32) >> 16)


@dataclass(frozen=True)
class RelocKind:
    """One relocation type: its name, whether it uses S, and its field encoding."""

    name: str
    uses_symbol: bool
    implicit_addend: Callable[[int], int]
    patch: Callable[[int, int, int, int], int]

    def apply(self, word: int, s: int, addend: int | None, p: int) -> int:
        """Patched word for symbol value S at place P; ``addend`` None means REL (implicit)."""
        a = self.implicit_addend(word) if addend is None else addend
        return self.patch(word, s, a, p)


KINDS: dict[int, RelocKind] = {
    0: RelocKind("R_ARM_NONE", False, _no_addend, _keep),
    2: RelocKind("R_ARM_ABS32", True, _word_addend, _abs32),
    3: RelocKind("R_ARM_REL32", True, _word_addend, _rel32),
    28: RelocKind("R_ARM_CALL", True, _branch_addend, _branch),
    29: RelocKind("R_ARM_JUMP24", True, _branch_addend, _branch),
    40: RelocKind("R_ARM_V4BX", False, _no_addend, _keep),
    42: RelocKind("R_ARM_PREL31", True, _prel31_addend, _prel31),
    43: RelocKind("R_ARM_MOVW_ABS_NC", True, _mov_addend, _movw_abs),
    44: RelocKind("R_ARM_MOVT_ABS", True, _mov_addend, _movt_abs),
    45: RelocKind("R_ARM_MOVW_PREL_NC", True, _mov_addend, _movw_prel),
    46: RelocKind("R_ARM_MOVT_PREL", True, _mov_addend, _movt_prel),
}
