"""The image as the simulator loads it: segments, entry point, symbols, line table.

QEMU's ``-kernel`` loads ``PT_LOAD`` segments at their physical addresses and
jumps to ``e_entry``; the simulator does the same from the same ELF, read by
:mod:`tamapy.elf`, and keeps the function symbols and (lazily) the DWARF
line table to say where a fault happened.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass, field

from tamapy.diagnostics import error
from tamapy.elf import Executable, LineTable, LoadSegment, read_executable

BAD_IMAGE = "E520"
"""The image is not an ELF32 little-endian ARM executable, or is truncated."""
IMAGE_NAME = "<image>"
"""File name in diagnostics: the simulator is given bytes, not a path."""


class Symbols:
    """Function symbols of an image, to name the function a PC is in."""

    def __init__(self, functions: Iterable[tuple[int, int, str]]) -> None:
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
    executable: Executable
    symbols: Symbols
    _lines: list[LineTable] = field(default_factory=list, compare=False, repr=False)

    @property
    def entry(self) -> int:
        return self.executable.entry

    @property
    def segments(self) -> tuple[LoadSegment, ...]:
        return self.executable.segments

    def line_at(self, pc: int) -> str | None:
        """``file:line`` of ``pc`` from the ELF's ``.debug_line``, None without line info.

        Read on the first fault that needs it, so runs that end normally never pay for it.
        """
        if not self._lines:
            self._lines.append(self.executable.line_table())
        return self._lines[0].line_at(pc)


def read_image(elf_bytes: bytes) -> Image:
    """Loadable segments, entry point and function symbols of an ARM executable."""
    executable = read_executable(elf_bytes, IMAGE_NAME, malformed=BAD_IMAGE, bad_segments=BAD_IMAGE)
    symbols = Symbols(executable.functions())
    entry = executable.entry
    if not any(s.executable and s.address <= entry < s.address + s.memsz for s in executable.segments):
        raise error(IMAGE_NAME, 0, 0, BAD_IMAGE, f"the entry point 0x{entry:08x} is not in an executable loadable segment",
                    "run an image `tamapy build` wrote, for this board")
    return Image(executable, symbols)


__all__ = ["BAD_IMAGE", "IMAGE_NAME", "Image", "LoadSegment", "Symbols", "read_image"]
