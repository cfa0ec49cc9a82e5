"""ELF executable -> raw binary: the bytes a loader copies to the load address.

The boot ROM, USB loaders and ``mkimage`` know nothing of ELF: they want the
memory image from the load address up to the last byte that has contents in
the file.  This module reads the PT_LOAD program headers itself (a few fixed
offsets of ELF32) instead of going through a general ELF library, so that
every malformed input ends as one located :class:`TamapyError` and nothing
else, and so that exactly what the boot path will see is spelled out here.

Segments without file bytes (``.bss`` and the stacks, ``p_filesz == 0``) are
not part of the binary: the start-up code clears them.  Gaps between
segments (the page alignment between text, rodata and data) are zero-filled.
"""

from __future__ import annotations

import itertools
import struct
from dataclasses import dataclass

from tamapy.diagnostics import TamapyError, error

MALFORMED_ELF = "E700"  # not an ELF32 little-endian ARM executable, or truncated/inconsistent
NO_LOADABLE_BYTES = "E701"  # no PT_LOAD segment has file bytes
BAD_SEGMENTS = "E702"  # segments overlap, virtual != physical address, or the binary is too large

MAX_BINARY_SIZE = 64 << 20
"""A bare-metal image is kilobytes; tens of megabytes means segments far apart
(say one in OCRAM and one in DDR), which a flat binary cannot sensibly hold."""

_EM_ARM = 40
_ET_EXEC = 2
_PT_LOAD = 1
_EHDR_SIZE = 52
_PHDR_SIZE = 32


@dataclass(frozen=True)
class LoadSegment:
    """One PT_LOAD program header with file bytes, as the loader sees it."""

    address: int
    """Physical (= virtual: the MMU is off at boot) load address."""
    offset: int
    """File offset of the segment's bytes in the ELF."""
    filesz: int
    memsz: int


@dataclass(frozen=True)
class RawBinary:
    """The flat memory image of an executable."""

    load_address: int
    """Address of ``data[0]``: the lowest address of a segment with file bytes."""
    entry: int
    """The ELF's ``e_entry``."""
    data: bytes
    segments: tuple[LoadSegment, ...]
    """The segments that contributed bytes, in address order."""

    @property
    def end(self) -> int:
        """One past the last file-backed byte."""
        return self.load_address + len(self.data)


def _fail(name: str, code: str, message: str, hint: str = "") -> TamapyError:
    return error(name, 0, 0, code, message, hint)


def load_segments(elf: bytes, name: str = "<elf>") -> tuple[int, tuple[LoadSegment, ...]]:
    """The entry point and the PT_LOAD segments with file bytes, sorted by address.

    Only ELF32 little-endian ARM executables are accepted: that is what the
    linker writes, and anything else cannot run on the board.
    """
    if len(elf) < _EHDR_SIZE or elf[:4] != b"\x7fELF":
        raise _fail(name, MALFORMED_ELF, "not an ELF file (bad magic or shorter than an ELF header)",
                    "pass the .elf that `tamapy build` wrote")
    if elf[4] != 1 or elf[5] != 1:
        raise _fail(name, MALFORMED_ELF, "not a 32-bit little-endian ELF (EI_CLASS/EI_DATA at offset 0x4)",
                    "the i.MX6UL runs ELF32 little-endian ARM code")
    e_type, e_machine = struct.unpack_from("<HH", elf, 16)
    if e_type != _ET_EXEC or e_machine != _EM_ARM:
        raise _fail(name, MALFORMED_ELF,
                    f"ELF type {e_type} machine {e_machine} at offset 0x10 is not an ARM executable (ET_EXEC, EM_ARM)",
                    "link the object first; only executables have load addresses")
    (entry,) = struct.unpack_from("<I", elf, 24)
    (phoff,) = struct.unpack_from("<I", elf, 28)
    phentsize, phnum = struct.unpack_from("<HH", elf, 42)
    if phnum and phentsize < _PHDR_SIZE:
        raise _fail(name, MALFORMED_ELF, f"program header entry size {phentsize} at offset 0x2a is below {_PHDR_SIZE}")
    if phoff + phnum * phentsize > len(elf):
        raise _fail(name, MALFORMED_ELF,
                    f"program headers at offset {phoff:#x} ({phnum} x {phentsize} bytes) run past the end of the file")
    segments: list[LoadSegment] = []
    for i in range(phnum):
        at = phoff + i * phentsize
        p_type, p_offset, p_vaddr, p_paddr, p_filesz, p_memsz = struct.unpack_from("<IIIIII", elf, at)
        if p_type != _PT_LOAD or p_filesz == 0:
            continue
        if p_offset + p_filesz > len(elf):
            raise _fail(name, MALFORMED_ELF,
                        f"segment {i} (program header at offset {at:#x}) has bytes {p_offset:#x}+{p_filesz:#x} "
                        "past the end of the file")
        if p_filesz > p_memsz:
            raise _fail(name, MALFORMED_ELF,
                        f"segment {i} (program header at offset {at:#x}) has p_filesz {p_filesz:#x} > p_memsz {p_memsz:#x}")
        if p_vaddr != p_paddr:
            raise _fail(name, BAD_SEGMENTS,
                        f"segment {i} (program header at offset {at:#x}) has virtual address {p_vaddr:#x} "
                        f"but physical address {p_paddr:#x}",
                        "the MMU is off at boot: code must run where it is loaded")
        if p_paddr + p_memsz > 1 << 32:
            raise _fail(name, BAD_SEGMENTS,
                        f"segment {i} (program header at offset {at:#x}) wraps past the 32-bit address space")
        segments.append(LoadSegment(p_paddr, p_offset, p_filesz, p_memsz))
    segments.sort(key=lambda s: s.address)
    for a, b in itertools.pairwise(segments):
        if a.address + a.memsz > b.address:
            raise _fail(name, BAD_SEGMENTS,
                        f"segments at {a.address:#x} (+{a.memsz:#x}) and {b.address:#x} overlap")
    return entry, tuple(segments)


def raw_binary(elf: bytes, name: str = "<elf>") -> RawBinary:
    """The bytes from the load address to the end of the last file-backed byte, gaps zero-filled."""
    entry, segments = load_segments(elf, name)
    if not segments:
        raise _fail(name, NO_LOADABLE_BYTES, "the ELF has no PT_LOAD segment with file bytes",
                    "there is nothing to load; check the link")
    start = segments[0].address
    end = max(s.address + s.filesz for s in segments)
    if end - start > MAX_BINARY_SIZE:
        raise _fail(name, BAD_SEGMENTS,
                    f"segments span {start:#x}-{end:#x} ({end - start} bytes), more than {MAX_BINARY_SIZE} bytes",
                    "a flat binary cannot bridge distant memory regions; load everything into one region")
    data = bytearray(end - start)
    for s in segments:
        data[s.address - start : s.address - start + s.filesz] = elf[s.offset : s.offset + s.filesz]
    return RawBinary(start, entry, bytes(data), segments)
