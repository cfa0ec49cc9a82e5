"""PC -> source line, from the image's DWARF ``.debug_line`` (when it has one).

A fault that names the Python line it came from is worth more than an
address, so :class:`~tamapy.sim.machine.SimFault` carries ``line`` (``"file:line"``)
whenever the ELF has line information; images without ``.debug_line`` give
None.  The table is read with pyelftools only when a fault or exception
needs it, so runs that end normally never pay for it.
"""

from __future__ import annotations

import bisect
import io
import posixpath
from typing import Any

from elftools.common.exceptions import DWARFError, ELFError
from elftools.elf.elffile import ELFFile


class LineTable:
    """Address ranges of an image, each with the ``file:line`` that produced it."""

    def __init__(self, ranges: list[tuple[int, int, str]]) -> None:
        self._ranges = sorted(ranges)
        self._starts = [r[0] for r in self._ranges]

    def __len__(self) -> int:
        return len(self._ranges)

    def line_at(self, pc: int) -> str | None:
        """``file:line`` of the instruction at ``pc``, or None if no row covers it."""
        i = bisect.bisect_right(self._starts, pc) - 1
        if i < 0:
            return None
        start, end, where = self._ranges[i]
        return where if start <= pc < end else None

    @classmethod
    def from_elf(cls, elf_bytes: bytes) -> LineTable:
        """The table of an ELF image (empty if it has no usable ``.debug_line``)."""
        try:
            elf = ELFFile(io.BytesIO(elf_bytes))
            if elf.get_section_by_name(".debug_line") is None or not elf.has_dwarf_info():
                return cls([])
            dwarf = elf.get_dwarf_info()
            ranges: list[tuple[int, int, str]] = []
            for cu in dwarf.iter_CUs():
                program = dwarf.line_program_for_CU(cu)
                if program is not None:
                    ranges.extend(_ranges(program))
            return cls(ranges)
        except (ELFError, DWARFError, ValueError, KeyError, IndexError, AttributeError, OSError):
            return cls([])  # unreadable debug information is no reason to fail a run


def _text(value: Any) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _file_names(program: Any) -> dict[int, str]:
    """File index -> path, for DWARF 2-4 (1-based) and 5 (0-based) line programs."""
    header = program.header
    version = header["version"]
    dirs = [_text(d) for d in header.get("include_directory", [])]
    files: dict[int, str] = {}
    for i, entry in enumerate(header.get("file_entry", [])):
        name = _text(entry.name)
        d = entry.dir_index
        if version >= 5:
            directory = dirs[d] if 0 <= d < len(dirs) else ""
            index = i
        else:
            directory = dirs[d - 1] if 1 <= d <= len(dirs) else ""
            index = i + 1
        files[index] = name if not directory or posixpath.isabs(name) else posixpath.join(directory, name)
    return files


def _ranges(program: Any) -> list[tuple[int, int, str]]:
    files = _file_names(program)
    out: list[tuple[int, int, str]] = []
    previous: Any = None
    for entry in program.get_entries():
        state = entry.state
        if state is None:
            continue
        if previous is not None and state.address > previous.address and previous.line:
            name = files.get(previous.file, f"<file {previous.file}>")
            out.append((previous.address, state.address, f"{name}:{previous.line}"))
        previous = None if state.end_sequence else state
    return out


__all__ = ["LineTable"]
