"""Section placement: which input sections are kept, and at which addresses.

The memory map is fixed (text, then read-only data, then read-write data,
bss, and the two stacks, each segment on its own page) so the linker needs
no script.  Placement is a single forward walk over the sections in object
order, which makes segments ascending and disjoint by construction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tamapy.link import errors
from tamapy.link.objfile import Section, Symbol

ADDRESS_SPACE = 1 << 32

# Sections with no place in a bare-metal image: no unwinder, no debugger.
_DROPPED_NAMES = frozenset({".ARM.attributes", ".comment", ".llvm_addrsig", ".group"})
_DROPPED_PREFIXES = (".ARM.exidx", ".ARM.extab", ".note", ".debug")
# Output section for each input name prefix (".vectors" must match exactly).
_OUTPUT_PREFIXES = (".text", ".rodata", ".data", ".bss")
CLEAR_BLOCK = 64
"""Alignment of the zero-initialised areas' bounds (.bss and the DMA region): startup
clears them a block at a time with no tail, and a block is one Cortex-A7 cache line."""


@dataclass(frozen=True)
class LinkLayout:
    """Where the image goes and how much stack it reserves."""

    load_address: int
    stack_size: int
    exception_stack_size: int
    entry_symbol: str
    page_size: int = 0x1000
    dma_base: int = 0
    """Start of the board's DMA region, where ``.dma`` buffers go (zeroed by startup)."""
    dma_size: int = 0


@dataclass(frozen=True)
class Segment:
    """One loadable segment ("text" RX, "rodata" R, "data" RW)."""

    name: str
    vaddr: int
    filesz: int
    memsz: int
    flags: str


@dataclass(frozen=True)
class OutputSection:
    """A named, non-empty address range of the image, for the section header table."""

    name: str
    vaddr: int
    size: int
    align: int
    nobits: bool
    segment: str


@dataclass(frozen=True)
class Placement:
    """Result of layout: addresses of kept sections, COMMON symbols and linker symbols."""

    addresses: dict[int, int]  # kept input section index -> address
    commons: dict[int, int]  # COMMON symbol index -> address
    sections: tuple[OutputSection, ...]  # non-empty output sections, ascending
    segments: tuple[Segment, ...]  # non-empty segments, ascending
    symbols: dict[str, int]  # linker-defined symbols


def classify(section: Section, name: str) -> str | None:
    """Output section for an input section, or None if it is not part of the image."""
    if (
        not section.alloc
        or section.name in _DROPPED_NAMES
        or section.name.startswith(_DROPPED_PREFIXES)
    ):
        return None
    if section.name == ".vectors":
        out: str | None = ".vectors"
    elif section.name == ".dma":
        if not section.nobits and any(section.data):
            raise errors.link_error(
                name, errors.UNKNOWN_SECTION, "the .dma section has initial data",
                "DMA buffers start zeroed; initialise them in code",
            )
        return ".dma"
    else:
        out = next((p for p in _OUTPUT_PREFIXES if section.name.startswith(p)), None)
    if (
        out is not None
        and section.type in ("SHT_PROGBITS", "SHT_NOBITS")
        and (section.nobits == (out == ".bss"))
    ):
        return out
    raise errors.link_error(
        name,
        errors.UNKNOWN_SECTION,
        f"cannot place allocatable section {section.name!r} ({section.type})",
        "only .vectors, .text*, .rodata*, .data* (PROGBITS) and .bss* (NOBITS) are linked",
    )


def _align(value: int, alignment: int) -> int:
    alignment = max(alignment, 1)
    return -(-value // alignment) * alignment


class _Packer:
    """Lays input sections out one after another, recording addresses and the output sections it fills."""

    def __init__(self, groups: dict[str, list[Section]]) -> None:
        self.groups = groups
        self.sections: list[OutputSection] = []
        self.addresses: dict[int, int] = {}
        self.commons: dict[int, int] = {}

    def pack(
        self, name: str, segment: str, start: int, items: Sequence[tuple[int, int]], nobits: bool
    ) -> tuple[list[int], int]:
        """Place (size, alignment) items from ``start``; return their addresses and the end."""
        addresses: list[int] = []
        cursor = start
        for size, alignment in items:
            cursor = _align(cursor, alignment)
            addresses.append(cursor)
            cursor += size
        first = addresses[0] if addresses else start
        if cursor > first:
            align = max([4 if nobits else 1, *(a for _, a in items)])
            self.sections.append(OutputSection(name, first, cursor - first, align, nobits, segment))
        return addresses, cursor

    def put(self, out: str, segment: str, start: int, extra: Sequence[Symbol] = ()) -> int:
        """Pack one output section (plus COMMON symbols for .bss); return its end."""
        members = self.groups[out]
        items = [(s.size, s.align) for s in members] + [(c.size, c.value) for c in extra]
        found, end = self.pack(out, segment, start, items, out in (".bss", ".dma"))
        split = len(members)
        self.addresses.update(zip((s.index for s in members), found[:split], strict=True))
        self.commons.update(zip((c.index for c in extra), found[split:], strict=True))
        return end


@dataclass(frozen=True)
class _Bounds:
    """The addresses the memory map is made of, each the start or end of a region."""

    load: int
    text_end: int
    rodata_start: int
    rodata_end: int
    data_start: int
    data_end: int
    bss_start: int
    bss_end: int
    stack_bottom: int
    stack_top: int
    exc_stack_top: int
    dma_base: int
    dma_end: int


def place(
    sections: Sequence[Section], commons: Sequence[Symbol], layout: LinkLayout, name: str
) -> Placement:
    """Assign addresses to every kept section, COMMON symbol and stack."""
    _check_layout(layout, name)
    groups: dict[str, list[Section]] = {".vectors": [], ".dma": [], **{p: [] for p in _OUTPUT_PREFIXES}}
    for section in sections:
        out = classify(section, name)
        if out is not None:
            groups[out].append(section)
    packer = _Packer(groups)
    bounds = _place_regions(packer, commons, layout, name)
    segments = _segments(bounds)
    return Placement(
        packer.addresses, packer.commons, tuple(packer.sections), segments, _linker_symbols(bounds, segments)
    )


def _place_regions(packer: _Packer, commons: Sequence[Symbol], layout: LinkLayout, name: str) -> _Bounds:
    """Pack every output section in memory-map order and check that the result fits."""
    load = layout.load_address
    text_end = packer.put(".text", "text", packer.put(".vectors", "text", load))
    vectors = packer.groups[".vectors"]
    if vectors and packer.addresses[vectors[0].index] != load:
        raise errors.link_error(
            name,
            errors.BAD_LAYOUT,
            f"load address {load:#x} is not aligned for .vectors "
            f"(alignment {vectors[0].align})",
            f"give a load address that is a multiple of {vectors[0].align}",
        )
    rodata_start = _align(text_end, layout.page_size)
    rodata_end = packer.put(".rodata", "rodata", rodata_start)
    data_start = _align(rodata_end, layout.page_size)
    data_end = packer.put(".data", "data", data_start)
    # Zero-initialised area: .bss* then COMMON, bounds on CLEAR_BLOCK for the clearing loop.
    bss_start = _align(data_end, CLEAR_BLOCK)
    bss_end = _align(packer.put(".bss", "data", bss_start, commons), CLEAR_BLOCK)
    stack_bottom = _align(bss_end, 8)
    stack_top = stack_bottom + _align(layout.stack_size, 8)
    exc_stack_top = stack_top + _align(layout.exception_stack_size, 8)
    packer.pack(".stack", "data", stack_bottom, [(exc_stack_top - stack_bottom, 8)], True)
    if exc_stack_top > ADDRESS_SPACE:
        raise errors.link_error(
            name,
            errors.BAD_LAYOUT,
            f"image ends at {exc_stack_top:#x}, past the 32-bit address space",
            "lower load_address or the stack sizes",
        )
    dma_end = _align(packer.put(".dma", "dma", layout.dma_base), CLEAR_BLOCK)
    if dma_end - layout.dma_base > layout.dma_size:
        raise errors.link_error(
            name, errors.BAD_LAYOUT,
            f"DMA buffers need {dma_end - layout.dma_base} bytes; the DMA region holds {layout.dma_size}",
            "make the Dma[...] buffers smaller",
        )
    return _Bounds(load, text_end, rodata_start, rodata_end, data_start, data_end, bss_start, bss_end,
                   stack_bottom, stack_top, exc_stack_top, layout.dma_base, dma_end)


def _segments(b: _Bounds) -> tuple[Segment, ...]:
    """The non-empty loadable segments; data's memory runs on through .bss and both stacks."""
    return tuple(
        seg
        for seg in (
            Segment("text", b.load, b.text_end - b.load, b.text_end - b.load, "RX"),
            Segment(
                "rodata", b.rodata_start, b.rodata_end - b.rodata_start, b.rodata_end - b.rodata_start, "R"
            ),
            Segment("data", b.data_start, b.data_end - b.data_start, b.exc_stack_top - b.data_start, "RW"),
            Segment("dma", b.dma_base, 0, b.dma_end - b.dma_base, "RW"),
        )
        if seg.memsz
    )


def _linker_symbols(b: _Bounds, segments: Sequence[Segment]) -> dict[str, int]:
    """The symbols start-up code and firmware use to find the regions."""
    image_end = max((s.vaddr + s.filesz for s in segments if s.filesz), default=b.load)
    return {
        "__image_start": b.load,
        "__image_end": image_end,
        "__text_start": b.load,
        "__text_end": b.text_end,
        "__rodata_start": b.rodata_start,
        "__rodata_end": b.rodata_end,
        "__data_start": b.data_start,
        "__data_end": b.data_end,
        "__bss_start": b.bss_start,
        "__bss_end": b.bss_end,
        "__stack_bottom": b.stack_bottom,
        "__stack_top": b.stack_top,
        "__exc_stack_top": b.exc_stack_top,
        "__dma_start": b.dma_base,
        "__dma_end": b.dma_end,
    }


def _check_layout(layout: LinkLayout, name: str) -> None:
    problems = [
        (layout.page_size > 0 and layout.page_size & (layout.page_size - 1) == 0,
         f"page_size {layout.page_size:#x} is not a power of two"),
        (0 <= layout.load_address < ADDRESS_SPACE,
         f"load_address {layout.load_address:#x} is outside the 32-bit address space"),
        (layout.stack_size >= 0 and layout.exception_stack_size >= 0,
         "stack sizes must not be negative"),
        (layout.dma_base % CLEAR_BLOCK == 0,
         f"dma_base {layout.dma_base:#x} is not a multiple of {CLEAR_BLOCK} (startup clears the region in blocks)"),
    ]  # fmt: skip
    for ok, message in problems:
        if not ok:
            raise errors.link_error(name, errors.BAD_LAYOUT, message,
                                    "fix the board's load address, stack size or DMA region (specs/boards/*.toml)")
