"""Read one ELF32 little-endian ARM relocatable object into plain data.

This is the only module of the linker that touches pyelftools: every parse
failure of the input turns into a TamapyError here, and the rest of the
linker works on small frozen records with integer fields.  (Executables,
the linker's output, are read by :mod:`tamapy.elf`.)
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from elftools.elf.elffile import ELFFile
from elftools.elf.enums import ENUM_ST_INFO_BIND, ENUM_ST_INFO_TYPE, ENUM_ST_SHNDX

from tamapy.diagnostics import TamapyError
from tamapy.elf import PYELFTOOLS_ERRORS
from tamapy.link import errors

SHF_ALLOC = 0x2
SHN_UNDEF = 0
SHN_ABS = 0xFFF1
SHN_COMMON = 0xFFF2
STB_LOCAL = 0
STT_SECTION = 3
STT_FILE = 4


@dataclass(frozen=True)
class Section:
    """One section header (and its bytes, empty for NOBITS)."""

    index: int
    name: str
    type: str  # pyelftools' name, e.g. "SHT_PROGBITS", "SHT_NOBITS", "SHT_REL"
    flags: int
    size: int
    align: int
    data: bytes

    @property
    def alloc(self) -> bool:
        return bool(self.flags & SHF_ALLOC)

    @property
    def nobits(self) -> bool:
        return self.type == "SHT_NOBITS"


@dataclass(frozen=True)
class Symbol:
    """One symbol table entry; ``shndx`` is numeric (SHN_UNDEF/ABS/COMMON included)."""

    index: int
    name: str
    value: int
    size: int
    bind: int
    type: int
    shndx: int


@dataclass(frozen=True)
class Relocation:
    """One REL (``addend`` None: implicit in the place) or RELA entry."""

    offset: int
    type: int
    symbol: int
    addend: int | None


@dataclass(frozen=True)
class ObjectFile:
    """The parts of a relocatable object the linker needs."""

    name: str
    sections: tuple[Section, ...]
    symbols: tuple[Symbol, ...]
    relocations: dict[int, tuple[Relocation, ...]]  # target section index -> entries


def _number(value: Any, table: Mapping[str, int]) -> int:
    """pyelftools gives known enum values as names; map them back to numbers."""
    return value if isinstance(value, int) else table[value]


def read_object(data: bytes, name: str) -> ObjectFile:
    """Parse and validate ``data``; any defect is a TamapyError (E400/E401)."""
    try:
        elf = ELFFile(io.BytesIO(data))
        _check_header(elf, name)
        return _read(elf, name)
    except TamapyError:
        raise
    except PYELFTOOLS_ERRORS as exc:
        raise errors.link_error(
            name,
            errors.MALFORMED_OBJECT,
            f"not a well-formed ELF object: {exc}",
            "pass the bytes of target_machine.emit_object(module)",
        ) from None


def _check_header(elf: Any, name: str) -> None:
    ident = elf.header["e_ident"]
    found = (ident["EI_CLASS"], ident["EI_DATA"], elf.header["e_machine"], elf.header["e_type"])
    wanted = ("ELFCLASS32", "ELFDATA2LSB", "EM_ARM", "ET_REL")
    if found != wanted:
        raise errors.link_error(
            name,
            errors.WRONG_OBJECT_KIND,
            f"expected an ELF32 little-endian ARM relocatable object (ET_REL), "
            f"got {'/'.join(map(str, found))}",
            "link the object emitted for armv7a-none-eabi, not an executable",
        )


def _read(elf: Any, name: str) -> ObjectFile:
    sections: list[Section] = []
    symbols: tuple[Symbol, ...] = ()
    relocations: dict[int, list[Relocation]] = {}
    symtab_index: int | None = None
    for index, sec in enumerate(elf.iter_sections()):
        kind = str(sec["sh_type"])
        size = sec["sh_size"]
        # Allocatable bytes and the DWARF line tables are copied; nothing else is read.
        loaded = (sec["sh_flags"] & SHF_ALLOC or sec.name.startswith(".debug_")) and kind != "SHT_NOBITS"
        payload = sec.data() if loaded else b""
        if loaded and len(payload) != size:
            raise ValueError(f"section {sec.name!r} is truncated")
        sections.append(
            Section(index, sec.name, kind, sec["sh_flags"], size, sec["sh_addralign"], payload)
        )
        if kind == "SHT_SYMTAB":
            if symtab_index is not None:
                raise ValueError("more than one symbol table")
            symtab_index = index
            symbols = tuple(_symbol(i, sym) for i, sym in enumerate(sec.iter_symbols()))
        elif kind in ("SHT_REL", "SHT_RELA"):
            rela = kind == "SHT_RELA"
            relocations.setdefault(sec["sh_info"], []).extend(
                Relocation(
                    r["r_offset"],
                    r["r_info_type"],
                    r["r_info_sym"],
                    r["r_addend"] if rela else None,
                )
                for r in sec.iter_relocations()
            )
    for sym in symbols:
        if sym.shndx in (SHN_UNDEF, SHN_ABS, SHN_COMMON):
            continue
        if sym.shndx >= len(sections) or sym.value > sections[sym.shndx].size:
            raise ValueError(f"symbol {sym.name!r} lies outside its section")
    for target, entries in relocations.items():
        if not 0 < target < len(sections):
            raise ValueError(f"relocation section targets section {target}")
        if any(r.symbol >= len(symbols) for r in entries):
            raise ValueError(f"relocation for {sections[target].name!r} names a missing symbol")
    return ObjectFile(
        name, tuple(sections), symbols, {t: tuple(e) for t, e in sorted(relocations.items())}
    )


def _symbol(index: int, sym: Any) -> Symbol:
    info = sym["st_info"]
    return Symbol(
        index,
        sym.name,
        sym["st_value"],
        sym["st_size"],
        _number(info["bind"], ENUM_ST_INFO_BIND),
        _number(info["type"], ENUM_ST_INFO_TYPE),
        _number(sym["st_shndx"], ENUM_ST_SHNDX),
    )
