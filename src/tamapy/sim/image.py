"""The image as the simulator loads it: segments, entry point, symbols, line table.

QEMU's ``-kernel`` loads ``PT_LOAD`` segments at their physical addresses and
jumps to ``e_entry``; the simulator does the same from the same ELF, and keeps
the function symbols and (lazily) the DWARF line table to say where a fault
happened.
"""

from __future__ import annotations

import bisect
import io
from collections.abc import Iterator
from dataclasses import dataclass, field

from elftools.common.exceptions import ELFError
from elftools.elf.elffile import ELFFile

from tamapy.diagnostics import TamapyError, error
from tamapy.sim.debuginfo import LineTable

BAD_IMAGE = "E520"
"""The image is not an ELF32 little-endian ARM executable, or is truncated."""
IMAGE_NAME = "<image>"
"""File name in diagnostics: the simulator is given bytes, not a path."""


@dataclass(frozen=True)
class LoadSegment:
    address: int
    data: bytes
    memsz: int
    executable: bool


class Symbols:
    """Function symbols of an image, to name the function a PC is in."""

    def __init__(self, functions: list[tuple[int, int, str]]) -> None:
        self._functions = sorted(functions)
        self._starts = [f[0] for f in self._functions]

    def function_at(self, pc: int) -> str | None:
        """The function whose [value, value + size) holds ``pc``; for a size-0
        symbol, the nearest one at or below ``pc``."""
        i = bisect.bisect_right(self._starts, pc) - 1
        if i < 0:
            return None
        start, size, name = self._functions[i]
        return name if size == 0 or pc < start + size else None


@dataclass(frozen=True)
class Image:
    entry: int
    segments: tuple[LoadSegment, ...]
    symbols: Symbols
    elf: bytes = b""
    _lines: list[LineTable] = field(default_factory=list, compare=False, repr=False)

    def line_at(self, pc: int) -> str | None:
        """``file:line`` of ``pc`` from the ELF's ``.debug_line``, None without line info."""
        if not self._lines:
            self._lines.append(LineTable.from_elf(self.elf))
        return self._lines[0].line_at(pc)


def _bad_image(message: str, hint: str = "") -> TamapyError:
    return error(IMAGE_NAME, 0, 0, BAD_IMAGE, message, hint)


def _functions(elf: ELFFile) -> Iterator[tuple[int, int, str]]:
    symtab = elf.get_section_by_name(".symtab")
    if symtab is None or not hasattr(symtab, "iter_symbols"):
        return
    for sym in symtab.iter_symbols():
        if sym["st_info"]["type"] == "STT_FUNC" and sym.name:
            yield sym["st_value"] & ~1, sym["st_size"], sym.name


def read_image(elf_bytes: bytes) -> Image:
    """Loadable segments, entry point and function symbols of an ARM executable."""
    try:
        elf = ELFFile(io.BytesIO(elf_bytes))
        if elf.elfclass != 32 or not elf.little_endian or elf["e_machine"] != "EM_ARM":
            raise _bad_image("the image is not a 32-bit little-endian ARM ELF file",
                             "build it with `tamapy build APP --board B`")
        if elf["e_type"] != "ET_EXEC":
            raise _bad_image(f"the image is an ELF {elf['e_type']} file, not an executable",
                             "link the object first (`tamapy build`)")
        segments = []
        for seg in elf.iter_segments():
            if seg["p_type"] != "PT_LOAD" or seg["p_memsz"] == 0:
                continue
            data = seg.data()
            if len(data) != seg["p_filesz"] or seg["p_filesz"] > seg["p_memsz"]:
                raise _bad_image(f"the loadable segment at 0x{seg['p_paddr']:08x} is truncated or inconsistent")
            segments.append(LoadSegment(seg["p_paddr"], data, seg["p_memsz"], bool(seg["p_flags"] & 1)))
        symbols = Symbols(list(_functions(elf)))
        entry = elf["e_entry"]
    except (ELFError, ValueError, KeyError, OSError) as exc:
        raise _bad_image(f"the image is not a readable ELF file ({exc})") from None
    if not any(s.executable and s.address <= entry < s.address + s.memsz for s in segments):
        raise _bad_image(f"the entry point 0x{entry:08x} is not in an executable loadable segment")
    return Image(entry, tuple(segments), symbols, elf_bytes)


__all__ = ["BAD_IMAGE", "IMAGE_NAME", "Image", "LoadSegment", "Symbols", "read_image"]
