"""The one ELF reader: what it reads off a linked image, and whose codes its diagnostics carry."""

from __future__ import annotations

import io

import pytest
from elftools.elf.elffile import ELFFile

from tamapy.build import BuildResult
from tamapy.diagnostics import TamapyError
from tamapy.elf import FunctionSymbol, read_executable

from .conftest import BOARDS
from .test_binary import make_elf


@pytest.mark.parametrize("board", BOARDS)
def test_segments_are_the_pt_loads_that_occupy_memory(hello: dict[str, BuildResult], board: str) -> None:
    elf = hello[board].image.elf
    headers = sorted(
        (s["p_paddr"], s.data(), s["p_memsz"], bool(s["p_flags"] & 1))
        for s in ELFFile(io.BytesIO(elf)).iter_segments()
        if s["p_type"] == "PT_LOAD" and s["p_memsz"]
    )
    executable = read_executable(elf)
    assert [(s.address, s.data, s.memsz, s.executable) for s in executable.segments] == headers
    assert executable.entry == hello[board].image.entry
    # the linker's segments, which include .bss and the stacks (no file bytes)
    assert [(s.address, s.filesz, s.memsz) for s in executable.segments] == [
        (s.vaddr, s.filesz, s.memsz) for s in hello[board].image.segments
    ]


def test_functions_and_code_come_from_the_symbol_table_and_text(hello: dict[str, BuildResult]) -> None:
    result = hello["mcimx6ul-evk"]
    executable = read_executable(result.image.elf)
    functions = executable.functions()
    assert list(functions) == sorted(functions)
    by_name = {f.name: f for f in functions}
    reset = by_name["__tamapy_reset"]
    assert isinstance(reset, FunctionSymbol) and reset.address == result.image.symbols["__tamapy_reset"]
    elf = ELFFile(io.BytesIO(result.image.elf))
    text = elf.get_section_by_name(".text")
    offset = reset.address - text["sh_addr"]
    assert executable.code_at(reset.address, reset.size) == text.data()[offset : offset + reset.size]
    assert executable.code_at(0, 4) == b""  # no executable segment there


def test_line_table_names_source_lines(hello: dict[str, BuildResult]) -> None:
    result = hello["mcimx6ul-evk"]
    executable = read_executable(result.image.elf)
    main = next(f for f in executable.functions() if f.name.endswith("hello.main.main"))
    line = executable.line_table().line_at(main.address)
    assert line is not None and line.startswith("firmware/examples/hello/main.py:")
    assert len(read_executable(make_elf([(0x1000, b"\x00" * 4, 0)])).line_table()) == 0


@pytest.mark.parametrize(
    ("elf", "code"),
    [
        (b"\x7fELF", "E100"),
        (make_elf([(0x1000, b"x", 0)], machine=3), "E100"),
        (make_elf([(0x1000, b"ab", 0)], paddr_delta=0x100), "E101"),
        (make_elf([(0x1000, b"ab", 0x10), (0x1008, b"", 0x10)]), "E101"),  # memory-only segments count too
    ],
    ids=["short", "not-arm", "vaddr-ne-paddr", "overlap"],
)
def test_the_caller_names_the_codes(elf: bytes, code: str) -> None:
    with pytest.raises(TamapyError) as info:
        read_executable(elf, "x.elf", malformed="E100", bad_segments="E101")
    assert info.value.diagnostics[0].code == code and info.value.diagnostics[0].file == "x.elf"
