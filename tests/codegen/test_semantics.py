"""Compiled arithmetic keeps Python's meaning (DESIGN §3), checked against CPython.

A test firmware (``arith_main.py``) is compiled and linked by tamapy, then
executed instruction by instruction in Unicorn; each operation's result is
compared with what CPython computes for the same mathematical inputs.
Only inputs whose Python result fits the declared type are used: the others
are exactly what the verifier rejects.
"""

from __future__ import annotations

import shutil
import struct
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from unicorn import UC_ARCH_ARM, UC_HOOK_CODE, UC_MODE_ARM, Uc
from unicorn.arm_const import UC_ARM_REG_CPSR, UC_ARM_REG_R0, UC_CPU_ARM_CORTEX_A7

from tamapy.build import compile_app

ROOT = Path(__file__).resolve().parents[2]
IN, OUT = 0x00900000, 0x00900100
I32 = st.integers(-(2**31), 2**31 - 1)
U32 = st.integers(0, 2**32 - 1)
I64 = st.integers(-(2**63), 2**63 - 1)
U64 = st.integers(0, 2**64 - 1)


class Harness:
    def __init__(self, elf_image: bytes, symbols: dict[str, int], segments: list[tuple[int, bytes]], entry: int) -> None:
        self.symbols = symbols
        self.entry = entry
        self.uc = Uc(UC_ARCH_ARM, UC_MODE_ARM)
        self.uc.ctl_set_cpu_model(UC_CPU_ARM_CORTEX_A7)
        self.uc.mem_map(0x80000000, 0x01000000)
        self.uc.mem_map(0x00900000, 0x00020000)
        self.segments = segments
        self.stopped_at: int | None = None
        for stop in (symbols["__tamapy_halt"], symbols["__tamapy_panic"]):
            self.uc.hook_add(UC_HOOK_CODE, self._stop, begin=stop, end=stop)

    def _stop(self, uc: Uc, address: int, size: int, user: object) -> None:
        self.stopped_at = address
        uc.emu_stop()

    def run(self, op: int, *words: int) -> tuple[int, int]:
        """Returns (result word 0, result word 1); raises if the firmware panicked."""
        for addr, data in self.segments:
            self.uc.mem_write(addr, data)
        self.uc.mem_write(IN, struct.pack("<5I", op, *(list(words) + [0] * (4 - len(words)))))
        self.uc.mem_write(OUT, bytes(8))
        self.uc.reg_write(UC_ARM_REG_CPSR, 0x1D3)
        halt, panic = self.symbols["__tamapy_halt"], self.symbols["__tamapy_panic"]
        self.stopped_at = None
        self.uc.emu_start(self.entry, 0, count=5_000_000)
        pc = self.stopped_at
        if pc == panic:
            raise AssertionError(f"firmware panicked with 0x{self.uc.reg_read(UC_ARM_REG_R0):08x}")
        assert pc == halt, "did not reach halt"
        return struct.unpack("<2I", self.uc.mem_read(OUT, 8))


@pytest.fixture(scope="module")
def fw(tmp_path_factory: pytest.TempPathFactory) -> Harness:
    proj = tmp_path_factory.mktemp("proj")
    shutil.copytree(ROOT / "firmware", proj / "firmware")
    shutil.copytree(ROOT / "specs", proj / "specs")
    app = proj / "firmware" / "examples" / "arith"
    app.mkdir()
    shutil.copy(Path(__file__).with_name("arith_main.py"), app / "main.py")
    result = compile_app(app, "mcimx6ul-evk", verify=False)
    from io import BytesIO

    from elftools.elf.elffile import ELFFile

    elf = ELFFile(BytesIO(result.image.elf))
    segments = [(s["p_vaddr"], s.data() + bytes(s["p_memsz"] - s["p_filesz"])) for s in elf.iter_segments() if s["p_type"] == "PT_LOAD"]
    return Harness(result.image.elf, result.image.symbols, segments, result.image.entry)


def _u32(v: int) -> int:
    return v & 0xFFFFFFFF


def _split(v: int) -> tuple[int, int]:
    v &= (1 << 64) - 1
    return v & 0xFFFFFFFF, v >> 32


def _signed(v: int, bits: int) -> int:
    v &= (1 << bits) - 1
    return v - (1 << bits) if v >> (bits - 1) else v


def _fits(v: int, bits: int, signed: bool) -> bool:
    return (-(1 << (bits - 1)) <= v < (1 << (bits - 1))) if signed else (0 <= v < (1 << bits))


FLOOR_OPS: list[tuple[int, Callable[[int, int], int]]] = [(0, lambda a, b: a // b), (1, lambda a, b: a % b)]


@settings(max_examples=300, deadline=None)
@given(a=I32, b=I32, which=st.sampled_from(FLOOR_OPS))
def test_i32_floor_division_and_modulo(fw: Harness, a: int, b: int, which: tuple[int, Callable[[int, int], int]]) -> None:
    assume(b != 0)
    op, fn = which
    expected = fn(a, b)
    assume(_fits(expected, 32, True))
    assert _signed(fw.run(op, _u32(a), _u32(b))[0], 32) == expected


@settings(max_examples=200, deadline=None)
@given(a=st.integers(-128, 127), b=st.integers(-128, 127), which=st.sampled_from(FLOOR_OPS))
def test_i8_floor_division_and_modulo(fw: Harness, a: int, b: int, which: tuple[int, Callable[[int, int], int]]) -> None:
    assume(b != 0)
    op, fn = which
    expected = fn(a, b)
    assume(_fits(expected, 8, True))
    assert _signed(fw.run(op + 2, a & 0xFF, b & 0xFF)[0], 8) == expected


@settings(max_examples=150, deadline=None)
@given(a=I64, b=I64, which=st.sampled_from(FLOOR_OPS))
def test_i64_floor_division_and_modulo(fw: Harness, a: int, b: int, which: tuple[int, Callable[[int, int], int]]) -> None:
    assume(b != 0)
    op, fn = which
    expected = fn(a, b)
    assume(_fits(expected, 64, True))
    lo, hi = fw.run(op + 4, *_split(a), *_split(b))
    assert _signed(lo | hi << 32, 64) == expected


@settings(max_examples=150, deadline=None)
@given(a=U64, b=U64.filter(bool), which=st.sampled_from(FLOOR_OPS))
def test_u64_division_and_modulo(fw: Harness, a: int, b: int, which: tuple[int, Callable[[int, int], int]]) -> None:
    op, fn = which
    lo, hi = fw.run(op + 6, *_split(a), *_split(b))
    assert lo | hi << 32 == fn(a, b)


@settings(max_examples=200, deadline=None)
@given(a=U32, n=st.integers(0, 100))
def test_shifts_keep_python_results_for_large_amounts(fw: Harness, a: int, n: int) -> None:
    if _fits(a << n, 32, False):
        assert fw.run(8, a, n)[0] == a << n
    assert fw.run(9, a, n)[0] == a >> n
    s = _signed(a, 32)
    assert _signed(fw.run(10, a, n)[0], 32) == s >> n


@settings(max_examples=200, deadline=None)
@given(a=U32, b=I32)
def test_mixed_sign_comparison_is_exact(fw: Harness, a: int, b: int) -> None:
    assert fw.run(11, a, _u32(b))[0] == int(a < b)


@settings(max_examples=200, deadline=None)
@given(a=I32, b=I32, c=I32)
def test_chained_comparison(fw: Harness, a: int, b: int, c: int) -> None:
    assert fw.run(12, _u32(a), _u32(b), _u32(c))[0] == int(a < b <= c)


@settings(max_examples=150, deadline=None)
@given(a=I32, span=st.integers(-40, 400))
def test_range_loops_with_steps(fw: Harness, a: int, span: int) -> None:
    b = a + span
    assume(_fits(b, 32, True))
    lo, hi = fw.run(13, _u32(a), _u32(b))
    assert _signed(lo | hi << 32, 64) == sum(range(a, b, 3))
    lo, hi = fw.run(14, _u32(b), _u32(a))
    assert _signed(lo | hi << 32, 64) == sum(range(b, a, -2))


@settings(max_examples=150, deadline=None)
@given(a=st.integers(0, 255), b=st.integers(0, 255))
def test_range_counter_never_wraps_near_the_type_maximum(fw: Harness, a: int, b: int) -> None:
    assert fw.run(15, a, b)[0] == len(range(a, b, 7))


@settings(max_examples=100, deadline=None)
@given(a=U32, b=U32)
def test_masked_invert_and_widening_multiply(fw: Harness, a: int, b: int) -> None:
    assert fw.run(16, a)[0] == ~a & 0xFFFF
    lo, hi = fw.run(17, a, b)
    assert lo | hi << 32 == a * b


def test_local_arrays_and_bounds_checks(fw: Harness) -> None:
    assert fw.run(18, 16)[0] == sum(i * 3 for i in range(16))
    assert fw.run(18, 0)[0] == 0
    with pytest.raises(AssertionError, match="panicked with 0xffff0001"):
        fw.run(18, 17)  # index 16 of a Bytes[16]: the compiled bounds check stops it


def test_division_by_zero_panics(fw: Harness) -> None:
    with pytest.raises(AssertionError, match="panicked with 0xffff0002"):
        fw.run(0, 5, 0)
