"""The link step: read one object, place it, resolve symbols, relocate, write ELF."""

from __future__ import annotations

import re
from dataclasses import dataclass

from tamapy.link import errors
from tamapy.link.calllines import with_call_lines
from tamapy.link.elfwrite import ElfSymbol, write_elf
from tamapy.link.layout import LinkLayout, Placement, Segment, place
from tamapy.link.objfile import (
    SHN_ABS,
    SHN_COMMON,
    SHN_UNDEF,
    STB_LOCAL,
    STT_FILE,
    STT_SECTION,
    ObjectFile,
    Relocation,
    Symbol,
    read_object,
)
from tamapy.link.relocs import KINDS, RelocationOverflow

DEBUG_SECTIONS = (
    ".debug_abbrev", ".debug_info", ".debug_str", ".debug_line", ".debug_line_str",  # units, names, lines
    ".debug_loc", ".debug_loclists", ".debug_ranges", ".debug_rnglists",  # where variables and code are
    ".debug_addr", ".debug_str_offsets",  # DWARF 5's indirections
    ".debug_frame",  # call frames, so a debugger can unwind the stack
)
"""DWARF sections kept (not loaded) so addresses map back to source lines and a debugger
can show variables and a backtrace.  (.debug_pubnames/.debug_pubtypes are lookup indexes
a debugger rebuilds itself: dropped.)"""

# ARM mapping symbols ($a code, $d data, $t Thumb): kept in .symtab for
# disassemblers, but they are not names a program can refer to.
_MAPPING_SYMBOL = re.compile(r"\$[adt](\..*)?")


@dataclass(frozen=True)
class LinkedImage:
    """The executable, its entry point, loadable segments and final symbol addresses."""

    elf: bytes
    entry: int
    segments: tuple[Segment, ...]
    symbols: dict[str, int]
    relocations: tuple[tuple[str, int], ...] = ()
    """(kind name, how many of that kind were applied), sorted by name: what an audit lists."""


def link(obj: bytes, layout: LinkLayout, name: str = "<object>") -> LinkedImage:
    """Link one relocatable object into a bare-metal executable at ``layout``."""
    o = read_object(obj, name)
    placement = place(o.sections, [s for s in o.symbols if s.shndx == SHN_COMMON], layout, name)
    debug = {s.index: 0 for s in o.sections if not s.alloc and s.name in DEBUG_SECTIONS}
    values = [_value(sym, placement, debug) for sym in o.symbols]
    contents = {i: bytearray(o.sections[i].data) for i in [*placement.addresses, *debug]}
    bases = {**placement.addresses, **debug}
    applied: dict[str, int] = {}
    for target, relocations in o.relocations.items():
        if target in bases:
            for rel in relocations:
                kind = _relocate(o, target, rel, contents[target], bases[target], values)
                applied[kind] = applied.get(kind, 0) + 1

    elf_symbols, symbols = _symbols(o, placement, values)
    if layout.entry_symbol not in symbols:
        raise errors.link_error(
            name,
            errors.MISSING_ENTRY,
            f"entry symbol {layout.entry_symbol!r} is not defined",
            "define the vector table (or reset function) the layout names",
        )
    images = []
    for seg in placement.segments:
        image = bytearray(seg.filesz)
        for index, address in placement.addresses.items():
            if seg.vaddr <= address < seg.vaddr + seg.filesz:
                offset = address - seg.vaddr
                image[offset : offset + len(contents[index])] = contents[index]
        images.append(bytes(image))
    entry = symbols[layout.entry_symbol]
    debug_sections = sorted((o.sections[i].name, bytes(contents[i])) for i in debug)
    elf = write_elf(
        entry, layout.page_size, placement.segments, images, placement.sections, elf_symbols, debug_sections
    )
    rewritten = with_call_lines(elf) if debug_sections else {}
    if rewritten:  # the line table needs final addresses: a second pass over the written image
        debug_sections = [(n, rewritten.get(n, data)) for n, data in debug_sections]
        elf = write_elf(
            entry, layout.page_size, placement.segments, images, placement.sections, elf_symbols, debug_sections
        )
    return LinkedImage(elf, entry, placement.segments, symbols, tuple(sorted(applied.items())))


def _value(sym: Symbol, placement: Placement, debug: dict[int, int]) -> int | None:
    """Final value of a symbol, or None if it is undefined or lives in a dropped section."""
    if sym.index == 0:
        return 0  # STN_UNDEF: relocations against it use S = 0
    if sym.shndx == SHN_UNDEF:
        return placement.symbols.get(sym.name)
    if sym.shndx == SHN_ABS:
        return sym.value
    if sym.shndx == SHN_COMMON:
        return placement.commons[sym.index]
    base = placement.addresses.get(sym.shndx, debug.get(sym.shndx))
    return None if base is None else base + sym.value


def _relocate(
    o: ObjectFile,
    target: int,
    rel: Relocation,
    data: bytearray,
    base: int,
    values: list[int | None],
) -> str:
    """Patch one word of section ``target`` (placed at ``base``) in place; the kind's name."""
    where = f"{o.sections[target].name}+{rel.offset:#x}"
    kind = KINDS.get(rel.type)
    if kind is None:
        raise errors.link_error(
            o.name,
            errors.UNKNOWN_RELOCATION,
            f"unsupported relocation type {rel.type} at {where}",
            "supported: " + ", ".join(k.name for k in KINDS.values()),
        )
    if rel.offset + 4 > len(data):
        raise errors.link_error(
            o.name,
            errors.BAD_RELOCATION,
            f"{kind.name} at {where} is outside the section's {len(data)} bytes",
            "the object is damaged: compile it again",
        )
    s = 0
    if kind.uses_symbol:
        sym = o.symbols[rel.symbol]
        value = values[rel.symbol]
        if value is None:
            undefined = sym.shndx == SHN_UNDEF
            raise errors.link_error(
                o.name,
                errors.UNDEFINED_SYMBOL if undefined else errors.BAD_RELOCATION,
                f"{kind.name} at {where} refers to "
                + (f"undefined symbol {sym.name!r}" if undefined else
                   f"symbol {sym.name!r} in a section that is not linked"),
                "firmware is one object; only linker-defined symbols may be external"
                if undefined else "",
            )  # fmt: skip
        s = value
    word = int.from_bytes(data[rel.offset : rel.offset + 4], "little")
    try:
        patched = kind.apply(word, s, rel.addend, base + rel.offset)
    except RelocationOverflow as exc:
        target_name = o.symbols[rel.symbol].name or o.sections[target].name
        raise errors.link_error(
            o.name,
            errors.OUT_OF_RANGE,
            f"{kind.name} at {where} to {target_name!r} ({s:#x}): {exc}",
            "B/BL reach +/-32 MiB and PREL31 +/-1 GiB from the place",
        ) from None
    data[rel.offset : rel.offset + 4] = patched.to_bytes(4, "little")
    return kind.name


def _symbols(
    o: ObjectFile, placement: Placement, values: list[int | None]
) -> tuple[list[ElfSymbol], dict[str, int]]:
    """The sorted .symtab entries (locals first) and the name -> address table.

    Every named symbol defined in a kept section, plus the linker's own.  In
    the table a global wins over a same-named local; two globals with one
    name, or an object defining a linker-defined name, is an error.
    """
    defined = [
        (sym, value)
        for sym, value in zip(o.symbols, values, strict=True)
        if sym.name
        and sym.shndx != SHN_UNDEF
        and sym.type not in (STT_SECTION, STT_FILE)
        and value is not None
    ]
    table: dict[str, int] = {}
    globals_seen: set[str] = set()
    for sym, value in sorted(defined, key=lambda d: d[0].bind != STB_LOCAL):
        if _MAPPING_SYMBOL.fullmatch(sym.name):
            continue
        if sym.name in placement.symbols or sym.name in globals_seen:
            raise errors.link_error(
                o.name,
                errors.SYMBOL_CONFLICT,
                f"symbol {sym.name!r} is defined twice"
                + (" (the linker defines it)" if sym.name in placement.symbols else ""),
                "rename one of the definitions (names beginning __ belong to the linker)",
            )
        if sym.bind != STB_LOCAL:
            globals_seen.add(sym.name)
        table[sym.name] = value
    table.update(placement.symbols)
    entries = [ElfSymbol(sym.name, value, sym.size, sym.bind, sym.type) for sym, value in defined]
    entries += [ElfSymbol(n, v, 0, 1, 0) for n, v in placement.symbols.items()]  # GLOBAL NOTYPE
    entries.sort(key=lambda e: (e.bind != STB_LOCAL, e.value, e.name, e.size, e.type, e.bind))
    return entries, dict(sorted(table.items()))
