"""Every bad input is a TamapyError with an E4xx code, never a traceback."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tamapy.diagnostics import TamapyError
from tamapy.link import LinkLayout, link

from .support import (
    LAYOUT,
    SHF_ALLOC,
    SHF_WRITE,
    STB_LOCAL,
    Rel,
    Sec,
    Sym,
    build_object,
    compile_ir,
    vectors_ir,
    words,
)

MINIMAL_IR = vectors_ir("reset") + "define void @reset() noreturn nounwind { unreachable }\n"


def code_of(obj: bytes, layout: LinkLayout = LAYOUT) -> tuple[str, str]:
    """The single diagnostic's code and message; also checks where it points."""
    with pytest.raises(TamapyError) as caught:
        link(obj, layout, "bad.o")
    (diag,) = caught.value.diagnostics
    assert (diag.file, diag.line, diag.col) == ("bad.o", 0, 0)
    return diag.code, diag.message


def text_object(rels: list[Rel], symbols: list[Sym] = ()) -> bytes:  # type: ignore[assignment]
    """.text with a `bl` at 0, a `vectors` entry symbol, and the given relocations."""
    return build_object(
        [Sec(".text", words(0xEBFF_FFFE, 0))], [Sym("vectors", ".text"), *symbols], rels
    )


@pytest.mark.parametrize(
    "data",
    [b"", b"garbage bytes, not an object" * 4, b"\x7fELF" + bytes(60)],
    ids=["empty", "garbage", "zeroed-header"],
)
def test_garbage_is_malformed(data: bytes) -> None:
    assert code_of(data)[0] == "E400"


def test_truncated_object_is_malformed() -> None:
    obj = compile_ir(MINIMAL_IR)
    assert code_of(obj[: len(obj) // 2])[0] == "E400"


def test_executable_is_not_accepted() -> None:
    exe = link(compile_ir(MINIMAL_IR), LAYOUT).elf
    code, message = code_of(exe)
    assert code == "E401" and "ET_EXEC" in message


def test_other_machine_is_not_accepted() -> None:
    obj = bytearray(compile_ir(MINIMAL_IR))
    obj[18:20] = (3).to_bytes(2, "little")  # EM_386
    assert code_of(bytes(obj))[0] == "E401"


def test_unknown_relocation_type() -> None:
    code, message = code_of(text_object([Rel(".text", 4, 99, "vectors")]))
    assert code == "E403"
    assert "99" in message and ".text+0x4" in message


def test_undefined_symbol() -> None:
    obj = compile_ir(
        vectors_ir("reset")
        + "declare void @missing()\n"
        + "define void @reset() noreturn nounwind { call void @missing() unreachable }\n"
    )
    code, message = code_of(obj)
    assert code == "E404"
    assert "'missing'" in message and "R_ARM_" in message and ".text+0x" in message


def test_branch_out_of_range() -> None:
    # A call to a linker-defined symbol 64 MiB past the code (the top of a huge stack).
    obj = compile_ir(
        vectors_ir("reset")
        + "declare void @__stack_top()\n"
        + "define void @reset() noreturn nounwind { call void @__stack_top() unreachable }\n"
    )
    layout = dataclasses.replace(LAYOUT, stack_size=64 << 20)
    code, message = code_of(obj, layout)
    assert code == "E405" and "__stack_top" in message


def test_branch_out_of_range_handmade() -> None:
    far = Sym("far", 0xFFF1, value=0x9000_0000)  # SHN_ABS
    code, message = code_of(text_object([Rel(".text", 0, 28, "far")], [far]))
    assert code == "E405" and "'far'" in message and ".text+0x0" in message


def test_unknown_allocatable_section() -> None:
    obj = build_object(
        [Sec(".text", words(0)), Sec(".init_array", words(0), flags=SHF_ALLOC | SHF_WRITE)],
        [Sym("vectors", ".text")],
    )
    code, message = code_of(obj)
    assert code == "E402" and ".init_array" in message


def test_nobits_data_section_is_not_placed_silently() -> None:
    obj = build_object([Sec(".data", type=8, flags=SHF_ALLOC | SHF_WRITE, size=4)])
    assert code_of(obj)[0] == "E402"


def test_relocation_outside_its_section() -> None:
    assert code_of(text_object([Rel(".text", 6, 2, "vectors")]))[0] == "E406"


def test_relocation_against_a_dropped_section() -> None:
    obj = build_object(
        [Sec(".text", words(0)), Sec(".comment", b"x\0", flags=0)],
        [Sym("vectors", ".text"), Sym("note", ".comment", bind=STB_LOCAL)],
        [Rel(".text", 0, 2, "note")],
    )
    assert code_of(obj)[0] == "E406"


@pytest.mark.parametrize(
    "changes",
    [
        {"page_size": 0x1800},
        {"stack_size": -8},
        {"load_address": 1 << 32},
        {"load_address": 0xFFFF_F000},  # the stacks would wrap past 4 GiB
        {"load_address": 0x8001_0010},  # .vectors is 32-byte aligned
        {"dma_base": 0x0090_0020, "dma_size": 0x1000},  # the DMA region is cleared in 64-byte blocks
    ],
)
def test_bad_layout(changes: dict[str, int]) -> None:
    obj = compile_ir(MINIMAL_IR)
    assert code_of(obj, dataclasses.replace(LAYOUT, **changes))[0] == "E407"  # type: ignore[arg-type]


def test_missing_entry_symbol() -> None:
    obj = compile_ir(MINIMAL_IR)
    code, message = code_of(obj, dataclasses.replace(LAYOUT, entry_symbol="_start"))
    assert code == "E408" and "_start" in message


def test_object_must_not_define_linker_symbols() -> None:
    obj = compile_ir(MINIMAL_IR + "@__bss_start = global i32 0\n")
    code, message = code_of(obj)
    assert code == "E409" and "__bss_start" in message


def test_duplicate_global() -> None:
    obj = text_object([], [Sym("vectors", ".text", value=4)])
    assert code_of(obj)[0] == "E409"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_corrupted_objects_never_crash(data: st.DataObject) -> None:
    """Flip bytes of a real object: the linker either links it or reports E4xx."""
    obj = bytearray(_FUZZ_BASE)
    for _ in range(data.draw(st.integers(1, 8))):
        obj[data.draw(st.integers(0, len(obj) - 1))] = data.draw(st.integers(0, 255))
    try:
        link(bytes(obj), LAYOUT, "fuzz.o")
    except TamapyError as exc:
        assert all(d.code.startswith("E4") for d in exc.diagnostics)


_FUZZ_BASE = compile_ir(
    vectors_ir("reset")
    + "@g = global i32 1\n@p = global ptr @g\n"
    + "define void @reset() noreturn nounwind { store volatile i32 2, ptr @g unreachable }\n"
)
