"""Reading a linked ELF32 ARM executable: loadable segments, function symbols, line table.

Three stages read the executables the linker writes: ``link`` turns them
into the raw binary and the boot image, ``sim`` loads them and names the
function and source line of a PC, and ``verify.stack`` bounds the stack on
their machine code.  One reader gives them one view of the file and one set
of checks.  It lives on the ground floor (it imports only pyelftools and
:mod:`tamapy.diagnostics`) so that neither the simulator nor the verifier
depends on the linker to read an image.

Every defect of the file ends as one located :class:`TamapyError`.  The
caller names the codes, because each documents its own (the image tools
E700/E702, the simulator E520); the message, which says what is wrong and
at which file offset, is the same for all.

Segments are the ``PT_LOAD`` program headers that occupy memory, as a loader
sees them: QEMU's ``-kernel`` and the simulator load them all, the raw
binary keeps the ones with file bytes.  Symbols and the DWARF line table are
read only when asked for: making a ``.bin`` needs neither.
"""

from __future__ import annotations

import bisect
import io
import itertools
import posixpath
import struct
import zlib
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from elftools.common.exceptions import DWARFError, ELFError
from elftools.construct import ConstructError
from elftools.elf.elffile import ELFFile
from elftools.elf.sections import SymbolTableSection

from tamapy.diagnostics import TamapyError, error

MALFORMED_ELF = "E700"  # not an ELF32 little-endian ARM executable, or truncated/inconsistent
BAD_SEGMENTS = "E702"  # segments overlap, virtual != physical address, or wrap past 4 GiB

PYELFTOOLS_ERRORS = (
    ELFError,
    DWARFError,
    ConstructError,
    struct.error,
    ValueError,
    IndexError,
    KeyError,
    TypeError,
    AttributeError,
    UnicodeDecodeError,
    AssertionError,
    OverflowError,
    OSError,
    zlib.error,  # a section flagged SHF_COMPRESSED
)
"""Everything pyelftools (and the construct library under it) raises on bad bytes."""

_EHDR_SIZE = 52
_PHDR_SIZE = 32
_PF_X = 0x1
_HINT = "pass the .elf that `tamapy build` wrote"
_RELINK = "the file is truncated or corrupt: rebuild it with `tamapy build`"


@dataclass(frozen=True)
class LoadSegment:
    """One ``PT_LOAD`` program header that occupies memory, with its file bytes."""

    address: int
    """Physical (= virtual: the MMU is off at boot) load address."""
    data: bytes = field(repr=False)
    """The bytes the file holds for it (``p_filesz`` of them); the rest of ``memsz`` is zero."""
    memsz: int
    executable: bool

    @property
    def filesz(self) -> int:
        return len(self.data)


class FunctionSymbol(NamedTuple):
    """An ``STT_FUNC`` symbol; tuples sort by address, then size and name."""

    address: int
    """``st_value`` without the Thumb bit."""
    size: int
    name: str


@dataclass(frozen=True)
class Executable:
    """A checked executable: entry point and segments, symbols and lines on demand."""

    name: str
    """File name in diagnostics."""
    data: bytes = field(repr=False)
    malformed: str
    """Diagnostic code for a defect found when reading further (the symbol table)."""
    entry: int
    segments: tuple[LoadSegment, ...]
    """In address order, disjoint."""

    def code_at(self, address: int, size: int) -> bytes:
        """Up to ``size`` bytes at ``address`` of the executable segment holding it (empty if none)."""
        for segment in self.segments:
            if segment.executable and segment.address <= address < segment.address + segment.filesz:
                offset = address - segment.address
                return segment.data[offset : offset + size]
        return b""

    def functions(self) -> tuple[FunctionSymbol, ...]:
        """The named function symbols of ``.symtab``, sorted (none without a symbol table)."""
        try:
            symtab = ELFFile(io.BytesIO(self.data)).get_section_by_name(".symtab")
            if not isinstance(symtab, SymbolTableSection):
                return ()
            return tuple(sorted(
                FunctionSymbol(sym["st_value"] & ~1, sym["st_size"], sym.name)
                for sym in symtab.iter_symbols()
                if sym["st_info"]["type"] == "STT_FUNC" and sym.name
            ))  # fmt: skip
        except PYELFTOOLS_ERRORS as exc:
            raise _unreadable(self.name, self.malformed, exc) from None

    def line_table(self) -> LineTable:
        """PC -> ``file:line`` from ``.debug_line``; empty when there is none or it is unreadable."""
        return LineTable.from_elf(self.data)


def _fail(name: str, code: str, message: str, hint: str) -> TamapyError:
    """A binary file has no lines: the diagnostic names the file alone, the message the byte offset."""
    return error(name, 0, 0, code, message, hint)


def _unreadable(name: str, code: str, exc: Exception) -> TamapyError:
    return _fail(name, code, f"not a readable ELF file ({exc})", _HINT)


def read_executable(
    data: bytes, name: str = "<elf>", *, malformed: str = MALFORMED_ELF, bad_segments: str = BAD_SEGMENTS
) -> Executable:
    """Check ``data`` as an ELF32 little-endian ARM executable and read its loadable segments.

    Only such files are accepted: that is what the linker writes, and
    anything else cannot run on the board.  ``malformed`` is the code for a
    file that is not one or is truncated, ``bad_segments`` the code for
    segments a loader cannot place (overlapping, virtual != physical
    address, past 4 GiB).
    """
    if len(data) < _EHDR_SIZE or data[:4] != b"\x7fELF":
        raise _fail(name, malformed, f"not an ELF file (bad magic at offset 0x0, or shorter than the {_EHDR_SIZE}-byte "
                    "ELF header)", _HINT)
    if data[4] != 1 or data[5] != 1:
        raise _fail(name, malformed, "not a 32-bit little-endian ELF (EI_CLASS/EI_DATA at offset 0x4)",
                    "the i.MX6UL runs ELF32 little-endian ARM code")
    try:
        elf = ELFFile(io.BytesIO(data))
        if elf["e_type"] != "ET_EXEC" or elf["e_machine"] != "EM_ARM":
            raise _fail(name, malformed,
                        f"ELF type {elf['e_type']} machine {elf['e_machine']} at offset 0x10 "
                        "is not an ARM executable (ET_EXEC, EM_ARM)",
                        "link the object first; only executables have load addresses")
        segments = _load_segments(elf, len(data), name, malformed, bad_segments)
        return Executable(name, data, malformed, elf["e_entry"], segments)
    except TamapyError:
        raise
    except PYELFTOOLS_ERRORS as exc:
        raise _unreadable(name, malformed, exc) from None


def _load_segments(elf: Any, size: int, name: str, malformed: str, bad_segments: str) -> tuple[LoadSegment, ...]:
    """The ``PT_LOAD`` segments that occupy memory, checked and sorted by address."""
    phoff, phentsize, phnum = elf["e_phoff"], elf["e_phentsize"], elf["e_phnum"]
    if phnum and phentsize < _PHDR_SIZE:
        raise _fail(name, malformed, f"program header entry size {phentsize} at offset 0x2a is below {_PHDR_SIZE}",
                    f"ELF32 program headers are {_PHDR_SIZE} bytes; {_RELINK}")
    if phoff + phnum * phentsize > size:
        raise _fail(name, malformed,
                    f"program headers at offset {phoff:#x} ({phnum} x {phentsize} bytes) run past the end of the file",
                    _RELINK)
    placed: list[tuple[LoadSegment, int]] = []  # with the offset of its program header
    for i in range(phnum):
        header = elf.get_segment(i)
        if header["p_type"] != "PT_LOAD" or not (header["p_filesz"] or header["p_memsz"]):
            continue
        at = phoff + i * phentsize
        where = f"segment {i} (program header at offset {at:#x})"
        offset, filesz, memsz = header["p_offset"], header["p_filesz"], header["p_memsz"]
        vaddr, paddr = header["p_vaddr"], header["p_paddr"]
        if offset + filesz > size:
            raise _fail(name, malformed, f"{where} has bytes {offset:#x}+{filesz:#x} past the end of the file", _RELINK)
        if filesz > memsz:
            raise _fail(name, malformed, f"{where} has p_filesz {filesz:#x} > p_memsz {memsz:#x}",
                        f"a segment's memory includes its file bytes, so p_filesz <= p_memsz; {_RELINK}")
        if vaddr != paddr:
            raise _fail(name, bad_segments, f"{where} has virtual address {vaddr:#x} but physical address {paddr:#x}",
                        "the MMU is off at boot: code must run where it is loaded")
        if paddr + memsz > 1 << 32:
            raise _fail(name, bad_segments, f"{where} wraps past the 32-bit address space",
                        "the i.MX6UL has a 32-bit address space: place the section below 4 GiB in the link")
        placed.append((LoadSegment(paddr, header.data(), memsz, bool(header["p_flags"] & _PF_X)), at))
    placed.sort(key=lambda p: p[0].address)
    for (a, a_at), (b, b_at) in itertools.pairwise(placed):
        if a.address + a.memsz > b.address:
            raise _fail(name, bad_segments,
                        f"segments at {a.address:#x} (+{a.memsz:#x}, program header at offset {a_at:#x}) and "
                        f"{b.address:#x} (program header at offset {b_at:#x}) overlap",
                        "each address belongs to one segment: fix the section placement in the link")
    return tuple(s for s, _ in placed)


class LineTable:
    """Address ranges of an image, each with the ``file:line`` that produced it.

    A fault that names the Python line it came from is worth more than an
    address; images without ``.debug_line`` simply have an empty table.
    """

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
                    ranges.extend(_line_ranges(program))
            return cls(ranges)
        except PYELFTOOLS_ERRORS:
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


def _line_ranges(program: Any) -> list[tuple[int, int, str]]:
    """The program's rows as ranges; where sequences overlap, the first one's rows count
    (a later one marks an inlined call's line for debuggers, see ``link/calllines.py``)."""
    files = _file_names(program)
    out: list[tuple[int, int, str]] = []
    taken: list[tuple[int, int]] = []  # sorted ranges of the sequences already read
    sequence: list[tuple[int, int, str]] = []
    previous: Any = None
    for entry in program.get_entries():
        state = entry.state
        if state is None:
            continue
        if previous is not None and state.address > previous.address and previous.line:
            name = files.get(previous.file, f"<file {previous.file}>")
            if not _overlaps(taken, previous.address, state.address):
                sequence.append((previous.address, state.address, f"{name}:{previous.line}"))
        previous = None if state.end_sequence else state
        if state.end_sequence and sequence:
            out += sequence
            taken = sorted(taken + [(start, end) for start, end, _ in sequence])
            sequence = []
    return out + sequence


def _overlaps(taken: list[tuple[int, int]], start: int, end: int) -> bool:
    i = bisect.bisect_right(taken, (start, end))
    return (i > 0 and taken[i - 1][1] > start) or (i < len(taken) and taken[i][0] < end)


__all__ = [
    "BAD_SEGMENTS",
    "MALFORMED_ELF",
    "PYELFTOOLS_ERRORS",
    "Executable",
    "FunctionSymbol",
    "LineTable",
    "LoadSegment",
    "read_executable",
]
