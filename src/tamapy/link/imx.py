"""The i.MX6 boot image (``.imx``): IVT + boot data + DCD + payload, and its parser.

The boot ROM of the i.MX6UL reads the first 4 KiB of an SD card, finds the
Image Vector Table (IVT) at byte 0x400, runs the Device Configuration Data
(DCD) -- register writes that open clock gates, set pads and bring up DDR --
and then copies ``boot_data.length`` bytes from the start of the card to
``boot_data.start`` before jumping to ``IVT.entry``.  The image is laid out
exactly as U-Boot's ``mkimage -T imximage`` lays it out for SD boot, so the
usual tools (``mkimage -l``, ``dd ... seek=2``) and habits apply:

======================  ================================================
file offset             contents
======================  ================================================
0x000                   IVT (32 bytes); ``self`` = load - 0x1000 + 0x400
0x020                   boot data (12 bytes): start = load - 0x1000,
                        length = 0x400 + file size, plugin = 0
0x02C                   DCD: header + one Write Data command (or an
                        empty 4-byte DCD header and ``IVT.dcd = 0``)
...                     zeros
0xC00                   payload: the raw binary, zero-padded to 4 KiB
======================  ================================================

Writing the file at byte 0x400 of the card puts the payload at card byte
0x1000, which the ROM copies to ``start + 0x1000`` -- the ELF's load
address.  ``IVT.entry`` is the ELF entry point (mkimage's ``-e`` is the load
address; tamago patches the entry in afterwards, here it is set directly).

The parser is strict on purpose: it is what ``tamapy image show`` and the
tests trust, so every structure, length and pointer is checked against the
file and the ROM's initial 4 KiB load region, and any DCD command it does not
know is refused rather than skipped.  All failures are :class:`TamapyError`
with an E71x code and the file offset of the offending bytes.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tamapy.diagnostics import TamapyError, display_path, error
from tamapy.inputs import read_input
from tamapy.link.binary import RawBinary, raw_binary
from tamapy.specs.boards import MAX_DCD_WRITES

IMAGE_LIMIT = 64 << 20
"""The largest image read (64 MiB, the i.MX6UL boot ROM loads far less)."""

# --- diagnostic codes -------------------------------------------------------
BAD_LAYOUT = "E703"  # the image cannot be built: load address, entry or DCD unusable
TRUNCATED = "E710"  # file shorter than its headers or than boot_data.length says
BAD_IVT = "E711"  # IVT tag, length, version or reserved words wrong
BAD_POINTER = "E712"  # a pointer (boot data, DCD, entry, CSF) outside the image or load region
BAD_BOOT_DATA = "E713"  # boot data inconsistent with the IVT or the file, or a plugin image
BAD_DCD = "E714"  # DCD header tag/version wrong, or its length runs past the file/region/limit
UNKNOWN_DCD_COMMAND = "E715"  # a DCD command tag the parser does not know
BAD_DCD_COMMAND = "E716"  # known command with a wrong length, parameter or alignment

# --- format constants ([UB] imximage.h, reference sheet section 5) ---------
IVT_TAG = 0xD1
DCD_TAG = 0xD2
WRITE_DATA_TAG = 0xCC
CHECK_DATA_TAG = 0xCF
NOP_TAG = 0xC0
HAB_VERSION = 0x40
IVT_SIZE = 0x20
BOOT_DATA_SIZE = 0x0C
IVT_OFFSET = 0x400
"""Where the ROM looks for the IVT on SD/eMMC: byte 1 KiB of the device."""
INITIAL_LOAD_SIZE = 0x1000
"""The ROM first reads 4 KiB from the device; IVT, boot data and DCD must lie in it."""
HEADER_SIZE = INITIAL_LOAD_SIZE - IVT_OFFSET
"""File offset of the payload (0xC00)."""
PAYLOAD_ALIGN = 0x1000
MAX_DCD_SIZE = 4 + 4 + 8 * MAX_DCD_WRITES
"""1768 bytes, also the cap armory-boot applies to a DCD."""

WRITE_PARAMS = {0x00: "write", 0x08: "clear", 0x18: "set"}
"""Write Data flag bits (parameter & 0x18) -> operation: plain write, clear bits
(``*addr &= ~value``), set bits (``*addr |= value``)."""
CHECK_PARAMS = {0x00: "all-clear", 0x08: "any-clear", 0x10: "all-set", 0x18: "any-set"}
"""Check Data flag bits -> the condition the ROM polls for on ``*addr & mask``."""
_WIDTHS = (1, 2, 4)


@dataclass(frozen=True)
class Ivt:
    """The Image Vector Table: absolute addresses the ROM follows."""

    version: int
    entry: int
    dcd: int
    """Address of the DCD, 0 when there is none."""
    boot_data: int
    self: int
    """Address the IVT itself is copied to."""
    csf: int
    """Address of the HAB Command Sequence File, 0 for unsigned images."""


@dataclass(frozen=True)
class BootData:
    start: int
    """Address that corresponds to byte 0 of the boot device."""
    length: int
    """Bytes the ROM copies from the start of the device."""
    plugin: int


@dataclass(frozen=True)
class DcdWrite:
    """Write Data: for each (address, value), ``op`` at ``width`` bytes."""

    offset: int
    """File offset of the command header."""
    width: int
    op: str
    """"write", "clear" (addr &= ~value) or "set" (addr |= value)."""
    pairs: tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class DcdCheck:
    """Check Data: poll ``*address & mask`` until ``condition`` (at most ``count`` times)."""

    offset: int
    width: int
    condition: str
    address: int
    mask: int
    count: int | None


@dataclass(frozen=True)
class DcdNop:
    offset: int


DcdCommand = DcdWrite | DcdCheck | DcdNop


@dataclass(frozen=True)
class Dcd:
    offset: int
    """File offset of the DCD header."""
    version: int
    length: int
    commands: tuple[DcdCommand, ...]


@dataclass(frozen=True)
class ImxImage:
    """A parsed ``.imx`` file."""

    size: int
    """File size in bytes."""
    ivt: Ivt
    boot_data: BootData
    dcd: Dcd | None
    payload_offset: int
    """File offset of the payload (0xC00 in the SD layout)."""

    @property
    def load_address(self) -> int:
        """Where the ROM puts the payload's first byte."""
        return self.ivt.self + self.payload_offset

    @property
    def payload_size(self) -> int:
        return self.size - self.payload_offset

    def writes(self) -> tuple[tuple[int, int], ...]:
        """The plain 32-bit DCD writes in order (what a board spec's ``[dcd] writes`` lists)."""
        if self.dcd is None:
            return ()
        return tuple(
            pair
            for c in self.dcd.commands
            if isinstance(c, DcdWrite) and c.op == "write" and c.width == 4
            for pair in c.pairs
        )


# --- building ---------------------------------------------------------------


def _fail(name: str, code: str, message: str, hint: str) -> TamapyError:
    """An image has no lines: the diagnostic names the file alone, the message the byte offset."""
    return error(name, 0, 0, code, message, hint)


def encode_dcd(writes: Sequence[tuple[int, int]], name: str = "<dcd>") -> bytes:
    """DCD bytes: header + one Write Data command of 32-bit writes, as mkimage groups ``DATA 4`` lines.

    An empty sequence gives the bare 4-byte header mkimage writes when a cfg
    has no DATA lines (the IVT then says there is no DCD).
    """
    if len(writes) > MAX_DCD_WRITES:
        raise _fail(name, BAD_LAYOUT, f"{len(writes)} DCD writes, more than the {MAX_DCD_WRITES} the ROM format allows",
                    "move the rest of the set-up into the firmware's start-up code")
    body = bytearray()
    for i, (address, value) in enumerate(writes):
        if not (0 <= address < 1 << 32 and address % 4 == 0 and 0 <= value < 1 << 32):
            raise _fail(name, BAD_LAYOUT,
                        f"DCD write {i} ({address:#x}, {value:#x}) needs a 4-byte aligned 32-bit address and a 32-bit value",
                        "each board spec `[dcd] writes` entry is a 32-bit register address and a 32-bit value")
        body += struct.pack(">II", address, value)
    command = struct.pack(">BHB", WRITE_DATA_TAG, 4 + len(body), 0x04) + body if writes else b""
    return struct.pack(">BHB", DCD_TAG, 4 + len(command), HAB_VERSION) + command


def imx_from_binary(binary: RawBinary, dcd: Sequence[tuple[int, int]] = (), name: str = "<elf>") -> bytes:
    """The ``.imx`` bytes for a raw binary, laid out as ``mkimage -T imximage`` does for SD boot."""
    load = binary.load_address
    start = load - INITIAL_LOAD_SIZE
    if start < 0:
        raise _fail(name, BAD_LAYOUT,
                    f"load address {load:#x} is below {INITIAL_LOAD_SIZE:#x}: the IVT and DCD must sit 4 KiB before it",
                    "link the image higher (the boards load at DDR + 64 KiB)")
    if not load <= binary.entry < binary.end:
        raise _fail(name, BAD_LAYOUT,
                    f"entry point {binary.entry:#x} (e_entry, offset 0x18) is outside the loaded bytes "
                    f"{load:#x}-{binary.end:#x}",
                    "the ROM jumps to IVT.entry right after copying the payload: link the reset code into the image")
    payload = binary.data + bytes(-len(binary.data) % PAYLOAD_ALIGN)
    length = IVT_OFFSET + HEADER_SIZE + len(payload)
    if start + length > 1 << 32:
        raise _fail(name, BAD_LAYOUT, f"image {start:#x}+{length:#x} wraps past the 32-bit address space",
                    "link the image lower: the payload must end below 4 GiB")
    dcd_bytes = encode_dcd(dcd, name)
    self_ = start + IVT_OFFSET
    dcd_ptr = self_ + IVT_SIZE + BOOT_DATA_SIZE if dcd else 0
    header = bytearray(HEADER_SIZE)
    struct.pack_into(">BHB", header, 0, IVT_TAG, IVT_SIZE, HAB_VERSION)
    struct.pack_into("<7I", header, 4, binary.entry, 0, dcd_ptr, self_ + IVT_SIZE, self_, 0, 0)
    struct.pack_into("<3I", header, IVT_SIZE, start, length, 0)
    at = IVT_SIZE + BOOT_DATA_SIZE
    header[at : at + len(dcd_bytes)] = dcd_bytes
    return bytes(header) + payload


def build_imx(elf: bytes, dcd: Sequence[tuple[int, int]] = (), name: str = "<elf>") -> bytes:
    """The ``.imx`` boot image of an ELF executable, with the board's DCD writes."""
    return imx_from_binary(raw_binary(elf, name), dcd, name)


# --- parsing ----------------------------------------------------------------

_REBUILD = "rebuild it with `tamapy build` (or U-Boot's `mkimage -T imximage`)"

def parse_imx(data: bytes, name: str = "<imx>") -> ImxImage:
    """Check and describe an SD-layout i.MX boot image; TamapyError (E71x) names the bad offset."""
    ivt = _parse_ivt(data, name)
    boot_off = _header_offset(data, ivt.self, ("IVT.boot_data", 0x10, ivt.boot_data), BOOT_DATA_SIZE, IVT_SIZE, name)
    boot = _parse_boot_data(data, ivt, boot_off, name)
    dcd = None
    if ivt.dcd:
        dcd_off = _header_offset(data, ivt.self, ("IVT.dcd", 0x0C, ivt.dcd), 4, IVT_SIZE + BOOT_DATA_SIZE, name)
        dcd = _parse_dcd(data, dcd_off, name)
        if dcd_off < boot_off + BOOT_DATA_SIZE and boot_off < dcd_off + dcd.length:
            raise _fail(name, BAD_POINTER,
                        f"IVT.dcd {ivt.dcd:#x} (offset 0xc): the DCD at offset {dcd_off:#x} ({dcd.length:#x} bytes) "
                        f"overlaps the boot data at offset {boot_off:#x}",
                        f"the DCD follows the boot data: IVT.dcd = IVT.self + 0x2c ({ivt.self + 0x2C:#x})")
    _check_extent(data, ivt, boot, boot_off, name)
    return ImxImage(len(data), ivt, boot, dcd, HEADER_SIZE)


def _parse_ivt(data: bytes, name: str) -> Ivt:
    """The IVT at file offset 0: header ``d1 00 20 4x``, seven little-endian words."""
    if len(data) < IVT_SIZE:
        raise _fail(name, TRUNCATED, f"file is {len(data)} bytes, too short for the {IVT_SIZE}-byte IVT at offset 0x0",
                    f"an .imx is a 3 KiB header (IVT, boot data, DCD) and the payload; {_REBUILD}")
    tag, length, version = struct.unpack_from(">BHB", data, 0)
    if tag != IVT_TAG:
        raise _fail(name, BAD_IVT, f"IVT tag at offset 0x0 is {tag:#04x}, not {IVT_TAG:#04x}",
                    "an SD-boot .imx starts with its IVT (write it at byte 0x400 of the card)")
    if length != IVT_SIZE:
        raise _fail(name, BAD_IVT, f"IVT length at offset 0x1 is {length:#x}, not {IVT_SIZE:#x}",
                    "the HAB 4 IVT header is d1 00 20 4x: its length is the big-endian 0x0020")
    if version >> 4 != HAB_VERSION >> 4:
        raise _fail(name, BAD_IVT, f"IVT version at offset 0x3 is {version:#04x}, not HAB 4 (0x4n)",
                    f"the i.MX6UL boot ROM reads HAB 4 images (version 0x40 or 0x41); {_REBUILD}")
    entry, reserved1, dcd_ptr, boot_ptr, self_, csf, reserved2 = struct.unpack_from("<7I", data, 4)
    for off, value in ((0x08, reserved1), (0x1C, reserved2)):
        if value:
            raise _fail(name, BAD_IVT, f"IVT reserved word at offset {off:#x} is {value:#x}, not 0",
                        "the IVT words at offsets 0x8 and 0x1c are reserved and must be 0")
    return Ivt(version, entry, dcd_ptr, boot_ptr, self_, csf)


def _header_offset(data: bytes, self_: int, pointer: tuple[str, int, int], size: int, usual: int, name: str) -> int:
    """File offset of the ``size``-byte structure an IVT pointer (name, its offset, its value) names:
    inside the header, past the IVT, in the file.  ``usual`` is where mkimage puts it, for the hint."""
    what, field_at, address = pointer
    hint = f"{what} is an address, normally IVT.self + {usual:#x} ({self_ + usual:#x})"
    off = address - self_
    if not 0 <= off <= HEADER_SIZE - size:
        raise _fail(name, BAD_POINTER,
                    f"{what} {address:#x} (IVT word at offset {field_at:#x}) points outside the header "
                    f"{self_:#x}-{self_ + HEADER_SIZE:#x} that the ROM's first 4 KiB read covers", hint)
    if off < IVT_SIZE:
        raise _fail(name, BAD_POINTER, f"{what} {address:#x} (offset {field_at:#x}) overlaps the IVT", hint)
    if off + size > len(data):
        raise _fail(name, TRUNCATED,
                    f"{what} at offset {off:#x} ({size} bytes) runs past the end of the {len(data)}-byte file",
                    f"the file ends inside its header: it was cut short; {_REBUILD}")
    return off


def _parse_boot_data(data: bytes, ivt: Ivt, at: int, name: str) -> BootData:
    """The boot data at file offset ``at``: start, length, plugin flag, checked against the IVT."""
    start, total, plugin = struct.unpack_from("<3I", data, at)
    if plugin:
        raise _fail(name, BAD_BOOT_DATA, f"boot_data.plugin at offset {at + 8:#x} is {plugin:#x}: a plugin image",
                    "plugin images are not supported; an ordinary image has 0 there (mkimage without PLUGIN)")
    if ivt.self - start != IVT_OFFSET:
        raise _fail(name, BAD_BOOT_DATA,
                    f"boot_data.start {start:#x} (offset {at:#x}) is not IVT.self - {IVT_OFFSET:#x} "
                    f"({ivt.self - IVT_OFFSET:#x}): not an SD/eMMC-layout image",
                    f"in the SD/eMMC layout the IVT is at device byte 0x400, so boot_data.start = IVT.self - 0x400 "
                    f"({ivt.self - IVT_OFFSET:#x}); other layouts are not supported")
    length_hint = f"boot_data.length is 0x400 + the file size ({IVT_OFFSET + len(data):#x} for this file)"
    if start + total > 1 << 32:
        raise _fail(name, BAD_BOOT_DATA,
                    f"boot_data.length {total:#x} (offset {at + 4:#x}) runs past the 32-bit address space", length_hint)
    if total <= INITIAL_LOAD_SIZE:
        raise _fail(name, BAD_BOOT_DATA,
                    f"boot_data.length {total:#x} (offset {at + 4:#x}) leaves no payload after the 4 KiB header",
                    length_hint)
    return BootData(start, total, plugin)


def _check_extent(data: bytes, ivt: Ivt, boot: BootData, boot_off: int, name: str) -> None:
    """The file is what the ROM loads, and entry and CSF lie in it."""
    expected = boot.length - IVT_OFFSET
    if len(data) < expected:
        raise _fail(name, TRUNCATED,
                    f"file is {len(data):#x} bytes but boot_data.length (offset {boot_off + 4:#x}) "
                    f"says {expected:#x} follow the IVT",
                    f"the file was cut short (a partial copy?); {_REBUILD}")
    if len(data) > expected:
        raise _fail(name, BAD_BOOT_DATA,
                    f"file is {len(data):#x} bytes but boot_data.length (offset {boot_off + 4:#x}) "
                    f"makes the ROM load only {expected:#x} of them",
                    f"boot_data.length is 0x400 + the file size ({IVT_OFFSET + len(data):#x}); "
                    "bytes past it are never loaded")
    load, end = ivt.self + HEADER_SIZE, boot.start + boot.length
    if not load <= ivt.entry < end:
        raise _fail(name, BAD_POINTER,
                    f"IVT.entry {ivt.entry:#x} (offset 0x4) is outside the payload {load:#x}-{end:#x}",
                    f"IVT.entry is the ELF entry point, an address in the payload (tamapy images start at {load:#x})")
    if ivt.csf and not ivt.self <= ivt.csf < end:
        raise _fail(name, BAD_POINTER,
                    f"IVT.csf {ivt.csf:#x} (offset 0x18) is outside the loaded image {ivt.self:#x}-{end:#x}",
                    "IVT.csf is 0 for an unsigned image, or the address of the CSF the signing tool appended")


def _parse_dcd(data: bytes, at: int, name: str) -> Dcd:
    """The DCD at file offset ``at``: header ``d2 LL LL 4x``, then commands up to its length."""
    tag, length, version = struct.unpack_from(">BHB", data, at)
    if tag != DCD_TAG:
        raise _fail(name, BAD_DCD, f"DCD tag at offset {at:#x} is {tag:#04x}, not {DCD_TAG:#04x}",
                    "a DCD starts with d2 LL LL 40 (tag, big-endian length, HAB 4); an image without one "
                    "has IVT.dcd = 0")
    if version >> 4 != HAB_VERSION >> 4:
        raise _fail(name, BAD_DCD, f"DCD version at offset {at + 3:#x} is {version:#04x}, not HAB 4 (0x4n)",
                    "the DCD header's last byte is the HAB version, 0x40 or 0x41")
    if length < 4 or length > MAX_DCD_SIZE:
        raise _fail(name, BAD_DCD,
                    f"DCD length {length:#x} at offset {at + 1:#x} is outside 4..{MAX_DCD_SIZE:#x}",
                    f"the big-endian DCD length counts its 4-byte header and the commands; the ROM takes at most "
                    f"{MAX_DCD_SIZE} bytes")
    end = at + length
    if end > len(data):
        raise _fail(name, BAD_DCD,
                    f"DCD length {length:#x} at offset {at + 1:#x} runs past the end of the {len(data):#x}-byte file",
                    f"the DCD must end inside the file; {_REBUILD}")
    if end > HEADER_SIZE:
        raise _fail(name, BAD_DCD,
                    f"DCD length {length:#x} at offset {at + 1:#x} runs past the ROM's initial 4 KiB read "
                    f"(file offset {HEADER_SIZE:#x})",
                    f"the DCD must end before the payload at file offset {HEADER_SIZE:#x}: at most "
                    f"{HEADER_SIZE - at:#x} bytes from offset {at:#x}")
    commands: list[DcdCommand] = []
    pos = at + 4
    while pos < end:
        command, size = _next_command(data, pos, end, name)
        commands.append(command)
        pos += size
    return Dcd(at, version, length, tuple(commands))


def _next_command(data: bytes, pos: int, end: int, name: str) -> tuple[DcdCommand, int]:
    """The DCD command whose header is at ``pos`` and its length; the DCD ends at ``end``."""
    if pos + 4 > end:
        raise _fail(name, BAD_DCD_COMMAND, f"DCD command header at offset {pos:#x} is cut off by the DCD's end "
                    f"at {end:#x}", "a command is at least its 4-byte header; the DCD length must end on a command")
    tag, length, param = struct.unpack_from(">BHB", data, pos)
    if tag not in (WRITE_DATA_TAG, CHECK_DATA_TAG, NOP_TAG):
        raise _fail(name, UNKNOWN_DCD_COMMAND, f"unknown DCD command tag {tag:#04x} at offset {pos:#x}",
                    "known commands: Write Data 0xcc, Check Data 0xcf, NOP 0xc0")
    if length < 4:
        raise _fail(name, BAD_DCD_COMMAND,
                    f"DCD command at offset {pos:#x} has length {length:#x} (offset {pos + 1:#x}) < 4",
                    "a command's big-endian length counts its own 4-byte header")
    if pos + length > end:
        raise _fail(name, BAD_DCD_COMMAND,
                    f"DCD command at offset {pos:#x} has length {length:#x} (offset {pos + 1:#x}), "
                    f"beyond the DCD's end at {end:#x}",
                    "a command ends inside the DCD: its length or the DCD header's length is wrong")
    return _parse_command(data, pos, tag, length, param, name), length


def _fits(width: int) -> str:
    """The hint for an address or value that does not fit its access width."""
    return f"a {width}-byte access needs an address that is a multiple of {width} and a value below 2^{8 * width}"


def _parse_command(data: bytes, pos: int, tag: int, length: int, param: int, name: str) -> DcdCommand:
    """One known DCD command (header at ``pos``, ``length`` bytes inside the DCD)."""
    if tag == NOP_TAG:
        if length != 4:
            raise _fail(name, BAD_DCD_COMMAND,
                        f"NOP command at offset {pos:#x} has length {length:#x} (offset {pos + 1:#x}), not 4",
                        "a NOP is its header alone: c0 00 04 00")
        return DcdNop(pos)
    width, flags = param & 0x07, param & 0x18
    table = WRITE_PARAMS if tag == WRITE_DATA_TAG else CHECK_PARAMS
    if width not in _WIDTHS or param & ~0x1F or flags not in table:
        raise _fail(name, BAD_DCD_COMMAND,
                    f"DCD command at offset {pos:#x} has unknown parameter {param:#04x} (offset {pos + 3:#x})",
                    "width 1, 2 or 4 in bits 2:0; flags " + ", ".join(f"{k:#04x} {v}" for k, v in table.items()))
    if tag == WRITE_DATA_TAG:
        if length < 12 or (length - 4) % 8:
            raise _fail(name, BAD_DCD_COMMAND,
                        f"Write Data command at offset {pos:#x} has length {length:#x} (offset {pos + 1:#x}), "
                        "not 4 + 8n (n >= 1)",
                        "Write Data is its 4-byte header and one or more 8-byte (address, value) pairs")
        pairs = tuple(struct.unpack_from(">II", data, p) for p in range(pos + 4, pos + length, 8))
        for i, (address, value) in enumerate(pairs):
            if address % width or value >> (8 * width):
                raise _fail(name, BAD_DCD_COMMAND,
                            f"Write Data pair at offset {pos + 4 + 8 * i:#x} ({address:#x}, {value:#x}) "
                            f"does not fit a {width}-byte access", _fits(width))
        return DcdWrite(pos, width, WRITE_PARAMS[flags], pairs)
    if length not in (12, 16):
        raise _fail(name, BAD_DCD_COMMAND,
                    f"Check Data command at offset {pos:#x} has length {length:#x} (offset {pos + 1:#x}), "
                    "not 12 or 16",
                    "Check Data is its header, the address, the mask and an optional poll count: 12 or 16 bytes")
    address, mask = struct.unpack_from(">II", data, pos + 4)
    count = struct.unpack_from(">I", data, pos + 12)[0] if length == 16 else None
    if address % width or mask >> (8 * width):
        raise _fail(name, BAD_DCD_COMMAND,
                    f"Check Data at offset {pos:#x}: address {address:#x} (offset {pos + 4:#x}), "
                    f"mask {mask:#x} (offset {pos + 8:#x}) do not fit a {width}-byte access", _fits(width))
    return DcdCheck(pos, width, CHECK_PARAMS[flags], address, mask, count)


def read_imx(path: Path) -> ImxImage:
    """Read and parse an ``.imx`` file (unreadable files are E710 too)."""
    shown = display_path(path)
    data = read_input(path, shown, TRUNCATED, "image", "pass the .imx file that `tamapy build` wrote",
                      limit=IMAGE_LIMIT)
    return parse_imx(data, shown)


# --- presentation -----------------------------------------------------------


def _command_lines(command: DcdCommand) -> list[str]:
    if isinstance(command, DcdNop):
        return ["nop"]
    bits = 8 * command.width
    if isinstance(command, DcdCheck):
        count = "" if command.count is None else f", at most {command.count} polls"
        return [f"check{bits} [{command.address:#010x}] & {command.mask:#010x}: wait until {command.condition}{count}"]
    symbol = {"write": "= ", "clear": "&= ~", "set": "|= "}[command.op]
    return [f"{command.op}{bits} [{address:#010x}] {symbol}{value:#010x}" for address, value in command.pairs]


def describe(image: ImxImage, name: str = "") -> str:
    """Human-readable description for ``tamapy image show``: one fact per line."""
    ivt, boot = image.ivt, image.boot_data
    lines = [
        f"{name + ': ' if name else ''}i.MX boot image, HAB {ivt.version >> 4}.{ivt.version & 0xF} IVT, "
        f"SD/eMMC layout (write the file at byte {IVT_OFFSET:#x} of the card)",
        f"  file size    {image.size} bytes",
        f"  IVT          file offset 0x0, self {ivt.self:#010x}",
        f"  entry        {ivt.entry:#010x}",
        f"  boot data    {ivt.boot_data:#010x}: start {boot.start:#010x}, length {boot.length:#x} "
        f"({boot.length} bytes), plugin {boot.plugin}",
        f"  payload      file offset {image.payload_offset:#x} -> {image.load_address:#010x}, {image.payload_size} bytes",
        f"  CSF          {'none (unsigned)' if not ivt.csf else f'{ivt.csf:#010x}'}",
    ]
    if image.dcd is None:
        lines.append("  DCD          none")
    else:
        dcd = image.dcd
        lines.append(f"  DCD          {ivt.dcd:#010x} (file offset {dcd.offset:#x}), {dcd.length} bytes, "
                     f"{len(dcd.commands)} command(s)")
        lines += [f"    {line}" for c in dcd.commands for line in _command_lines(c)]
    return "\n".join(lines)


def to_json(image: ImxImage) -> dict[str, Any]:
    """Stable machine-readable description (addresses as 0x%08x strings)."""
    def hx(value: int) -> str:
        return f"0x{value:08x}"

    def command(c: DcdCommand) -> dict[str, Any]:
        if isinstance(c, DcdNop):
            return {"command": "nop", "offset": c.offset}
        if isinstance(c, DcdCheck):
            return {"command": "check", "offset": c.offset, "width": c.width, "condition": c.condition,
                    "address": hx(c.address), "mask": hx(c.mask), "count": c.count}
        return {"command": c.op, "offset": c.offset, "width": c.width,
                "pairs": [[hx(a), hx(v)] for a, v in c.pairs]}

    return {
        "format": "imx-sd",
        "size": image.size,
        "ivt": {"version": image.ivt.version, "entry": hx(image.ivt.entry), "dcd": hx(image.ivt.dcd),
                "boot_data": hx(image.ivt.boot_data), "self": hx(image.ivt.self), "csf": hx(image.ivt.csf)},
        "boot_data": {"start": hx(image.boot_data.start), "length": image.boot_data.length,
                      "plugin": image.boot_data.plugin},
        "payload": {"offset": image.payload_offset, "address": hx(image.load_address), "size": image.payload_size},
        "dcd": None if image.dcd is None else {
            "offset": image.dcd.offset, "length": image.dcd.length,
            "commands": [command(c) for c in image.dcd.commands],
        },
    }


def image_files(elf: bytes, dcd: Sequence[tuple[int, int]], name: str) -> dict[str, bytes]:
    """The three images of one build, keyed by file name, in a fixed order: ELF, raw binary, boot image.

    The one place that derives ``.bin`` and ``.imx`` from an ELF.  The build
    calls it once and keeps the result in ``BuildResult.images``, so what a
    build writes, what its statement names and what a rebuild compares are
    the same bytes.
    """
    binary = raw_binary(elf, f"{name}.elf")
    return {f"{name}.elf": elf, f"{name}.bin": binary.data, f"{name}.imx": imx_from_binary(binary, dcd, f"{name}.elf")}


def show_image(path: Path, *, as_json: bool = False) -> str:
    """What ``tamapy image show FILE`` prints: :func:`describe`, or :func:`to_json` as sorted JSON."""
    image = read_imx(path)
    if as_json:
        import json

        return json.dumps(to_json(image), indent=2, sort_keys=True)
    return describe(image, display_path(path))
