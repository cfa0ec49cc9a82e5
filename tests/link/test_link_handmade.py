"""Every relocation kind through the whole linker, on a hand-built object.

llvmlite never emits some of them in kept sections (PREL31 only in the
dropped .ARM.exidx, no MOVW/MOVT implicit addends, no RELA), so this object
is written by hand; the expected addresses follow from the layout rules.
"""

from __future__ import annotations

import pytest

from tamapy.link import LinkLayout

from .support import (
    LOAD,
    SHF_ALLOC,
    SHF_WRITE,
    SHN_COMMON,
    SHT_NOBITS,
    STB_LOCAL,
    STT_NOTYPE,
    STT_OBJECT,
    STT_SECTION,
    Image,
    Rel,
    Sec,
    Sym,
    build_object,
    link_image,
    words,
)

SHT_ARM_EXIDX = 0x7000_0001
LAYOUT = LinkLayout(LOAD, stack_size=0x100, exception_stack_size=0x80, entry_symbol="start")

TEXT = words(
    0xE300_000C,  # 0  movw r0, #12          REL  MOVW_ABS_NC data_sym (A = 12)
    0xE340_000C,  # 4  movt r0, #12          REL  MOVT_ABS    data_sym (A = 12)
    0xE300_1000,  # 8  movw r1, #0           RELA MOVW_PREL_NC func + 0x10
    0xE340_1000,  # 12 movt r1, #0           RELA MOVT_PREL    func + 0x10
    0x8000_0000,  # 16 bit 31 set            REL  PREL31  func
    0x0000_0000,  # 20                       REL  REL32   data_sym
    0xE12F_FF10,  # 24 bx r0                 V4BX
    0x1234_5678,  # 28                       NONE (against an undefined symbol)
    0xEBFF_FFFE,  # 32 bl (A = -8)           REL  CALL    func
    0xDEAD_BEEF,  # 36                       RELA ABS32   data_sym + 4
    0x0000_0008,  # 40                       REL  ABS32   .data section symbol + 8
)
OBJECT = build_object(
    [
        Sec(".text", TEXT),
        Sec(".text.func", words(0xE12F_FF1E), align=16),  # bx lr
        Sec(".data", bytes(range(16)), flags=SHF_ALLOC | SHF_WRITE),
        Sec(".bss", type=SHT_NOBITS, flags=SHF_ALLOC | SHF_WRITE, size=6, align=2),
        Sec(".ARM.exidx", words(0, 1), type=SHT_ARM_EXIDX, flags=SHF_ALLOC | 0x80),
        Sec(".comment", b"tamapy test\0", flags=0),
    ],
    [
        Sym(".data", ".data", bind=STB_LOCAL, type=STT_SECTION),
        Sym(".text", ".text", bind=STB_LOCAL, type=STT_SECTION),
        Sym("$a", ".text", bind=STB_LOCAL, type=STT_NOTYPE),
        Sym("start", ".text", size=len(TEXT)),
        Sym("func", ".text.func", size=4),
        Sym("data_sym", ".data", value=4, size=4, type=STT_OBJECT),
        Sym("zeros", ".bss", size=6, type=STT_OBJECT),
        Sym("shared", SHN_COMMON, value=16, size=12, type=STT_OBJECT),  # align 16
        Sym("unwinder", None),
    ],
    [
        Rel(".text", 0, 43, "data_sym"),
        Rel(".text", 4, 44, "data_sym"),
        Rel(".text", 8, 45, "func", addend=0x10),
        Rel(".text", 12, 46, "func", addend=0x10),
        Rel(".text", 16, 42, "func"),
        Rel(".text", 20, 3, "data_sym"),
        Rel(".text", 24, 40, ""),
        Rel(".text", 28, 0, "unwinder"),
        Rel(".text", 32, 28, "func"),
        Rel(".text", 36, 2, "data_sym", addend=4),
        Rel(".text", 40, 2, ".data"),
        Rel(".ARM.exidx", 0, 42, "unwinder"),  # dropped with its section
    ],
)

FUNC = LOAD + 48  # .text is 44 bytes, .text.func is 16-aligned
DATA = LOAD + 0x1000  # no .rodata: .data starts on the page after .text
DATA_SYM = DATA + 4


@pytest.fixture(scope="module")
def image() -> Image:
    return link_image(OBJECT, LAYOUT)


def test_layout_follows_the_rules(image: Image) -> None:
    symbols = image.linked.symbols
    assert symbols["start"] == LOAD
    assert symbols["func"] == FUNC
    assert symbols["data_sym"] == DATA_SYM
    # .data ends at DATA + 16; .bss starts on the next 64-byte clearing block
    assert symbols["zeros"] == DATA + 64 == symbols["__bss_start"]
    assert symbols["shared"] == DATA + 80  # COMMON after .bss, at its 16-byte alignment
    assert symbols["__bss_end"] == DATA + 128  # DATA + 92 rounded up to a whole block
    assert symbols["__stack_bottom"] == DATA + 128
    assert symbols["__stack_top"] == DATA + 128 + 0x100
    assert symbols["__exc_stack_top"] == DATA + 128 + 0x180
    assert "$a" not in symbols and "unwinder" not in symbols


@pytest.mark.parametrize(
    ("offset", "expected"),
    [
        (0, 0xE301_0010),  # movw r0, #0x1010 (lower half of DATA_SYM + 12)
        (4, 0xE348_0001),  # movt r0, #0x8001
        (8, 0xE300_1038),  # movw r1, #(FUNC + 0x10 - (LOAD + 8)) = 0x38
        (12, 0xE340_1000),  # movt r1, #0
        (16, 0x8000_0020),  # PREL31: FUNC - (LOAD + 16) = 0x20, bit 31 kept
        (20, 0x0000_0FF0),  # REL32: DATA_SYM - (LOAD + 20)
        (24, 0xE12F_FF10),  # V4BX: unchanged
        (28, 0x1234_5678),  # NONE: unchanged, symbol never resolved
        (32, 0xEB00_0002),  # bl: (FUNC - (LOAD + 32) - 8) / 4 = 2
        (36, DATA_SYM + 4),  # RELA ABS32: explicit addend, the word's contents ignored
        (40, DATA + 8),  # REL ABS32 against a section symbol
    ],
)
def test_patched_words(image: Image, offset: int, expected: int) -> None:
    assert image.word(LOAD + offset) == expected


def test_dropped_sections_are_gone(image: Image) -> None:
    names = {s.name for s in image.elf.iter_sections()}
    assert names == {
        "", ".text", ".data", ".bss", ".stack", ".symtab", ".strtab", ".shstrtab",
    }  # fmt: skip
    assert image.read(DATA, 16) == bytes(range(16))  # .data contents copied unchanged
