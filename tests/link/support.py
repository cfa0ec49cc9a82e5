"""Test helpers: objects from LLVM IR, hand-built ET_REL files, and an ELF reader.

The decoders here are written from the ARM ARM encodings, independently of
``tamapy.link.relocs``, so tests check the linker against a second opinion.
"""

from __future__ import annotations

import io
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import llvmlite.binding as llvm
from elftools.elf.elffile import ELFFile

from tamapy.link import LinkedImage, LinkLayout, link

LOAD = 0x8001_0000
LAYOUT = LinkLayout(
    load_address=LOAD, stack_size=0x2000, exception_stack_size=0x400, entry_symbol="vectors"
)

# ---------------------------------------------------------------- LLVM objects


@cache
def _target_machine() -> Any:
    llvm.initialize_all_targets()
    llvm.initialize_all_asmprinters()
    target = llvm.Target.from_triple("armv7a-none-eabi")
    return target.create_target_machine(cpu="cortex-a7", opt=2, reloc="static", codemodel="small")


def compile_ir(body: str) -> bytes:
    """An armv7a-none-eabi relocatable object made by llvmlite from textual IR."""
    module = llvm.parse_assembly('target triple = "armv7a-none-eabi"\n' + body)
    module.verify()
    return bytes(_target_machine().emit_object(module))


def vectors_ir(handler: str) -> str:
    """A vector table global: 8 x `ldr pc, [pc, #24]`, then 8 handler addresses."""
    words = ", ".join([f"i32 {0xE59F_F018}"] * 8 + [f"i32 ptrtoint (ptr @{handler} to i32)"] * 8)
    return f'@vectors = constant [16 x i32] [{words}], section ".vectors", align 32\n'


# ------------------------------------------------------- reading the output


class Image:
    """A linked ELF opened with pyelftools, with memory reads by address."""

    def __init__(self, linked: LinkedImage) -> None:
        self.linked = linked
        self.elf = ELFFile(io.BytesIO(linked.elf))

    def read(self, address: int, size: int) -> bytes:
        for seg in self.elf.iter_segments():
            start = seg["p_vaddr"]
            if start <= address and address + size <= start + seg["p_filesz"]:
                return bytes(seg.data()[address - start : address - start + size])
        raise AssertionError(f"{address:#x} is not file-backed")

    def word(self, address: int) -> int:
        return int.from_bytes(self.read(address, 4), "little")

    def words(self, symbol: str, count: int) -> list[tuple[int, int]]:
        """(address, word) pairs from the start of a symbol."""
        base = self.linked.symbols[symbol]
        return [(base + 4 * i, self.word(base + 4 * i)) for i in range(count)]


def link_image(obj: bytes, layout: LinkLayout = LAYOUT) -> Image:
    return Image(link(obj, layout, "test.o"))


def branch_target(word: int, place: int) -> int:
    """Destination of an ARM B/BL at ``place``: PC (place + 8) + sign-extended imm24 * 4."""
    imm = word & 0xFF_FFFF
    offset = (imm - (1 << 24) if imm & 0x80_0000 else imm) * 4
    return (place + 8 + offset) & 0xFFFF_FFFF


def is_bl(word: int) -> bool:
    return word & 0x0F00_0000 == 0x0B00_0000


def is_b(word: int) -> bool:
    return word & 0x0F00_0000 == 0x0A00_0000


def mov_imm16(word: int) -> int:
    """The imm16 of MOVW/MOVT (A1): imm4 in bits 19:16, imm12 in bits 11:0."""
    return ((word >> 16) & 0xF) << 12 | (word & 0xFFF)


def movw_movt_value(words: list[tuple[int, int]], register: int) -> int:
    """The 32-bit constant a MOVW/MOVT pair loads into ``register``."""
    low = [w for _, w in words if w & 0x0FF0_0000 == 0x0300_0000 and (w >> 12) & 0xF == register]
    high = [w for _, w in words if w & 0x0FF0_0000 == 0x0340_0000 and (w >> 12) & 0xF == register]
    assert len(low) == 1 and len(high) == 1, [hex(w) for _, w in words]
    return mov_imm16(high[0]) << 16 | mov_imm16(low[0])


# ------------------------------------------------ hand-built ET_REL objects

SHT_PROGBITS, SHT_SYMTAB, SHT_STRTAB, SHT_RELA, SHT_NOBITS, SHT_REL = 1, 2, 3, 4, 8, 9
SHF_WRITE, SHF_ALLOC, SHF_EXECINSTR = 0x1, 0x2, 0x4
STB_LOCAL, STB_GLOBAL = 0, 1
STT_NOTYPE, STT_OBJECT, STT_FUNC, STT_SECTION = 0, 1, 2, 3
SHN_ABS, SHN_COMMON = 0xFFF1, 0xFFF2


@dataclass(frozen=True)
class Sec:
    name: str
    data: bytes = b""
    type: int = SHT_PROGBITS
    flags: int = SHF_ALLOC | SHF_EXECINSTR
    align: int = 4
    size: int | None = None  # only for NOBITS


@dataclass(frozen=True)
class Sym:
    name: str
    section: str | int | None  # a section name, SHN_ABS/SHN_COMMON, or None (undefined)
    value: int = 0
    size: int = 0
    bind: int = STB_GLOBAL
    type: int = STT_FUNC


@dataclass(frozen=True)
class Rel:
    section: str
    offset: int
    type: int
    symbol: str
    addend: int | None = None  # None: REL (implicit addend), else RELA


def words(*values: int) -> bytes:
    return b"".join(struct.pack("<I", v & 0xFFFF_FFFF) for v in values)


def build_object(
    sections: Sequence[Sec],
    symbols: Sequence[Sym] = (),
    relocs: Sequence[Rel] = (),
    e_type: int = 1,
) -> bytes:
    """A minimal ELF32 LE ARM object: the given sections, .rel/.rela, .symtab, .strtab."""
    names = [s.name for s in sections]
    ordered = sorted(symbols, key=lambda s: s.bind != STB_LOCAL)
    sym_index = {s.name: i for i, s in enumerate(ordered, 1)}
    strtab = bytearray(b"\0")
    symtab = bytearray(16)
    for sym in ordered:
        name_off = len(strtab)
        strtab += sym.name.encode() + b"\0"
        if sym.section is None:
            shndx = 0
        elif isinstance(sym.section, int):
            shndx = sym.section
        else:
            shndx = names.index(sym.section) + 1
        info = sym.bind << 4 | sym.type
        symtab += struct.pack("<IIIBBH", name_off, sym.value, sym.size, info, 0, shndx)

    # (name, type, flags, data, size, link, info, align, entsize); index 0 is NULL
    headers: list[tuple[str, int, int, bytes, int, int, int, int, int]] = [
        (s.name, s.type, s.flags, s.data, len(s.data) if s.size is None else s.size, 0, 0,
         s.align, 0)
        for s in sections
    ]  # fmt: skip
    symtab_index = len(sections) + 1 + len({(r.section, r.addend is None) for r in relocs})
    for target in names:
        for rela in (False, True):
            group = [r for r in relocs if r.section == target and (r.addend is not None) == rela]
            if not group:
                continue
            body = b"".join(
                struct.pack("<II", r.offset, sym_index.get(r.symbol, 0) << 8 | r.type)
                + (struct.pack("<i", r.addend) if rela else b"")
                for r in group
            )
            prefix, kind, entsize = (".rela", SHT_RELA, 12) if rela else (".rel", SHT_REL, 8)
            headers.append(
                (prefix + target, kind, 0, body, len(body), symtab_index,
                 names.index(target) + 1, 4, entsize)
            )  # fmt: skip
    first_global = 1 + sum(1 for s in ordered if s.bind == STB_LOCAL)
    headers.append((".symtab", SHT_SYMTAB, 0, bytes(symtab), len(symtab), symtab_index + 1,
                    first_global, 4, 16))  # fmt: skip
    headers.append((".strtab", SHT_STRTAB, 0, bytes(strtab), len(strtab), 0, 0, 1, 0))
    shstrtab = bytearray(b"\0")
    name_offsets = []
    for header in [*headers, (".shstrtab",)]:
        name_offsets.append(len(shstrtab))
        shstrtab += header[0].encode() + b"\0"
    headers.append((".shstrtab", SHT_STRTAB, 0, bytes(shstrtab), len(shstrtab), 0, 0, 1, 0))

    out = bytearray(52)
    table = bytearray(40)  # the NULL section header
    for (_, kind, flags, data, size, link_, info, align, entsize), name_off in zip(
        headers, name_offsets, strict=True
    ):
        out += bytes(-len(out) % 4)
        offset = len(out)
        if kind != SHT_NOBITS:
            out += data
        table += struct.pack(
            "<10I", name_off, kind, flags, 0, offset, size, link_, info, align, entsize
        )
    out += bytes(-len(out) % 4)
    shoff = len(out)
    out += table
    ident = b"\x7fELF\x01\x01\x01" + bytes(9)
    out[:52] = ident + struct.pack(
        "<HHIIIIIHHHHHH", e_type, 40, 1, 0, 0, shoff, 0x0500_0000, 52, 0, 0, 40,
        len(headers) + 1, len(headers),
    )  # fmt: skip
    return bytes(out)
