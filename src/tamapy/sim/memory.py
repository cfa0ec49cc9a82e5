"""The board's RAM as bus masters and raw ``mmio`` see it: its regions, over some storage.

What counts as RAM is the board's memory regions (OCRAM, DDR), and an
access is either wholly inside one region or a :class:`DmaError` -- the
same rule for the simulated CPU's board and for the board without a CPU
(:mod:`tamapy.sim.host`).  Only the bytes' storage differs, so
:class:`RegionMemory` applies the rule once over a :class:`ByteStore`:
Unicorn's mapped RAM (:class:`UnicornStore`) or zero-filled pages in a
``bytearray`` (:class:`PagedStore`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol

from tamapy.specs.model import MemoryRegion

STORE_PAGE = 0x1000
"""Bytes per page of a :class:`PagedStore` (allocation granularity only)."""


MAP_PAGE = 0x1000
"""Unicorn's mapping granularity."""


def page_span(base: int, size: int) -> tuple[int, int]:
    """``base .. base + size`` widened to whole pages, as Unicorn maps memory."""
    start = base & ~(MAP_PAGE - 1)
    end = (base + size + MAP_PAGE - 1) & ~(MAP_PAGE - 1)
    return start, end


def merge_spans(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Overlapping or touching ``(start, end)`` spans joined (peripheral windows sharing pages)."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


class DmaError(Exception):
    """A DMA access outside RAM: the bus master sees a bus error."""


class ByteStore(Protocol):
    """Where the bytes of RAM live; addresses are checked by :class:`RegionMemory` first."""

    def read(self, address: int, size: int) -> bytes:
        """``size`` bytes at ``address``."""
        ...

    def write(self, address: int, data: bytes) -> None:
        """Store ``data`` at ``address``."""
        ...


class PagedStore:
    """Sparse, zero-filled bytes: pages are allocated on first write."""

    def __init__(self) -> None:
        self._pages: dict[int, bytearray] = {}

    def read(self, address: int, size: int) -> bytes:
        out = bytearray()
        for a in range(address, address + size):
            page = self._pages.get(a // STORE_PAGE)
            out.append(page[a % STORE_PAGE] if page is not None else 0)
        return bytes(out)

    def write(self, address: int, data: bytes) -> None:
        for i, b in enumerate(data):
            a = address + i
            self._pages.setdefault(a // STORE_PAGE, bytearray(STORE_PAGE))[a % STORE_PAGE] = b


class UnicornStore:
    """The RAM Unicorn has mapped for the simulated CPU."""

    def __init__(self, uc: Any) -> None:
        self.uc = uc

    def read(self, address: int, size: int) -> bytes:
        return bytes(self.uc.mem_read(address, size))

    def write(self, address: int, data: bytes) -> None:
        self.uc.mem_write(address, data)


class RegionMemory:
    """RAM regions over a store: what the DCP reaches by DMA and ``mmio`` reaches in RAM."""

    def __init__(self, regions: Iterable[MemoryRegion], store: ByteStore | None = None) -> None:
        self.regions = tuple(regions)
        self.store: ByteStore = store if store is not None else PagedStore()

    def contains(self, address: int, size: int) -> bool:
        """Whether ``size`` bytes at ``address`` are all in one RAM region."""
        return any(r.contains(address, size) for r in self.regions)

    def _check(self, address: int, size: int) -> None:
        if not self.contains(address, size):
            raise DmaError(f"0x{address:08x}+{size} is not RAM")

    def read(self, address: int, size: int) -> bytes:
        """``size`` bytes from ``address`` (DmaError outside RAM)."""
        self._check(address, size)
        return self.store.read(address, size)

    def write(self, address: int, data: bytes) -> None:
        """Put ``data`` at ``address`` (DmaError outside RAM)."""
        self._check(address, len(data))
        self.store.write(address, data)

    def read_int(self, address: int, width: int) -> int:
        """A little-endian integer of ``width`` bits."""
        return int.from_bytes(self.read(address, width // 8), "little")

    def write_int(self, address: int, width: int, value: int) -> None:
        """Store a little-endian integer of ``width`` bits."""
        self.write(address, value.to_bytes(width // 8, "little"))


__all__ = ["MAP_PAGE", "STORE_PAGE", "ByteStore", "DmaError", "PagedStore", "RegionMemory", "UnicornStore",
           "merge_spans", "page_span"]
