"""End to end: objects made by llvmlite, linked, and the patched words decoded."""

from __future__ import annotations

import io

import pytest
from elftools.elf.elffile import ELFFile

from .support import (
    LOAD,
    Image,
    branch_target,
    compile_ir,
    is_b,
    is_bl,
    link_image,
    movw_movt_value,
    vectors_ir,
)

PROGRAM = (
    vectors_ir("reset")
    + """
@buf = global [16 x i8] zeroinitializer, align 4
@counter = global i32 7
@handlers = global [2 x ptr] [ptr @helper, ptr @twice]
@p_buf5 = global ptr getelementptr (i8, ptr @buf, i32 5)
@const_table = constant [2 x ptr] [ptr @twice, ptr @buf]
@__bss_end = external global i8

define i32 @twice(i32 %x) noinline {
  %r = shl i32 %x, 1
  ret i32 %r
}
define internal i32 @helper(i32 %x) noinline {
  %r = mul i32 %x, 3
  ret i32 %r
}
define i32 @caller(i32 %x) {
  %a = call i32 @helper(i32 %x)
  %b = add i32 %a, 1
  ret i32 %b
}
define i32 @tail(i32 %x) {
  %r = tail call i32 @twice(i32 %x)
  ret i32 %r
}
define ptr @addr_buf() {
  ret ptr @buf
}
define ptr @addr_bss_end() {
  ret ptr @__bss_end
}
define void @reset() noreturn nounwind {
  br label %loop
loop:
  br label %loop
}
"""
)


@pytest.fixture(scope="module")
def obj() -> bytes:
    return compile_ir(PROGRAM)


@pytest.fixture(scope="module")
def image(obj: bytes) -> Image:
    return link_image(obj)


def test_object_exercises_the_expected_relocations(obj: bytes) -> None:
    elf = ELFFile(io.BytesIO(obj))
    kinds = {
        (sec.name, rel["r_info_type"])
        for sec in elf.iter_sections()
        if sec["sh_type"] == "SHT_REL"
        for rel in sec.iter_relocations()
    }
    for expected in [
        (".rel.text", 28),  # R_ARM_CALL
        (".rel.text", 29),  # R_ARM_JUMP24
        (".rel.text", 43),  # R_ARM_MOVW_ABS_NC
        (".rel.text", 44),  # R_ARM_MOVT_ABS
        (".rel.data", 2),  # R_ARM_ABS32
        (".rel.rodata", 2),
        (".rel.vectors", 2),
        (".rel.ARM.exidx", 42),  # R_ARM_PREL31, in a section that is dropped
    ]:
        assert expected in kinds


def test_call_reaches_the_callee(image: Image) -> None:
    calls = [(p, w) for p, w in image.words("caller", 8) if is_bl(w)]
    assert len(calls) == 1
    place, word = calls[0]
    assert branch_target(word, place) == image.linked.symbols["helper"]


def test_tail_call_is_a_jump24_to_the_callee(image: Image) -> None:
    place, word = image.words("tail", 1)[0]
    assert is_b(word) and word >> 28 == 0xE  # unconditional B
    assert branch_target(word, place) == image.linked.symbols["twice"]


def test_movw_movt_load_the_global_address(image: Image) -> None:
    symbols = image.linked.symbols
    assert movw_movt_value(image.words("addr_buf", 3), 0) == symbols["buf"]
    # reference to a linker-defined symbol
    assert movw_movt_value(image.words("addr_bss_end", 3), 0) == symbols["__bss_end"]


def test_abs32_tables_hold_final_addresses(image: Image) -> None:
    symbols = image.linked.symbols
    # @helper is local: LLVM relocates against the .text section symbol with an
    # implicit addend (helper's offset in .text); p_buf5 has implicit addend 5.
    assert [w for _, w in image.words("handlers", 2)] == [symbols["helper"], symbols["twice"]]
    assert [w for _, w in image.words("const_table", 2)] == [symbols["twice"], symbols["buf"]]
    assert image.words("p_buf5", 1)[0][1] == symbols["buf"] + 5
    assert image.words("counter", 1)[0][1] == 7


def test_vector_table_points_at_the_reset_handler(image: Image) -> None:
    table = [w for _, w in image.words("vectors", 16)]
    assert table[:8] == [0xE59F_F018] * 8  # ldr pc, [pc, #24]
    assert table[8:] == [image.linked.symbols["reset"]] * 8
    assert image.linked.entry == image.linked.symbols["vectors"] == LOAD


def test_symbols_in_elf_match_the_returned_table(image: Image) -> None:
    symtab = image.elf.get_section_by_name(".symtab")
    in_elf = {s.name: s["st_value"] for s in symtab.iter_symbols() if s.name}
    in_elf = {n: v for n, v in in_elf.items() if not n.startswith("$")}
    assert in_elf == image.linked.symbols


def test_functions_keep_their_object_offsets(obj: bytes, image: Image) -> None:
    """Each function lands at .text's address plus its offset in the object's .text."""
    elf = ELFFile(io.BytesIO(obj))
    text_index = next(i for i, s in enumerate(elf.iter_sections()) if s.name == ".text")
    text = image.elf.get_section_by_name(".text")
    funcs = [
        s
        for s in elf.get_section_by_name(".symtab").iter_symbols()
        if s["st_info"]["type"] == "STT_FUNC" and s["st_shndx"] == text_index
    ]
    assert {f.name for f in funcs} >= {"twice", "helper", "caller", "tail", "reset"}
    for f in funcs:
        assert image.linked.symbols[f.name] == text["sh_addr"] + f["st_value"]
