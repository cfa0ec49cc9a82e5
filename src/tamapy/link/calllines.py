"""Line-table rows for inlined calls, so a debugger can break on a call's own line.

A statement that is nothing but a call the optimiser inlined leaves no instruction
with its line: every instruction carries the callee's.  ``.debug_info`` still says
where each inlined call starts and which line made it (``DW_AT_call_line``).  For
each such call this appends to its unit's line program a sequence of its own: one
row, the caller's line, over the callee's first row of code.  (A row at the same
address in the main sequence would not do: gdb drops a row that covers no bytes
before a change of file.)  Readers that want one line per address take the first
sequence that covers it (``elf.LineTable`` does): the simulator's fault locations
stay the callee's lines.
"""

from __future__ import annotations

import bisect
import io
import itertools
import struct
from dataclasses import dataclass, replace
from typing import Any

from elftools.elf.elffile import ELFFile

from tamapy.elf import PYELFTOOLS_ERRORS


@dataclass(frozen=True)
class Row:
    """One row of a line program's matrix (the DWARF 4 registers a row records)."""

    address: int
    file: int
    line: int
    column: int
    is_stmt: bool
    end_sequence: bool = False
    prologue_end: bool = False
    epilogue_begin: bool = False
    discriminator: int = 0


def with_call_lines(elf: bytes) -> dict[str, bytes]:
    """New ``.debug_line`` and ``.debug_info`` for the linked ``elf``; empty when it has
    no DWARF 4 line programs to extend (the image then keeps what it has)."""
    try:
        image = ELFFile(io.BytesIO(elf))
        dwarf = image.get_dwarf_info()
        line, info = _section(image, ".debug_line"), bytearray(_section(image, ".debug_info"))
        out = bytearray()
        for cu in dwarf.iter_CUs():
            program = dwarf.line_program_for_CU(cu)
            stmt_list = cu.get_top_DIE().attributes.get("DW_AT_stmt_list")
            if program is None or stmt_list is None or program.header["version"] > 4 or cu["version"] > 4:
                return {}
            unit = bytearray(line[stmt_list.value : program.program_end_offset])
            unit += _encode(_markers(_rows(program), _call_sites(dwarf, cu)), bool(program.header["default_is_stmt"]))
            unit[0:4] = struct.pack("<I", len(unit) - 4)
            struct.pack_into("<I", info, stmt_list.offset, len(out))
            out += unit
        return {".debug_line": bytes(out), ".debug_info": bytes(info)}
    except (*PYELFTOOLS_ERRORS, AttributeError, KeyError):
        return {}  # unreadable debug information is no reason to fail a link


def _section(image: ELFFile, name: str) -> bytes:
    section = image.get_section_by_name(name)
    if section is None:
        raise KeyError(name)
    return bytes(section.data())


def _rows(program: Any) -> list[Row]:
    return [
        Row(s.address, s.file, s.line, s.column, bool(s.is_stmt), bool(s.end_sequence),
            bool(s.prologue_end), bool(s.epilogue_begin), s.discriminator)
        for s in (e.state for e in program.get_entries()) if s is not None
    ]  # fmt: skip


def _call_sites(dwarf: Any, cu: Any) -> list[Row]:
    """A row for each inlined call of ``cu``: at its lowest address, the caller's line;
    in the order of the DIEs, so an outer call comes before the calls inlined into it."""
    top = cu.get_top_DIE()
    base = top.attributes["DW_AT_low_pc"].value if "DW_AT_low_pc" in top.attributes else 0
    sites = []
    for die in cu.iter_DIEs():
        a = die.attributes
        if die.tag != "DW_TAG_inlined_subroutine" or "DW_AT_call_line" not in a:
            continue
        start = a["DW_AT_low_pc"].value if "DW_AT_low_pc" in a else _lowest(dwarf, cu, a, base)
        if start is not None:
            column = a["DW_AT_call_column"].value if "DW_AT_call_column" in a else 0
            sites.append(Row(start, a["DW_AT_call_file"].value, a["DW_AT_call_line"].value, column, True))
    return sorted(sites, key=lambda r: r.address)  # stable: DIE order within an address


def _lowest(dwarf: Any, cu: Any, attrs: Any, base: int) -> int | None:
    """The lowest address of a DWARF 4 range list (``DW_AT_ranges``)."""
    if "DW_AT_ranges" not in attrs:
        return None
    starts = []
    for entry in dwarf.range_lists().get_range_list_at_offset(attrs["DW_AT_ranges"].value, cu=cu):
        if hasattr(entry, "base_address"):
            base = entry.base_address
        elif entry.end_offset > entry.begin_offset:
            starts.append(entry.begin_offset if entry.is_absolute else base + entry.begin_offset)
    return min(starts, default=None)


def _markers(rows: list[Row], sites: list[Row]) -> list[Row]:
    """A one-row sequence for each call site, ending where the row of code that covers
    its address ends; sites outside every sequence are left out."""
    spans = sorted((a.address, b.address) for a, b in itertools.pairwise(rows)
                   if not a.end_sequence and a.address < b.address)  # fmt: skip
    starts = [start for start, _ in spans]
    out: list[Row] = []
    for site in sites:
        i = bisect.bisect_right(starts, site.address) - 1
        if i >= 0 and site.address < spans[i][1]:
            out += [site, replace(site, address=spans[i][1], end_sequence=True)]
    return out


def _uleb(value: int) -> bytes:
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def _sleb(value: int) -> bytes:
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        done = (value == 0 and not byte & 0x40) or (value == -1 and byte & 0x40)
        out.append(byte | (0 if done else 0x80))
        if done:
            return bytes(out)


_COPY, _ADVANCE_LINE, _SET_FILE, _SET_COLUMN, _NEGATE_STMT = 1, 3, 4, 5, 6
_PROLOGUE_END, _EPILOGUE_BEGIN = 10, 11
_END_SEQUENCE, _SET_ADDRESS, _SET_DISCRIMINATOR = 1, 2, 4


def _encode(rows: list[Row], default_is_stmt: bool) -> bytes:
    """The rows as standard opcodes only (every address set outright: no special opcodes,
    so the header's line base and range need not be honoured)."""
    out = bytearray()
    start = Row(0, 1, 1, 0, default_is_stmt)
    state = start
    for row in rows:
        if row.address != state.address or state is start:
            out += bytes([0, 5, _SET_ADDRESS]) + struct.pack("<I", row.address)
        if row.file != state.file:
            out += bytes([_SET_FILE]) + _uleb(row.file)
        if row.column != state.column:
            out += bytes([_SET_COLUMN]) + _uleb(row.column)
        if row.line != state.line:
            out += bytes([_ADVANCE_LINE]) + _sleb(row.line - state.line)
        if row.is_stmt != state.is_stmt:
            out.append(_NEGATE_STMT)
        if row.prologue_end:
            out.append(_PROLOGUE_END)
        if row.epilogue_begin:
            out.append(_EPILOGUE_BEGIN)
        if row.discriminator:
            operand = _uleb(row.discriminator)
            out += bytes([0, 1 + len(operand), _SET_DISCRIMINATOR]) + operand
        if row.end_sequence:
            out += bytes([0, 1, _END_SEQUENCE])
            state = start
        else:
            out.append(_COPY)
            state = replace(row, prologue_end=False, epilogue_begin=False, discriminator=0)
    return bytes(out)
