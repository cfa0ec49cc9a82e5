"""Serialise a linked image as a deterministic ELF32 ARM executable.

The output depends only on its arguments (no timestamps, paths or hash
order), and segments are packed as tightly as p_offset == p_vaddr (mod page)
allows, so the file stays small.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from dataclasses import dataclass

from tamapy.link.layout import OutputSection, Segment

EF_ARM_EABI_V5_SOFT_FLOAT = 0x0500_0200
EM_ARM = 40
ET_EXEC = 2
PT_LOAD = 1
SHT_PROGBITS, SHT_SYMTAB, SHT_STRTAB, SHT_NOBITS = 1, 2, 3, 8
SHF_WRITE, SHF_ALLOC, SHF_EXECINSTR = 0x1, 0x2, 0x4
SHN_ABS = 0xFFF1
STB_LOCAL = 0
_EHDR_SIZE, _PHDR_SIZE, _SHDR_SIZE, _SYM_SIZE = 52, 32, 40, 16
_P_FLAGS = {"RX": 0x5, "R": 0x4, "RW": 0x6}
_SH_FLAGS = {"RX": SHF_ALLOC | SHF_EXECINSTR, "R": SHF_ALLOC, "RW": SHF_ALLOC | SHF_WRITE}


@dataclass(frozen=True)
class ElfSymbol:
    """One output symbol table entry; its section is found from its address."""

    name: str
    value: int
    size: int
    bind: int
    type: int


class _StringTable:
    """An ELF string table; identical strings share one entry."""

    def __init__(self) -> None:
        self.data = bytearray(b"\0")
        self._offsets: dict[str, int] = {"": 0}

    def add(self, text: str) -> int:
        if text not in self._offsets:
            self._offsets[text] = len(self.data)
            self.data += text.encode() + b"\0"
        return self._offsets[text]


def _pad(buf: bytearray, alignment: int) -> int:
    buf.extend(bytes(-len(buf) % alignment))
    return len(buf)


def write_elf(
    entry: int,
    page_size: int,
    segments: Sequence[Segment],
    images: Sequence[bytes],
    sections: Sequence[OutputSection],
    symbols: Sequence[ElfSymbol],
    debug: Sequence[tuple[str, bytes]] = (),
) -> bytes:
    """ELF bytes: headers, .symtab/.strtab/.shstrtab, segment images, section headers.

    ``images[i]`` holds the file-backed bytes of ``segments[i]`` (len == filesz);
    ``symbols`` must already be in output order (locals first).
    """
    shstrtab = _StringTable()
    for name in [s.name for s in sections] + [".symtab", ".strtab", ".shstrtab"] + [n for n, _ in debug]:
        shstrtab.add(name)
    # The tables go first: they fill the gap the first segment's alignment leaves anyway.
    out = bytearray(_EHDR_SIZE + _PHDR_SIZE * len(segments))
    tables = _write_tables(out, sections, symbols, shstrtab)
    phdrs, file_delta = _write_segments(out, page_size, segments, images)

    headers: list[tuple[int, ...]] = [(0,) * 10]
    for sec in sections:
        flags = next(s.flags for s in segments if s.name == sec.segment)
        headers.append((
            shstrtab.add(sec.name),
            SHT_NOBITS if sec.nobits else SHT_PROGBITS,
            _SH_FLAGS[flags],
            sec.vaddr,
            file_delta[sec.segment] + sec.vaddr,
            sec.size, 0, 0, sec.align, 0,
        ))  # fmt: skip
    headers += tables
    for name, payload in debug:  # not loaded: line tables for fault reports and debuggers
        headers.append((shstrtab.add(name), SHT_PROGBITS, 0, 0, len(out), len(payload), 0, 0, 1, 0))
        out += payload
    shoff = _pad(out, 4)
    for header in headers:
        out += struct.pack("<10I", *header)
    ident = b"\x7fELF" + bytes([1, 1, 1, 0]) + bytes(8)  # ELF32, LSB, EV_CURRENT, SYSV
    out[: _EHDR_SIZE + len(phdrs)] = ident + struct.pack(
        "<HHIIIIIHHHHHH",
        ET_EXEC, EM_ARM, 1, entry, _EHDR_SIZE if segments else 0, shoff,
        EF_ARM_EABI_V5_SOFT_FLOAT, _EHDR_SIZE, _PHDR_SIZE, len(segments),
        _SHDR_SIZE, len(headers), len(sections) + 3,  # .shstrtab: after NULL, sections, .symtab, .strtab
    ) + phdrs  # fmt: skip
    return bytes(out)


def _write_tables(
    out: bytearray, sections: Sequence[OutputSection], symbols: Sequence[ElfSymbol], shstrtab: _StringTable
) -> list[tuple[int, ...]]:
    """Append .symtab, .strtab and .shstrtab to ``out``; return their section headers."""
    strtab = _StringTable()
    symtab = bytearray(_SYM_SIZE)
    for sym in symbols:
        shndx = next(
            (i for i, s in enumerate(sections, 1) if s.vaddr <= sym.value < s.vaddr + s.size),
            SHN_ABS,
        )
        info = (sym.bind << 4) | sym.type
        symtab += struct.pack("<IIIBBH", strtab.add(sym.name), sym.value, sym.size, info, 0, shndx)
    first_global = 1 + sum(1 for s in symbols if s.bind == STB_LOCAL)
    strtab_index = len(sections) + 2  # after NULL, the output sections and .symtab
    tables: list[tuple[int, ...]] = []
    for name, kind, data, link, info, align, entsize in (
        (".symtab", SHT_SYMTAB, symtab, strtab_index, first_global, 4, _SYM_SIZE),
        (".strtab", SHT_STRTAB, strtab.data, 0, 0, 1, 0),
        (".shstrtab", SHT_STRTAB, shstrtab.data, 0, 0, 1, 0),
    ):
        offset = _pad(out, align)
        out += data
        tables.append(
            (shstrtab.add(name), kind, 0, 0, offset, len(data), link, info, align, entsize)
        )
    return tables


def _write_segments(
    out: bytearray, page_size: int, segments: Sequence[Segment], images: Sequence[bytes]
) -> tuple[bytes, dict[str, int]]:
    """Append the segment images to ``out``; return the program headers and, per segment,
    its file offset minus its address."""
    file_delta: dict[str, int] = {}
    phdrs = bytearray()
    for seg, image in zip(segments, images, strict=True):
        offset = len(out) + (seg.vaddr - len(out)) % page_size  # smallest congruent offset
        if not image and offset > len(out) >= page_size:
            offset -= page_size  # nothing to load: keep p_offset inside the file
        file_delta[seg.name] = offset - seg.vaddr
        phdrs += struct.pack(
            "<8I", PT_LOAD, offset, seg.vaddr, seg.vaddr, seg.filesz, seg.memsz,
            _P_FLAGS[seg.flags], page_size,
        )  # fmt: skip
        if image:
            out.extend(bytes(offset - len(out)))
            out += image
    return bytes(phdrs), file_delta
