"""ELF executable -> raw binary: the bytes a loader copies to the load address.

The boot ROM, USB loaders and ``mkimage`` know nothing of ELF: they want the
memory image from the load address up to the last byte that has contents in
the file.  The program headers are read and checked by :mod:`tamapy.elf`
(E700, E702); this module adds what a flat image needs on top.

Segments without file bytes (``.bss`` and the stacks, ``p_filesz == 0``) are
not part of the binary: the start-up code clears them.  Gaps between
segments (the page alignment between text, rodata and data) are zero-filled.
"""

from __future__ import annotations

from dataclasses import dataclass

from tamapy.diagnostics import error
from tamapy.elf import BAD_SEGMENTS, LoadSegment, read_executable

NO_LOADABLE_BYTES = "E701"  # no PT_LOAD segment has file bytes

MAX_BINARY_SIZE = 64 << 20
"""A bare-metal image is kilobytes; tens of megabytes means segments far apart
(say one in OCRAM and one in DDR), which a flat binary cannot sensibly hold."""


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


def raw_binary(elf: bytes, name: str = "<elf>") -> RawBinary:
    """The bytes from the load address to the end of the last file-backed byte, gaps zero-filled."""
    executable = read_executable(elf, name)
    segments = tuple(s for s in executable.segments if s.filesz)
    headers = f"program headers at offset {int.from_bytes(elf[0x1C:0x20], 'little'):#x}"  # e_phoff, checked above
    if not segments:
        raise error(name, 0, 0, NO_LOADABLE_BYTES, f"the ELF has no PT_LOAD segment with file bytes ({headers})",
                    "there is nothing to load; check the link")
    start = segments[0].address
    end = max(s.address + s.filesz for s in segments)
    if end - start > MAX_BINARY_SIZE:
        raise error(name, 0, 0, BAD_SEGMENTS,
                    f"segments span {start:#x}-{end:#x} ({end - start} bytes, {headers}), "
                    f"more than {MAX_BINARY_SIZE} bytes",
                    "a flat binary cannot bridge distant memory regions; load everything into one region")
    data = bytearray(end - start)
    for s in segments:
        data[s.address - start : s.address - start + s.filesz] = s.data
    return RawBinary(start, executable.entry, bytes(data), segments)
