"""ELF -> raw binary: the loaded bytes from the load address, gaps zero-filled, bad ELFs refused."""

from __future__ import annotations

import io
import random
import struct

import pytest
from elftools.elf.elffile import ELFFile
from hypothesis import given, settings
from hypothesis import strategies as st

from tamapy.build import BuildResult
from tamapy.diagnostics import TamapyError
from tamapy.link.binary import MAX_BINARY_SIZE, raw_binary

from .conftest import BOARDS


def expected_bin(elf: bytes) -> tuple[int, bytes]:
    """What the binary must be, computed independently with pyelftools."""
    f = ELFFile(io.BytesIO(elf))
    loads = [s for s in f.iter_segments() if s["p_type"] == "PT_LOAD" and s["p_filesz"]]
    start = min(s["p_paddr"] for s in loads)
    end = max(s["p_paddr"] + s["p_filesz"] for s in loads)
    out = bytearray(end - start)
    for s in loads:
        out[s["p_paddr"] - start : s["p_paddr"] - start + s["p_filesz"]] = s.data()
    return start, bytes(out)


def make_elf(segments: list[tuple[int, bytes, int]], entry: int = 0, *, machine: int = 40,
             elf_class: int = 1, paddr_delta: int = 0) -> bytes:
    """A minimal ELF32 LE executable with PT_LOAD (address, bytes, extra memsz) segments, in list order."""
    phoff = 52
    data_at = phoff + 32 * len(segments)
    header = bytearray(b"\x7fELF" + bytes([elf_class, 1, 1]) + bytes(9))
    header += struct.pack("<HHIIIIIHHHHHH", 2, machine, 1, entry, phoff, 0, 0x5000200, 52, 32,
                          len(segments), 40, 0, 0)
    phdrs = bytearray()
    body = bytearray()
    for address, content, extra in segments:
        phdrs += struct.pack("<8I", 1, data_at + len(body), address, address + paddr_delta,
                             len(content), len(content) + extra, 5, 4)
        body += content
    return bytes(header + phdrs + body)


@pytest.mark.parametrize("board", BOARDS)
def test_hello_bin_is_the_pt_load_bytes_at_their_offsets(hello: dict[str, BuildResult], board: str) -> None:
    elf = hello[board].image.elf
    binary = raw_binary(elf)
    start, data = expected_bin(elf)
    assert binary.load_address == start == hello[board].program.board.load_address
    assert binary.data == data
    assert binary.entry == hello[board].image.entry
    # text is followed by a zero gap up to the page-aligned rodata; bss/stack are not in the file
    text = next(s for s in hello[board].image.segments if s.name == "text")
    rodata = next(s for s in hello[board].image.segments if s.name == "rodata")
    assert binary.data[text.filesz : rodata.vaddr - start] == bytes(rodata.vaddr - start - text.filesz)
    assert binary.end == rodata.vaddr + rodata.filesz


def test_gaps_are_zero_filled_and_order_does_not_matter() -> None:
    elf = make_elf([(0x2000, b"\xbb" * 3, 0), (0x1000, b"\xaa" * 5, 0x20), (0x3000, b"", 0x100)], entry=0x1000)
    binary = raw_binary(elf)
    assert binary.load_address == 0x1000 and binary.entry == 0x1000
    assert binary.data == b"\xaa" * 5 + bytes(0x1000 - 5) + b"\xbb" * 3
    assert [s.address for s in binary.segments] == [0x1000, 0x2000]  # the empty segment adds nothing


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 64), st.binary(min_size=1, max_size=64), st.integers(0, 64)),
                min_size=1, max_size=5),
       st.randoms(use_true_random=False))
def test_bin_matches_segments_for_any_layout(layout: list[tuple[int, bytes, int]], rnd: random.Random) -> None:
    """Disjoint segments at random gaps, listed in random order: bytes land at address - load address."""
    segments = []
    address = 0x8000_0000
    for gap, content, extra in layout:
        address += gap * 4
        segments.append((address, content, extra))
        address += len(content) + extra
    shuffled = list(segments)
    rnd.shuffle(shuffled)
    binary = raw_binary(make_elf(shuffled))
    start = segments[0][0]
    assert binary.load_address == start
    assert len(binary.data) == segments[-1][0] + len(segments[-1][1]) - start
    covered = bytearray(len(binary.data))
    for seg_address, content, _ in segments:
        assert binary.data[seg_address - start : seg_address - start + len(content)] == content
        covered[seg_address - start : seg_address - start + len(content)] = b"\1" * len(content)
    assert all(b == 0 for b, c in zip(binary.data, covered, strict=True) if not c)


def patched_elf(elf: bytes, offset: int, fmt: str, *values: int) -> bytes:
    out = bytearray(elf)
    struct.pack_into(fmt, out, offset, *values)
    return bytes(out)


_ONE = make_elf([(0x1000, b"abcd", 0)])


@pytest.mark.parametrize(
    ("elf", "code", "words", "offset"),
    [
        (b"", "E700", "not an ELF", 0x0),
        (b"\x7fELF" + bytes(60), "E700", "32-bit little-endian", 0x4),
        (make_elf([(0x1000, b"x", 0)], elf_class=2), "E700", "32-bit", 0x4),
        (make_elf([(0x1000, b"x", 0)], machine=3), "E700", "not an ARM executable", 0x10),
        (make_elf([(0x1000, b"x", 0)])[:60], "E700", "run past the end", 0x34),
        (patched_elf(_ONE, 0x2A, "<H", 16), "E700", "entry size 16", 0x2A),
        (patched_elf(_ONE, 52 + 16, "<II", 0x1000, 0x1000), "E700", "past the end of the file", 0x34),
        (patched_elf(_ONE, 52 + 20, "<I", 2), "E700", "p_filesz 0x4 > p_memsz 0x2", 0x34),
        (make_elf([(0x1000, b"", 0x10)]), "E701", "no PT_LOAD segment with file bytes", 0x34),
        (make_elf([(0x1000, b"ab", 0x10), (0x1008, b"c", 0)]), "E702", "overlap", 0x54),
        (make_elf([(0x1000, b"ab", 0)], paddr_delta=0x100), "E702", "physical address", 0x34),
        (make_elf([(0xFFFFFFF0, b"ab", 0x10)]), "E702", "wraps past the 32-bit address space", 0x34),
        (make_elf([(0x1000, b"a", 0), (0x1000 + MAX_BINARY_SIZE, b"b", 0)]), "E702", "more than", 0x34),
    ],
    ids=["empty", "elf-class-0", "elf64", "not-arm", "phdrs-truncated", "phentsize-small", "bytes-past-end",
         "filesz-over-memsz", "nothing-to-load", "overlap", "vaddr-ne-paddr", "wraps", "too-large"],
)
def test_bad_elves_are_refused(elf: bytes, code: str, words: str, offset: int) -> None:
    """Each refusal: its code, the file alone as location, the offset of the bad field, a hint."""
    with pytest.raises(TamapyError) as info:
        raw_binary(elf, "bad.elf")
    (diag,) = info.value.diagnostics
    assert diag.code == code and words in diag.message and (diag.file, diag.line, diag.col) == ("bad.elf", 0, 0)
    assert f"offset {offset:#x}" in diag.message, diag.message
    assert len(diag.hint) > 20, diag.hint


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_corrupted_elves_parse_or_raise_tamapy_error(hello: dict[str, BuildResult], data: st.DataObject) -> None:
    elf = bytearray(hello["mcimx6ul-evk"].image.elf)
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, min(len(elf) - 1, 0x200)))
        elf[at] ^= data.draw(st.integers(1, 255))
    cut = data.draw(st.one_of(st.none(), st.integers(0, len(elf))))
    try:
        raw_binary(bytes(elf[:cut]))
    except TamapyError as exc:
        assert exc.diagnostics[0].code in {"E700", "E701", "E702"}
