"""The i.MX boot image: mkimage's SD layout, parsed back, checked by U-Boot's own tools, malformed ones refused."""

from __future__ import annotations

import json
import re
import struct
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tamapy.build import BuildResult
from tamapy.cli import main
from tamapy.diagnostics import TamapyError, display_path
from tamapy.link.binary import RawBinary, raw_binary
from tamapy.link.imx import (
    MAX_DCD_WRITES,
    DcdCheck,
    DcdNop,
    DcdWrite,
    build_imx,
    describe,
    image_files,
    imx_from_binary,
    parse_imx,
    read_imx,
    show_image,
    to_json,
)

from .conftest import BOARDS, require_mkimage

CCGR = [(0x020C4068 + 4 * i, 0xFFFFFFFF) for i in range(7)]


def imx_of(result: BuildResult) -> bytes:
    return build_imx(result.image.elf, result.program.board.dcd)


def patched(data: bytes, offset: int, fmt: str, *values: int) -> bytes:
    out = bytearray(data)
    struct.pack_into(fmt, out, offset, *values)
    return bytes(out)


def with_dcd_commands(data: bytes, commands: bytes) -> bytes:
    """The image with its DCD body replaced by ``commands`` (header length adjusted)."""
    out = bytearray(data)
    out[0x2C : 0xC00] = bytes(0xC00 - 0x2C)
    struct.pack_into(">BHB", out, 0x2C, 0xD2, 4 + len(commands), 0x40)
    out[0x30 : 0x30 + len(commands)] = commands
    return bytes(out)


# --- layout ------------------------------------------------------------------


@pytest.mark.parametrize("board", BOARDS)
def test_hello_imx_parses_back_to_the_board_layout(hello: dict[str, BuildResult], board: str) -> None:
    result = hello[board]
    load = result.program.board.load_address
    binary = raw_binary(result.image.elf)
    data = imx_of(result)
    image = parse_imx(data)
    assert data[:4] == bytes([0xD1, 0x00, 0x20, 0x40])  # IVT header at file offset 0
    assert image.ivt.self == load - 0x1000 + 0x400
    assert image.ivt.entry == result.image.entry
    assert image.ivt.boot_data == image.ivt.self + 0x20
    assert image.ivt.dcd == image.ivt.self + 0x2C
    assert image.ivt.csf == 0
    assert image.boot_data.start == load - 0x1000
    assert image.boot_data.length == 0x400 + len(data)
    assert image.boot_data.plugin == 0
    assert image.payload_offset == 0xC00 and image.load_address == load
    assert len(data) % 0x1000 == 0xC00  # payload padded to 4 KiB, as mkimage pads it
    assert data[0xC00 : 0xC00 + len(binary.data)] == binary.data
    assert set(data[0xC00 + len(binary.data) :]) <= {0}
    assert image.writes() == result.program.board.dcd
    assert image.dcd is not None and len(image.dcd.commands) == 1
    command = image.dcd.commands[0]
    assert isinstance(command, DcdWrite) and command.op == "write" and command.width == 4


def test_board_dcds_open_every_clock_gate(hello: dict[str, BuildResult]) -> None:
    for board in BOARDS:
        writes = parse_imx(imx_of(hello[board])).writes()
        assert writes[:7] == tuple(CCGR), board
    uart2_mux = [(a, v) for a, v in parse_imx(imx_of(hello["usbarmory-mk2"])).writes() if 0x020E0094 <= a <= 0x020E00A0]
    assert uart2_mux == [(0x020E0094, 0), (0x020E0098, 0), (0x020E009C, 0), (0x020E00A0, 0)]


def test_without_dcd_the_ivt_has_no_dcd_pointer(hello: dict[str, BuildResult]) -> None:
    data = build_imx(hello["mcimx6ul-evk"].image.elf, ())
    image = parse_imx(data)
    assert image.ivt.dcd == 0 and image.dcd is None and image.writes() == ()
    assert data[0x2C:0x30] == bytes([0xD2, 0x00, 0x04, 0x40])  # mkimage still writes an empty DCD header


def test_image_files_derive_bin_and_imx_from_the_elf(hello: dict[str, BuildResult]) -> None:
    result = hello["usbarmory-mk2"]
    files = image_files(result.image.elf, result.program.board.dcd, "hello")
    assert list(files) == ["hello.elf", "hello.bin", "hello.imx"]
    assert files["hello.bin"] == raw_binary(result.image.elf).data
    assert files["hello.imx"] == imx_of(result)


def test_exactly_4k_payload_is_not_padded_further() -> None:
    binary = RawBinary(0x80010000, 0x80010000, b"\x01" * 0x1000, ())
    data = imx_from_binary(binary, CCGR)
    assert len(data) == 0xC00 + 0x1000 and parse_imx(data).boot_data.length == 0x2000


@pytest.mark.parametrize(
    ("binary", "dcd", "words"),
    [
        (RawBinary(0x800, 0x800, b"x", ()), (), "below 0x1000"),
        (RawBinary(0x80010000, 0x80020000, b"x", ()), (), "entry point 0x80020000 (e_entry, offset 0x18) is outside"),
        (RawBinary(0x80010000, 0x80010000, b"x", ()), [(0x020C4069, 1)], "aligned"),
        (RawBinary(0x80010000, 0x80010000, b"x", ()), [(0x020C4068, 1 << 32)], "32-bit value"),
        (RawBinary(0x80010000, 0x80010000, b"x", ()), [(0x1000, 0)] * (MAX_DCD_WRITES + 1), "more than the 220"),
        (RawBinary(0xFFFFF000, 0xFFFFF000, b"x" * 0x1001, ()), (), "wraps past the 32-bit address space"),
    ],
    ids=["load-too-low", "entry-outside", "dcd-misaligned", "dcd-value-too-wide", "dcd-too-long", "wraps"],
)
def test_unbuildable_images_are_refused(binary: RawBinary, dcd: list[tuple[int, int]], words: str) -> None:
    with pytest.raises(TamapyError) as info:
        imx_from_binary(binary, dcd, "x.elf")
    (diag,) = info.value.diagnostics
    assert diag.code == "E703" and words in diag.message and diag.hint


def test_largest_dcd_fits_the_first_4k() -> None:
    writes = [(0x020C4000 + 4 * i, i) for i in range(MAX_DCD_WRITES)]
    image = parse_imx(imx_from_binary(RawBinary(0x80010000, 0x80010000, b"x", ()), writes))
    assert image.writes() == tuple(writes)
    assert image.dcd is not None and image.dcd.length == 8 + 8 * MAX_DCD_WRITES == 1768


# --- U-Boot's mkimage as the independent judge --------------------------------


def mkimage_list(path: Path) -> dict[str, str]:
    out = subprocess.run([require_mkimage(), "-l", str(path)], capture_output=True, text=True, check=True).stdout
    return dict(re.findall(r"^([A-Za-z ]+):\s+(.*)$", out, re.MULTILINE))


@pytest.mark.parametrize("board", BOARDS)
def test_mkimage_lists_our_image(hello: dict[str, BuildResult], board: str, tmp_path: Path) -> None:
    require_mkimage()
    path = tmp_path / "hello.imx"
    path.write_bytes(imx_of(hello[board]))
    fields = mkimage_list(path)
    image = read_imx(path)
    assert fields["Image Type"] == "Freescale IMX Boot Image"
    assert fields["Image Ver"].startswith("2")
    assert fields["Mode"] == "DCD"
    assert fields["Data Size"].startswith(f"{image.boot_data.length} Bytes")
    # mkimage prints IVT.boot_data as "Load Address" (= load address - 0x1000 + 0x420)
    assert int(fields["Load Address"], 16) == image.ivt.boot_data == hello[board].program.board.load_address - 0xBE0
    assert int(fields["Entry Point"], 16) == hello[board].image.entry


@pytest.mark.parametrize("dcd", [CCGR, []], ids=["with-dcd", "without-dcd"])
@pytest.mark.parametrize("board", BOARDS)
def test_byte_identical_to_mkimage(hello: dict[str, BuildResult], board: str, dcd: list[tuple[int, int]],
                                   tmp_path: Path) -> None:
    """mkimage -T imximage from the same payload and DATA lines, entry patched as tamago does."""
    mkimage = require_mkimage()
    result = hello[board]
    binary = raw_binary(result.image.elf)
    (tmp_path / "payload.bin").write_bytes(binary.data)
    cfg = "IMAGE_VERSION 2\nBOOT_FROM sd\n" + "".join(f"DATA 4 {a:#010x} {v:#010x}\n" for a, v in dcd)
    (tmp_path / "imximage.cfg").write_text(cfg)
    subprocess.run([mkimage, "-n", str(tmp_path / "imximage.cfg"), "-T", "imximage", "-e", hex(binary.load_address),
                    "-d", str(tmp_path / "payload.bin"), str(tmp_path / "ref.imx")], check=True, capture_output=True)
    reference = patched((tmp_path / "ref.imx").read_bytes(), 4, "<I", result.image.entry)
    assert build_imx(result.image.elf, dcd) == reference


def test_mkimage_reads_the_board_dcd_writes(hello: dict[str, BuildResult], tmp_path: Path) -> None:
    """Our DCD for the Mk II equals the DCD mkimage builds from the same DATA lines."""
    mkimage = require_mkimage()
    result = hello["usbarmory-mk2"]
    (tmp_path / "p.bin").write_bytes(b"\0" * 16)
    cfg = "IMAGE_VERSION 2\nBOOT_FROM sd\n" + "".join(f"DATA 4 {a:#x} {v:#x}\n" for a, v in result.program.board.dcd)
    (tmp_path / "c.cfg").write_text(cfg)
    subprocess.run([mkimage, "-n", str(tmp_path / "c.cfg"), "-T", "imximage", "-e", "0x80010000",
                    "-d", str(tmp_path / "p.bin"), str(tmp_path / "r.imx")], check=True, capture_output=True)
    assert parse_imx((tmp_path / "r.imx").read_bytes()).writes() == result.program.board.dcd


# --- the parser: other DCD commands, and refusing malformed images -------------


def test_parser_reads_check_nop_clear_and_set_commands(hello: dict[str, BuildResult]) -> None:
    base = imx_of(hello["mcimx6ul-evk"])
    commands = (
        struct.pack(">BHB", 0xC0, 4, 0)
        + struct.pack(">BHBII", 0xCF, 12, 0x14, 0x021B0018, 0x40000000)
        + struct.pack(">BHBIII", 0xCF, 16, 0x04, 0x021B001C, 0x4000, 100)
        + struct.pack(">BHBII", 0xCC, 12, 0x0C, 0x020C4068, 0x0F)
        + struct.pack(">BHBIIII", 0xCC, 20, 0x1C, 0x020C406C, 0xF0, 0x020C4070, 0x1)
        + struct.pack(">BHBII", 0xCC, 12, 0x02, 0x020E0096, 0xFFFF)
    )
    image = parse_imx(with_dcd_commands(base, commands))
    assert image.dcd is not None
    nop, check_set, check_clear, clear, set_, write16 = image.dcd.commands
    assert nop == DcdNop(0x30)
    assert check_set == DcdCheck(0x34, 4, "all-set", 0x021B0018, 0x40000000, None)
    assert check_clear == DcdCheck(0x40, 4, "all-clear", 0x021B001C, 0x4000, 100)
    assert isinstance(clear, DcdWrite) and clear.op == "clear" and clear.pairs == ((0x020C4068, 0x0F),)
    assert isinstance(set_, DcdWrite) and set_.op == "set" and len(set_.pairs) == 2
    assert isinstance(write16, DcdWrite) and write16.width == 2
    assert image.writes() == ()  # only plain 32-bit writes count as board-spec writes
    text = describe(image, "x.imx")
    assert "check32 [0x021b0018] & 0x40000000: wait until all-set" in text
    assert "clear32 [0x020c4068] &= ~0x0000000f" in text and "write16 [0x020e0096] = 0x0000ffff" in text
    assert to_json(image)["dcd"]["commands"][0] == {"command": "nop", "offset": 0x30}


def moved_dcd(valid: bytes, at: int, dcd: bytes, boot_at: int = 0x20) -> bytes:
    """The image with its header cleared past the IVT, ``dcd`` at file offset ``at`` and the
    boot data moved to ``boot_at`` (the IVT pointers follow)."""
    self_ = struct.unpack_from("<I", valid, 0x14)[0]
    out = bytearray(valid)
    out[0x20:0xC00] = bytes(0xC00 - 0x20)
    out[at : at + len(dcd)] = dcd
    out[boot_at : boot_at + 12] = valid[0x20:0x2C]
    struct.pack_into("<I", out, 0x0C, self_ + at)
    struct.pack_into("<I", out, 0x10, self_ + boot_at)
    return bytes(out)


def malformed_cases(valid: bytes) -> list[tuple[str, bytes, str, int]]:
    """(id, image, expected "CODE: words", file offset the message names) for one valid image:
    one case per way the parser refuses an image."""
    boot_data = valid[0x20:0x2C]
    # a Write Data command whose pairs are the boot data's bytes: the DCD at 0x100 covers it at 0x108
    dcd_over_boot = struct.pack(">BHBBHB", 0xD2, 0x18, 0x40, 0xCC, 0x14, 0x04) + boot_data + bytes(4)
    return [
        ("empty", b"", "E710: file is 0 bytes", 0x0),
        ("truncated-ivt", valid[:0x10], "E710: file is 16 bytes", 0x0),
        ("truncated-boot-data", valid[:0x24], "E710: IVT.boot_data at offset 0x20", 0x20),
        ("truncated-dcd-header", valid[:0x2E], "E710: IVT.dcd at offset 0x2c", 0x2C),
        ("truncated-payload", valid[:0x1000], "E710: file is 0x1000 bytes but boot_data.length", 0x24),
        ("truncated-one-byte", valid[:-1], "E710:", 0x24),
        ("bad-ivt-tag", patched(valid, 0, "B", 0xD2), "E711: IVT tag at offset 0x0 is 0xd2", 0x0),
        ("bad-ivt-length", patched(valid, 1, ">H", 0x24), "E711: IVT length at offset 0x1", 0x1),
        ("bad-ivt-version", patched(valid, 3, "B", 0x30), "E711: IVT version at offset 0x3", 0x3),
        ("ivt-reserved", patched(valid, 8, "<I", 1), "E711: IVT reserved word at offset 0x8", 0x8),
        ("ivt-reserved-2", patched(valid, 0x1C, "<I", 1), "E711: IVT reserved word at offset 0x1c", 0x1C),
        ("boot-data-outside", patched(valid, 0x10, "<I", 0x1234),
         "E712: IVT.boot_data 0x1234 (IVT word at offset 0x10)", 0x10),
        ("boot-data-over-ivt", patched(valid, 0x10, "<I", 0x8000F410),
         "E712: IVT.boot_data 0x8000f410 (offset 0x10) overlaps the IVT", 0x10),
        ("dcd-outside", patched(valid, 0x0C, "<I", 0x90000000), "E712: IVT.dcd 0x90000000 (IVT word at offset 0xc)", 0xC),
        ("dcd-over-ivt", patched(valid, 0x0C, "<I", 0x8000F410), "E712: IVT.dcd 0x8000f410 (offset 0xc) overlaps the IVT",
         0xC),
        ("dcd-over-boot-data", moved_dcd(valid, 0x100, dcd_over_boot, boot_at=0x108),
         "E712: IVT.dcd 0x8000f500 (offset 0xc): the DCD at offset 0x100 (0x18 bytes) overlaps the boot data", 0xC),
        ("entry-outside", patched(valid, 4, "<I", 0x8000F400), "E712: IVT.entry 0x8000f400 (offset 0x4)", 0x4),
        ("csf-outside", patched(valid, 0x18, "<I", 0x70000000), "E712: IVT.csf 0x70000000 (offset 0x18)", 0x18),
        ("plugin", patched(valid, 0x28, "<I", 1), "E713: boot_data.plugin at offset 0x28 is 0x1", 0x28),
        ("start-not-sd-layout", patched(valid, 0x20, "<I", 0x8000E000), "E713: boot_data.start 0x8000e000", 0x20),
        ("longer-than-loaded", valid + bytes(4), "E713: file is", 0x24),
        ("no-payload", patched(valid, 0x24, "<I", 0x1000), "E713: boot_data.length 0x1000", 0x24),
        ("length-wraps", patched(valid, 0x24, "<I", 0xFFFFFFF0), "E713: boot_data.length 0xfffffff0", 0x24),
        ("bad-dcd-tag", patched(valid, 0x2C, "B", 0xD1), "E714: DCD tag at offset 0x2c is 0xd1", 0x2C),
        ("bad-dcd-version", patched(valid, 0x2F, "B", 0x20), "E714: DCD version at offset 0x2f", 0x2F),
        ("dcd-length-over-max", patched(valid, 0x2D, ">H", 0xFFFF), "E714: DCD length 0xffff at offset 0x2d is outside",
         0x2D),
        ("dcd-length-under-4", patched(valid, 0x2D, ">H", 2), "E714: DCD length 0x2 at offset 0x2d is outside", 0x2D),
        ("dcd-length-beyond-file", valid[:0x50],
         "E714: DCD length 0x40 at offset 0x2d runs past the end of the 0x50-byte file", 0x2D),
        ("dcd-past-first-4k", moved_dcd(valid, 0xBF0, valid[0x2C:0x6C]),
         "E714: DCD length 0x40 at offset 0xbf1 runs past the ROM's initial 4 KiB read", 0xBF1),
        ("unknown-dcd-command", patched(valid, 0x30, "B", 0xB2), "E715: unknown DCD command tag 0xb2 at offset 0x30", 0x30),
        ("zero-padding-as-command", patched(valid, 0x2D, ">H", 0x100), "E715: unknown DCD command tag 0x00 at offset 0x6c",
         0x6C),
        ("dcd-command-too-long", patched(valid, 0x31, ">H", 0x44),
         "E716: DCD command at offset 0x30 has length 0x44 (offset 0x31), beyond", 0x31),
        ("dcd-command-too-short", patched(valid, 0x31, ">H", 0x2),
         "E716: DCD command at offset 0x30 has length 0x2 (offset 0x31) < 4", 0x31),
        ("dcd-write-bad-param", patched(valid, 0x33, "B", 0x14),
         "E716: DCD command at offset 0x30 has unknown parameter 0x14 (offset 0x33)", 0x33),
        ("dcd-write-odd-length", with_dcd_commands(valid, struct.pack(">BHBI", 0xCC, 8, 4, 0)),
         "E716: Write Data command at offset 0x30 has length 0x8 (offset 0x31)", 0x31),
        ("dcd-write-misaligned", with_dcd_commands(valid, struct.pack(">BHBII", 0xCC, 12, 4, 0x020C4066, 0)),
         "E716: Write Data pair at offset 0x34", 0x34),
        ("dcd-write-value-too-wide", with_dcd_commands(valid, struct.pack(">BHBII", 0xCC, 12, 1, 0x020C4068, 0x100)),
         "E716: Write Data pair at offset 0x34 (0x20c4068, 0x100) does not fit a 1-byte access", 0x34),
        ("dcd-check-bad-length", with_dcd_commands(valid, struct.pack(">BHBI", 0xCF, 8, 4, 0)),
         "E716: Check Data command at offset 0x30 has length 0x8 (offset 0x31)", 0x31),
        ("dcd-check-misaligned", with_dcd_commands(valid, struct.pack(">BHBII", 0xCF, 12, 4, 0x021B0019, 1)),
         "E716: Check Data at offset 0x30: address 0x21b0019 (offset 0x34)", 0x34),
        ("dcd-nop-with-body", with_dcd_commands(valid, struct.pack(">BHBI", 0xC0, 8, 0, 0)),
         "E716: NOP command at offset 0x30 has length 0x8 (offset 0x31)", 0x31),
        ("dcd-cut-command-header", with_dcd_commands(valid, b"\xc0\x00"),
         "E716: DCD command header at offset 0x30 is cut off", 0x30),
    ]


_VALID = imx_from_binary(RawBinary(0x80010000, 0x80010000, b"\x01" * 100, ()), CCGR)
_CASES = malformed_cases(_VALID)


@pytest.mark.parametrize(("data", "expected", "offset"), [c[1:] for c in _CASES], ids=[c[0] for c in _CASES])
def test_malformed_images_are_refused_naming_the_offset(data: bytes, expected: str, offset: int) -> None:
    """Each refusal: its code and message, the file alone as location, the bad field's offset, a hint."""
    with pytest.raises(TamapyError) as info:
        parse_imx(data, "bad.imx")
    (diag,) = info.value.diagnostics
    assert (diag.file, diag.line, diag.col) == ("bad.imx", 0, 0)
    assert f"{diag.code}: {diag.message}".startswith(expected)
    assert re.search(rf"offset {offset:#x}\b", diag.message), diag.message
    assert len(diag.hint) > 20, diag.hint


def test_image_errors_render_as_the_file_alone_with_a_hint(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bad.imx"
    path.write_bytes(patched(_VALID, 0x28, "<I", 1))
    assert main(["image", "show", str(path)]) == 2
    first, hint = capsys.readouterr().err.splitlines()
    assert first == f"{display_path(path)}: error[E713]: boot_data.plugin at offset 0x28 is 0x1: a plugin image"
    assert hint.startswith("  hint: plugin images are not supported")


def test_read_imx_reports_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(TamapyError) as info:
        read_imx(tmp_path / "missing.imx")
    assert info.value.diagnostics[0].code == "E710" and "cannot read" in str(info.value)


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_flipped_bytes_parse_or_raise_tamapy_error(hello: dict[str, BuildResult], data: st.DataObject) -> None:
    """Any corruption of a valid image is either still an image or one E71x diagnostic, never a crash."""
    image = bytearray(imx_of(hello["usbarmory-mk2"]))
    for _ in range(data.draw(st.integers(1, 3))):
        at = data.draw(st.one_of(st.integers(0, 0x100), st.integers(0, len(image) - 1)))
        image[at] ^= data.draw(st.integers(1, 255))
    cut = data.draw(st.one_of(st.none(), st.integers(0, len(image))))
    try:
        parsed = parse_imx(bytes(image[:cut]))
    except TamapyError as exc:
        assert len(exc.diagnostics) == 1 and re.fullmatch(r"E71[0-6]", exc.diagnostics[0].code)
    else:
        assert parsed.size == len(image[:cut])
        describe(parsed)
        to_json(parsed)


def test_describe_names_the_facts(hello: dict[str, BuildResult]) -> None:
    text = describe(parse_imx(imx_of(hello["usbarmory-mk2"])), "hello.imx")
    assert text.splitlines()[0].startswith("hello.imx: i.MX boot image, HAB 4.0 IVT, SD/eMMC layout")
    assert "  entry        0x80010000" in text
    assert "boot data    0x8000f420: start 0x8000f000" in text
    assert "payload      file offset 0xc00 -> 0x80010000" in text
    assert "    write32 [0x020c4068] = 0xffffffff" in text
    assert "    write32 [0x020e00a0] = 0x00000000" in text


def test_show_image_text_and_json(hello: dict[str, BuildResult], tmp_path: Path) -> None:
    path = tmp_path / "hello.imx"
    path.write_bytes(imx_of(hello["mcimx6ul-evk"]))
    text = show_image(path)
    assert text.splitlines()[0].startswith(f"{path}: i.MX boot image") or "hello.imx: i.MX boot image" in text
    doc = json.loads(show_image(path, as_json=True))
    assert doc["ivt"]["entry"] == "0x80010000" and doc["payload"]["address"] == "0x80010000"
    assert doc["boot_data"] == {"start": "0x8000f000", "length": 0x400 + path.stat().st_size, "plugin": 0}
    assert [c["command"] for c in doc["dcd"]["commands"]] == ["write"]
    assert doc["dcd"]["commands"][0]["pairs"][0] == ["0x020c4068", "0xffffffff"]
