"""Memory map, program/section headers, linker-defined symbols, determinism."""

from __future__ import annotations

import dataclasses
import subprocess
from pathlib import Path

import pytest

from tamapy.link import LinkLayout, link
from tamapy.link.layout import CLEAR_BLOCK
from tests.tools import require_tool

from .support import LAYOUT, LOAD, Image, compile_ir, link_image, vectors_ir

PAGE = LAYOUT.page_size
PF_X, PF_W, PF_R = 1, 2, 4

# .vectors is defined last so that it is not the first section in object order.
PROGRAM = """
@message = constant [6 x i8] c"hello\\00"
@counter = global i32 3
@table = global [2 x ptr] [ptr @reset, ptr @message]
@zeros = global [10 x i8] zeroinitializer
@shared = common global i32 0, align 4

define void @reset() noreturn nounwind {
  br label %loop
loop:
  %v = load volatile i32, ptr @counter
  store volatile i32 %v, ptr @shared
  store volatile i8 1, ptr @zeros
  br label %loop
}
""" + vectors_ir("reset")


def align_up(value: int, alignment: int) -> int:
    return (value + alignment - 1) // alignment * alignment


@pytest.fixture(scope="module")
def obj() -> bytes:
    return compile_ir(PROGRAM)


@pytest.fixture(scope="module")
def image(obj: bytes) -> Image:
    return link_image(obj)


def test_vectors_first_and_entry_at_load_address(image: Image) -> None:
    assert image.linked.entry == LOAD == image.elf.header["e_entry"]
    assert image.linked.symbols["vectors"] == LOAD
    vectors = image.elf.get_section_by_name(".vectors")
    assert vectors["sh_addr"] == LOAD and vectors["sh_size"] == 64
    assert image.elf.get_section_by_name(".text")["sh_addr"] >= LOAD + 64


def test_elf_header(image: Image) -> None:
    header = image.elf.header
    assert image.elf.elfclass == 32 and image.elf.little_endian
    assert (header["e_type"], header["e_machine"], header["e_version"]) == (
        "ET_EXEC",
        "EM_ARM",
        "EV_CURRENT",
    )
    assert header["e_flags"] == 0x0500_0200


def test_segments(image: Image) -> None:
    linked = image.linked
    assert [(s.name, s.flags) for s in linked.segments] == [
        ("text", "RX"),
        ("rodata", "R"),
        ("data", "RW"),
    ]
    text, rodata, data = linked.segments
    assert text.vaddr == LOAD
    assert rodata.vaddr == align_up(text.vaddr + text.memsz, PAGE)
    assert data.vaddr == align_up(rodata.vaddr + rodata.memsz, PAGE)
    assert data.memsz > data.filesz  # bss and stacks are not in the file
    assert data.vaddr + data.memsz == linked.symbols["__exc_stack_top"]

    phdrs = [p.header for p in image.elf.iter_segments()]
    assert [(p["p_vaddr"], p["p_filesz"], p["p_memsz"]) for p in phdrs] == [
        (s.vaddr, s.filesz, s.memsz) for s in linked.segments
    ]
    assert [p["p_flags"] for p in phdrs] == [PF_R | PF_X, PF_R, PF_R | PF_W]
    previous_end = 0
    for p in phdrs:
        assert p["p_type"] == "PT_LOAD" and p["p_align"] == PAGE
        assert p["p_paddr"] == p["p_vaddr"]
        assert not (p["p_flags"] & PF_W and p["p_flags"] & PF_X)
        assert p["p_offset"] % PAGE == p["p_vaddr"] % PAGE
        assert p["p_vaddr"] >= previous_end  # ascending, disjoint
        previous_end = p["p_vaddr"] + p["p_memsz"]


def test_file_has_no_padding_beyond_congruence(image: Image) -> None:
    file_end = 0x34 + 3 * 0x20
    for p in image.elf.iter_segments():
        assert 0 <= p["p_offset"] - file_end < PAGE  # the smallest congruent offset
        file_end = p["p_offset"] + p["p_filesz"]
    assert len(image.linked.elf) < file_end + 1024  # then only the section headers


def test_linker_symbols(image: Image) -> None:
    s = image.linked.symbols
    text, rodata, data = image.linked.segments
    assert s["__image_start"] == s["__text_start"] == LOAD
    assert s["__text_end"] == text.vaddr + text.filesz
    assert (s["__rodata_start"], s["__rodata_end"]) == (rodata.vaddr, rodata.vaddr + 6)
    assert s["__data_start"] == data.vaddr
    assert s["__data_end"] == s["__image_end"] == data.vaddr + data.filesz
    assert s["__data_start"] <= s["counter"] < s["table"] < s["__data_end"]
    assert s["__data_end"] <= s["__bss_start"] <= s["__bss_end"]
    assert s["__bss_start"] % CLEAR_BLOCK == 0 and s["__bss_end"] % CLEAR_BLOCK == 0
    for name, size in (("zeros", 10), ("shared", 4)):  # .bss object and COMMON symbol
        assert s["__bss_start"] <= s[name] and s[name] + size <= s["__bss_end"]
    assert s["__bss_end"] <= s["__stack_bottom"]
    assert s["__stack_bottom"] % 8 == 0 and s["__stack_top"] % 8 == 0
    assert s["__stack_top"] - s["__stack_bottom"] >= LAYOUT.stack_size
    assert s["__exc_stack_top"] % 8 == 0
    assert s["__exc_stack_top"] - s["__stack_top"] >= LAYOUT.exception_stack_size
    assert image.read(s["message"], 6) == b"hello\0"
    assert image.words("table", 2) == [
        (s["table"], s["reset"]),
        (s["table"] + 4, s["message"]),
    ]


def test_section_headers(image: Image) -> None:
    sections = {s.name: s for s in image.elf.iter_sections()}
    assert set(sections) == {
        "", ".vectors", ".text", ".rodata", ".data", ".bss", ".stack",
        ".symtab", ".strtab", ".shstrtab",
    }  # fmt: skip
    assert sections[".bss"]["sh_type"] == sections[".stack"]["sh_type"] == "SHT_NOBITS"
    assert sections[".text"]["sh_flags"] == 0x6  # ALLOC | EXECINSTR
    assert sections[".data"]["sh_flags"] == 0x3  # WRITE | ALLOC
    symtab = sections[".symtab"]
    binds = [sym["st_info"]["bind"] for sym in symtab.iter_symbols()]
    first_global = symtab["sh_info"]
    assert set(binds[:first_global]) == {"STB_LOCAL"}
    assert "STB_LOCAL" not in binds[first_global:]
    names = [sym.name for sym in symtab.iter_symbols()]
    assert "<string>" not in names  # no STT_FILE (it could carry a host path)


def test_empty_segments_are_omitted_but_symbols_defined() -> None:
    obj = compile_ir(vectors_ir("reset") + "define void @reset() noreturn { unreachable }\n")
    linked = link(obj, dataclasses.replace(LAYOUT, stack_size=0, exception_stack_size=0))
    assert [s.name for s in linked.segments] == ["text"]
    s = linked.symbols
    assert s["__rodata_start"] == s["__rodata_end"] == align_up(s["__text_end"], PAGE)
    assert s["__bss_start"] == s["__bss_end"] == s["__stack_top"] == s["__exc_stack_top"]
    assert s["__image_end"] == s["__text_end"]


def test_data_segment_with_only_stacks() -> None:
    obj = compile_ir(vectors_ir("reset") + "define void @reset() noreturn { unreachable }\n")
    linked = link(obj, LAYOUT)
    data = linked.segments[-1]
    assert (data.name, data.filesz) == ("data", 0)
    assert data.memsz == align_up(LAYOUT.stack_size, 8) + align_up(LAYOUT.exception_stack_size, 8)
    phdr = list(Image(linked).elf.iter_segments())[-1]
    assert phdr["p_offset"] % PAGE == data.vaddr % PAGE
    assert phdr["p_offset"] <= len(linked.elf)  # nothing to load, but no offset past the end


def test_deterministic(obj: bytes) -> None:
    first = link(obj, LAYOUT, "a.o")
    assert link(bytes(obj), LAYOUT, "/some/other/path/b.o").elf == first.elf
    assert compile_ir(PROGRAM) == obj  # and the whole pipeline from IR is repeatable
    assert link(compile_ir(PROGRAM), LAYOUT).elf == first.elf


def test_other_load_address_and_page_size(obj: bytes) -> None:
    layout = LinkLayout(0x8780_0000, 0x100, 0x100, "vectors", page_size=0x10000)
    linked = link(obj, layout)
    assert linked.entry == 0x8780_0000
    assert all(s.vaddr % 0x10000 == 0 for s in linked.segments)


@pytest.mark.parametrize("stacks", [0, 0x1000])
def test_readelf_accepts_the_output(obj: bytes, tmp_path: Path, stacks: int) -> None:
    require_tool("readelf", "binutils")
    elf = tmp_path / "image.elf"
    elf.write_bytes(link(obj, dataclasses.replace(LAYOUT, stack_size=stacks)).elf)
    result = subprocess.run(
        ["readelf", "-a", "-W", str(elf)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0
    assert "Warning" not in result.stderr + result.stdout and "Error" not in result.stderr
