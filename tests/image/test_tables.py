"""Constant tables are read-only data: their words, little-endian, in the image's read-only segment."""

from __future__ import annotations

import io
from pathlib import Path

from elftools.elf.elffile import ELFFile

from tamapy.build import compile_app

APP = '''
from typing import Final

from runtime import console
from runtime.system import finish
from soc.imx6ul.regs import UART1
from tamapy.fw import Array, View, i8, i64, u16, u32, u64

WORDS: Final = Array[u32, 4](0x428A2F98, 0x71374491, 0xB5C0FBCF, 0xE9B5DBA5)
HALVES: Final = Array[u16, 3](0xBEEF, 0x0102, 0x8000)
SIGNED: Final = Array[i8, 3](-2, 5, -128)
LONGS: Final = Array[u64, 2](0xFFFF_FFFF_FFFF_FFFE, 3)
NEGATIVE: Final = Array[i64, 2](-(1 << 63), -1)


def pick(table: View[u32], i: u32) -> u32:
    return table[i & 3]


def main() -> None:
    console.init()
    i: u32 = UART1.USR1.read()
    wide: u32 = u32(LONGS[i & 1] & 0xFF) ^ u32(NEGATIVE[i & 1] & 0xFF)
    finish(pick(WORDS, i) ^ HALVES[i % 3] ^ u32(SIGNED[i % 3] + 128) ^ wide)
'''


def test_tables_are_little_endian_words_in_the_read_only_segment(project: Path) -> None:
    app = project / "firmware" / "examples" / "tabled"
    app.mkdir()
    (app / "__init__.py").write_text("")
    (app / "main.py").write_text(APP)
    image = compile_app(app, "mcimx6ul-evk", verify=False).image
    rodata = next(s for s in image.segments if s.name == "rodata")
    assert rodata.flags == "R"
    words = (0x428A2F98, 0x71374491, 0xB5C0FBCF, 0xE9B5DBA5)
    expected = {
        "examples.tabled.main.WORDS": b"".join(w.to_bytes(4, "little") for w in words),
        "examples.tabled.main.HALVES": b"\xef\xbe\x02\x01\x00\x80",
        "examples.tabled.main.SIGNED": bytes([0xFE, 0x05, 0x80]),
        "examples.tabled.main.LONGS": (2**64 - 2).to_bytes(8, "little") + (3).to_bytes(8, "little"),
        "examples.tabled.main.NEGATIVE": (1 << 63).to_bytes(8, "little") + b"\xff" * 8,
    }
    for symbol, data in expected.items():
        address = image.symbols[symbol]
        assert address % 4 == 0, symbol
        assert rodata.vaddr <= address and address + len(data) <= rodata.vaddr + rodata.filesz, symbol
        for s in image.segments:  # no writable segment overlaps it
            assert "W" not in s.flags or not s.vaddr <= address < s.vaddr + s.memsz
        assert _read(image.elf, address, len(data)) == data, symbol


def _read(elf: bytes, address: int, size: int) -> bytes:
    """``size`` bytes the ELF loads at ``address`` (from its program headers)."""
    f = ELFFile(io.BytesIO(elf))
    for seg in f.iter_segments():
        if seg["p_type"] == "PT_LOAD" and seg["p_vaddr"] <= address < seg["p_vaddr"] + seg["p_filesz"]:
            off = address - seg["p_vaddr"]
            return seg.data()[off:off + size]
    raise AssertionError(f"nothing loaded at {address:#x}")
