"""Every spec mistake is a located TamapyError with its own E3xx code."""

from __future__ import annotations

from pathlib import Path

import pytest

from tamapy.specs import load_board, load_soc

from .helpers import BOARD, PERIPHERAL, diagnostic, edit, line_of, write_board, write_soc

P = PERIPHERAL


ARRAY = """
[registers.ARR]
offset = 0x0
count = 4
stride = 0x4
access = "RO"
{extra}
"""
"""A register array over A's address (appended to the template)."""

GUARD_A = """
[invariants.ready]
description = "A was read with EN set"
initial = false
set = [{ on = "read", register = "A", when = "EN == 1" }]
guards_read = ["A"]
"""


def reg_a(extra: str) -> str:
    """The template with extra keys in [registers.A]."""
    return edit(P, "reset = 0x1\n", f"reset = 0x1\n{extra}\n")


# (id, file text, code, dotted key the message must name, marker of the blamed line)
PERIPHERAL_CASES = [
    ("syntax", edit(P, "offset = 0x0", "offset = "), "E301", "syntax", "offset ="),
    (
        "syntax-duplicate-key",
        edit(P, "reset = 0x1", "reset = 0x1\nreset = 0x2"),
        "E301",
        "syntax",
        "reset = 0x2",
    ),
    ("missing-key", edit(P, "offset = 0x0\n", ""), "E302", "registers.A.offset", "[registers.A]"),
    (
        "missing-table",
        edit(P, "[instances]\nP1 = 0x1000\n", ""),
        "E302",
        "instances",
        "[peripheral]",
    ),
    (
        "missing-field-bits",
        edit(P, '{ bits = "0" }', '{ description = "x" }'),
        "E302",
        "registers.A.fields.EN.bits",
        "EN =",
    ),
    (
        "wrong-type",
        edit(P, "offset = 0x0", 'offset = "0"'),
        "E303",
        "registers.A.offset",
        'offset = "0"',
    ),
    (
        "bool-is-not-int",
        edit(P, "offset = 0x0", "offset = true"),
        "E303",
        "registers.A.offset",
        "offset = true",
    ),
    (
        "float-is-not-int",
        edit(P, "size = 0x100", "size = 256.0"),
        "E303",
        "peripheral.size",
        "size =",
    ),
    (
        "field-not-table",
        edit(P, 'EN = { bits = "0" }', "EN = 0"),
        "E303",
        "registers.A.fields.EN",
        "EN = 0",
    ),
    (
        "bits-not-string",
        edit(P, 'EN = { bits = "0" }', "EN = { bits = 0 }"),
        "E303",
        "registers.A.fields.EN.bits",
        "EN =",
    ),
    ("aliases-not-strings", reg_a("aliases = [4]"), "E303", "registers.A.aliases", "aliases"),
    (
        "registers-not-table",
        "registers = 5\n" + P.split("[registers.A]")[0],
        "E303",
        "registers",
        "registers = 5",
    ),
    ("unknown-key", edit(P, "offset = 0x0", "ofset = 0x0"), "E304", "registers.A.ofset", "ofset"),
    (
        "unknown-field-key",
        edit(P, '{ bits = "0" }', '{ bits = "0", acess = "RO" }'),
        "E304",
        "registers.A.fields.EN.acess",
        "EN =",
    ),
    ("unknown-top-key", P + "[extra]\nx = 1\n", "E304", "extra", "[extra]"),
    ("field-overlap", edit(P, '"3:2"', '"3:0"'), "E305", "registers.A.fields.MODE", "MODE"),
    (
        "field-outside-width",
        edit(P, '"3:2"', '"32:31"'),
        "E306",
        "registers.A.fields.MODE.bits",
        "MODE",
    ),
    (
        "field-outside-8bit",
        reg_a("width = 8").replace('"3:2"', '"8"'),
        "E306",
        "registers.A.fields.MODE.bits",
        "MODE",
    ),
    ("hi-below-lo", edit(P, '"3:2"', '"2:3"'), "E307", "registers.A.fields.MODE.bits", "MODE"),
    ("bits-garbage", edit(P, '"3:2"', '"a:b"'), "E307", "registers.A.fields.MODE.bits", "MODE"),
    ("bits-empty", edit(P, '"3:2"', '""'), "E307", "registers.A.fields.MODE.bits", "MODE"),
    (
        "duplicate-offset",
        P + "[registers.B]\noffset = 0x00\n",
        "E308",
        "registers.B",
        "offset = 0x00",
    ),
    (
        "overlapping-16bit",
        edit(P, "[registers.A]", "[registers.A]\nwidth = 16")
        + "[registers.B]\nwidth = 8\noffset = 1\n",
        "E308",
        "registers.B",
        "offset = 1",
    ),
    (
        "alias-hits-later-register",
        reg_a('aliases = ["SET"]') + "[registers.B]\noffset = 4\n",
        "E308",
        "registers.B",
        "offset = 4",
    ),
    (
        "alias-hits-earlier-register",
        P
        + '[registers.B]\noffset = 0xC\naliases = ["SET", "TOG"]\n'
        + "[registers.C]\noffset = 0x20\n"
        + '[registers.D]\noffset = 0x8\naliases = ["CLR"]\n',
        "E308",
        "CLR alias of `registers.D`",
        'aliases = ["CLR"]',
    ),
    (
        "offset-misaligned",
        edit(P, "offset = 0x0", "offset = 0x2"),
        "E309",
        "registers.A.offset",
        "offset = 0x2",
    ),
    (
        "offset-outside",
        edit(P, "offset = 0x0", "offset = 0x100"),
        "E309",
        "registers.A.offset",
        "offset =",
    ),
    (
        "offset-negative",
        edit(P, "offset = 0x0", "offset = -4"),
        "E309",
        "registers.A.offset",
        "offset =",
    ),
    (
        "alias-outside",
        edit(P, "offset = 0x0", 'offset = 0xF8\naliases = ["TOG"]'),
        "E309",
        "registers.A.offset",
        "offset =",
    ),
    ("unknown-access", reg_a('access = "RX"'), "E310", "registers.A.access", "access"),
    (
        "unknown-field-access",
        edit(P, '{ bits = "0" }', '{ bits = "0", access = "rw" }'),
        "E310",
        "registers.A.fields.EN.access",
        "EN =",
    ),
    (
        "ro-register-writable-field",
        edit(reg_a('access = "RO"'), '{ bits = "0" }', '{ bits = "0", access = "W1C" }'),
        "E311",
        "registers.A.fields.EN.access",
        "EN =",
    ),
    (
        "wo-register-ro-field",
        edit(reg_a('access = "WO"'), '{ bits = "0" }', '{ bits = "0", access = "RO" }'),
        "E311",
        "registers.A.fields.EN.access",
        "EN =",
    ),
    (
        "reset-too-wide",
        edit(P, "reset = 0x1", "reset = 0x1_0000_0000"),
        "E312",
        "registers.A.reset",
        "reset =",
    ),
    (
        "reset-too-wide-8bit",
        edit(reg_a("width = 8"), "reset = 0x1", "reset = 0x100"),
        "E312",
        "registers.A.reset",
        "reset =",
    ),
    (
        "reset-negative",
        edit(P, "reset = 0x1", "reset = -1"),
        "E312",
        "registers.A.reset",
        "reset =",
    ),
    (
        "reserved-in-field",
        reg_a("reserved_value = 0x4"),
        "E313",
        "registers.A.reserved_value",
        "reserved_value",
    ),
    (
        "reserved-too-wide",
        reg_a("reserved_value = 0x1_0000_0000"),
        "E313",
        "registers.A.reserved_value",
        "reserved_value",
    ),
    ("unknown-alias", reg_a('aliases = ["SET", "XOR"]'), "E314", "registers.A.aliases", "aliases"),
    ("repeated-alias", reg_a('aliases = ["SET", "SET"]'), "E314", "registers.A.aliases", "aliases"),
    ("register-width", reg_a("width = 12"), "E315", "registers.A.width", "width"),
    (
        "peripheral-width",
        edit(P, "size = 0x100", "size = 0x100\nwidth = 64"),
        "E315",
        "peripheral.width",
        "width",
    ),
    ("base-misaligned", edit(P, "P1 = 0x1000", "P1 = 0x1002"), "E316", "instances.P1", "P1 ="),
    (
        "instances-overlap",
        edit(P, "P1 = 0x1000", "P1 = 0x1000\nP2 = 0x1080"),
        "E317",
        "instances.P2",
        "P2 =",
    ),
    ("size-zero", edit(P, "size = 0x100", "size = 0"), "E328", "peripheral.size", "size ="),
    ("base-beyond-4g", edit(P, "P1 = 0x1000", "P1 = 0xFFFFFF04"), "E328", "instances.P1", "P1 ="),
    ("field-name", edit(P, "MODE =", '"MO DE" ='), "E329", "registers.A.fields.MO DE", "MO DE"),
    ("keyword-name", edit(P, 'name = "P"', 'name = "class"'), "E329", "peripheral.name", "name ="),
    # locating keys written in other TOML forms
    (
        "dotted-key",
        'registers.B.offset = "x"\n' + P,
        "E303",
        "registers.B.offset",
        "registers.B.offset",
    ),
    (
        "quoted-key",
        edit(P, "offset = 0x0", '"offset" = []'),
        "E303",
        "registers.A.offset",
        '"offset"',
    ),
    (
        "multiline-string-is-not-a-key",
        edit(P, "offset = 0x0", 'description = """\noffset = 1\n"""\noffset = "x"'),
        "E303",
        "registers.A.offset",
        'offset = "x"',
    ),
    # Register arrays: shape, window, and when an array may give second names to registers.
    ("array-overlaps", P + ARRAY.format(extra=""), "E308", "registers.ARR", "offset = 0x0"),
    ("array-stride-below-width", P + ARRAY.format(extra="").replace("stride = 0x4", "stride = 0x2"),
     "E309", "registers.ARR.stride", "stride = 0x2"),
    # Field arrays: count >= 2 elements, stride >= the element width, all inside the register.
    ("field-array-past-width", edit(P, 'MODE = { bits = "3:2" }', 'MODE = { bits = "3:2", count = 16 }'),
     "E306", "registers.A.fields.MODE.bits", "MODE"),
    ("field-array-one-element", edit(P, 'MODE = { bits = "3:2" }', 'MODE = { bits = "3:2", count = 1 }'),
     "E328", "registers.A.fields.MODE.count", "MODE"),
    ("field-array-elements-overlap", edit(P, 'MODE = { bits = "3:2" }', 'MODE = { bits = "3:2", count = 2, stride = 1 }'),
     "E305", "registers.A.fields.MODE.stride", "MODE"),
    ("field-array-overlaps-field", edit(P, 'EN = { bits = "0" }', 'EN = { bits = "0", count = 4 }'),
     "E305", "registers.A.fields.MODE", "MODE"),
    ("field-array-stride-without-count", edit(P, 'MODE = { bits = "3:2" }', 'MODE = { bits = "3:2", stride = 4 }'),
     "E302", "registers.A.fields.MODE.stride", "MODE"),
    ("field-array-dma", edit(P, 'MODE = { bits = "3:2" }', 'MODE = { bits = "3:2", count = 2, dma = true }'),
     "E334", "registers.A.fields.MODE.dma", "MODE"),
    ("field-array-in-condition", edit(P, 'EN = { bits = "0" }', 'EN = { bits = "0", count = 2 }') + GUARD_A,
     "E331", "unknown: EN", "set = ["),
    ("array-empty", P + ARRAY.format(extra="").replace("count = 4", "count = 0"), "E328", "registers.ARR.count", "count = 0"),
    ("array-past-window", P + ARRAY.format(extra="").replace("offset = 0x0", "offset = 0xF4"),
     "E309", "registers.ARR.offset", "offset = 0xF4"),
    ("overlay-writable", P + ARRAY.format(extra="overlays = true").replace('access = "RO"\n', ""),
     "E308", "registers.ARR.overlays", "overlays = true"),
    ("overlay-read-sensitive", reg_a("read_sensitive = true") + ARRAY.format(extra="overlays = true"),
     "E308", "read side effects", "overlays = true"),
    ("overlay-w1c", edit(P, '{ bits = "0" }', '{ bits = "0", access = "W1C" }') + ARRAY.format(extra="overlays = true"),
     "E308", "W1C", "overlays = true"),
    ("overlay-guarded-register", P + ARRAY.format(extra="overlays = true") + GUARD_A, "E308", "invariant `ready`",
     "overlays = true"),
]


@pytest.mark.parametrize(
    ("text", "code", "key", "marker"),
    [case[1:] for case in PERIPHERAL_CASES],
    ids=[case[0] for case in PERIPHERAL_CASES],
)
def test_peripheral_errors(tmp_path: Path, text: str, code: str, key: str, marker: str) -> None:
    root = write_soc(tmp_path, {"p.toml": text})
    diag = diagnostic(lambda: load_soc(root, "t"))
    assert diag.code == code, diag.render()
    assert key in diag.message, diag.render()
    assert diag.line == line_of(text, marker), diag.render()
    assert Path(diag.file).name == "p.toml"


def test_syntax_error_column(tmp_path: Path) -> None:
    text = edit(P, "offset = 0x0", "offset = 0x0 0x1")
    diag = diagnostic(lambda: load_soc(write_soc(tmp_path, {"p.toml": text}), "t"))
    assert (diag.code, diag.line, diag.col) == ("E301", line_of(text, "0x0 0x1"), 14)


def test_unknown_key_suggests_spelling(tmp_path: Path) -> None:
    text = edit(P, "offset = 0x0", "ofset = 0x0")
    diag = diagnostic(lambda: load_soc(write_soc(tmp_path, {"p.toml": text}), "t"))
    assert "`offset`" in diag.hint


def test_not_utf8(tmp_path: Path) -> None:
    root = write_soc(tmp_path, {})
    (root / "soc" / "t" / "p.toml").write_bytes(b'[peripheral]\nname = "\xff"\n')
    assert diagnostic(lambda: load_soc(root, "t")).code == "E301"


# --- several files of one SoC ---------------------------------------------------------

Q = edit(edit(P, 'name = "P"', 'name = "Q"'), "P1 = 0x1000", "Q1 = 0x2000")


@pytest.mark.parametrize(
    ("second", "code", "message", "marker"),
    [
        (edit(Q, "Q1 = 0x2000", "Q1 = 0x10FC"), "E317", "P1", "Q1 ="),
        (edit(Q, "Q1 = 0x2000", "P1 = 0x2000"), "E318", "instances.P1", "P1 ="),
        (edit(Q, 'name = "Q"', 'name = "P"'), "E318", "peripheral.name", "name ="),
    ],
    ids=["instance-overlap", "duplicate-instance", "duplicate-peripheral"],
)
def test_cross_file_errors(
    tmp_path: Path, second: str, code: str, message: str, marker: str
) -> None:
    root = write_soc(tmp_path, {"a.toml": P, "b.toml": second})
    diag = diagnostic(lambda: load_soc(root, "t"))
    assert (diag.code, Path(diag.file).name) == (code, "b.toml")
    assert message in diag.message and "a.toml" in diag.message
    assert diag.line == line_of(second, marker)


def test_files_load_in_name_order(tmp_path: Path) -> None:
    root = write_soc(tmp_path, {"b.toml": P, "a.toml": Q, ".a.toml": "not toml ["})
    soc = load_soc(root, "t")
    assert [p.name for p in soc.peripherals] == ["Q", "P"]
    assert soc.instance("P1") is not None and soc.instance("Q1") is not None


def test_unknown_soc_lists_available(tmp_path: Path) -> None:
    root = write_soc(tmp_path, {"p.toml": P}, soc="mysoc")
    diag = diagnostic(lambda: load_soc(root, "other"))
    assert diag.code == "E320" and "other" in diag.message and "mysoc" in diag.hint


def test_fields_and_defaults(tmp_path: Path) -> None:
    text = reg_a('access = "W1C"\nread_sensitive = true\naliases = ["SET"]').replace(
        '{ bits = "0" }', '{ bits = "0", access = "RO" }'
    )
    soc = load_soc(write_soc(tmp_path, {"p.toml": text}), "t")
    reg = soc.peripherals[0].registers[0]
    en, mode = reg.fields
    assert (reg.width, reg.reset, reg.read_sensitive, reg.aliases) == (32, 1, True, ("SET",))
    assert (en.access.value, en.reset, mode.access.value, mode.lsb, mode.width) == (
        "RO",
        1,
        "W1C",
        2,
        2,
    )
    assert soc.peripherals[0].source == str(tmp_path / "soc" / "t" / "p.toml")


# --- boards -----------------------------------------------------------------------------

BOARD_CASES = [
    (
        "syntax",
        edit(BOARD, 'triple = "armv7a-none-eabi"', "triple = armv7a"),
        "E301",
        "syntax",
        "triple",
    ),
    ("missing-table", edit(BOARD, "[qemu]\nmemory_mb = 512\n", ""), "E302", "qemu", "[board]"),
    ("missing-key", edit(BOARD, 'cpu = "cortex-a7"\n', ""), "E302", "board.cpu", "[board]"),
    (
        "wrong-type",
        edit(BOARD, "memory_mb = 512", 'memory_mb = "512"'),
        "E303",
        "qemu.memory_mb",
        "memory_mb",
    ),
    (
        "region-not-table",
        edit(
            BOARD, "[memory.ocram]\nbase = 0x00900000\nsize = 0x00020000\n", "[memory]\nocram = 5\n"
        ),
        "E303",
        "memory.ocram",
        "ocram = 5",
    ),
    ("unknown-key", edit(BOARD, "cpu =", "cpus ="), "E304", "board.cpus", "cpus"),
    ("unknown-soc", edit(BOARD, 'soc = "t"', 'soc = "nope"'), "E320", "board.soc", "soc ="),
    (
        "name-mismatch",
        edit(BOARD, 'name = "evk"', 'name = "other"'),
        "E321",
        "board.name",
        "name =",
    ),
    (
        "memory-overlap",
        edit(BOARD, "base = 0x00900000", "base = 0x87FF0000"),
        "E322",
        "memory.ocram",
        "base = 0x87FF0000",
    ),
    (
        "memory-empty",
        edit(BOARD, "size = 0x00020000", "size = 0"),
        "E328",
        "memory.ocram.size",
        "size = 0\n",
    ),
    (
        "load-outside",
        edit(BOARD, "load_address = 0x80010000", "load_address = 0x70000000"),
        "E323",
        "image.load_address",
        "load_address",
    ),
    (
        "load-misaligned",
        edit(BOARD, "load_address = 0x80010000", "load_address = 0x80010004"),
        "E323",
        "image.load_address",
        "load_address",
    ),
    ("stack-zero", edit(BOARD, "size = 0x10000", "size = 0"), "E324", "stack.size", "size = 0\n"),
    (
        "stack-unaligned",
        edit(BOARD, "size = 0x10000", "size = 0x1004"),
        "E324",
        "stack.size",
        "size = 0x1004",
    ),
    (
        "dma-region",
        edit(BOARD, 'region = "ocram"', 'region = "sram"'),
        "E325",
        "dma.region",
        "region =",
    ),
    (
        "dma-alignment",
        edit(BOARD, "alignment = 4", "alignment = 12"),
        "E326",
        "dma.alignment",
        "alignment",
    ),
    (
        "dma-alignment-zero",
        edit(BOARD, "alignment = 4", "alignment = 0"),
        "E326",
        "dma.alignment",
        "alignment",
    ),
    ("console", edit(BOARD, 'uart = "UART1"', 'uart = "UART9"'), "E327", "console.uart", "uart ="),
    (
        "serial-index",
        edit(BOARD, "qemu_serial_index = 0", "qemu_serial_index = -1"),
        "E328",
        "console.qemu_serial_index",
        "qemu_serial_index",
    ),
    (
        "qemu-memory",
        edit(BOARD, "memory_mb = 512", "memory_mb = 0"),
        "E328",
        "qemu.memory_mb",
        "memory_mb",
    ),
]


@pytest.mark.parametrize(
    ("text", "code", "key", "marker"),
    [case[1:] for case in BOARD_CASES],
    ids=[case[0] for case in BOARD_CASES],
)
def test_board_errors(tmp_path: Path, text: str, code: str, key: str, marker: str) -> None:
    root = write_board(tmp_path, text)
    diag = diagnostic(lambda: load_board(root, "evk"))
    assert diag.code == code, diag.render()
    assert key in diag.message, diag.render()
    assert diag.line == line_of(text, marker), diag.render()
    assert Path(diag.file).name == "evk.toml"


def test_console_hint_lists_uarts(tmp_path: Path) -> None:
    root = write_board(tmp_path, edit(BOARD, 'uart = "UART1"', 'uart = "UART9"'))
    assert "UART1, UART2" in diagnostic(lambda: load_board(root, "evk")).hint


def test_board_loads(tmp_path: Path) -> None:
    board = load_board(write_board(tmp_path, BOARD), "evk")
    assert [r.name for r in board.memory] == ["ddr", "ocram"]
    assert board.firmware_package == "evk" and board.console_uart == "UART1"


@pytest.mark.parametrize("name", ["nope", "../soc/t/uart", "EVK"])
def test_unknown_board_lists_alternatives(tmp_path: Path, name: str) -> None:
    root = write_board(tmp_path, BOARD)
    write_board(root, edit(BOARD, 'name = "evk"', 'name = "evk-2"'), name="evk-2")
    diag = diagnostic(lambda: load_board(root, name))
    assert diag.code == "E319" and name in diag.message
    assert "evk, evk-2" in diag.hint


def test_no_boards_at_all(tmp_path: Path) -> None:
    diag = diagnostic(lambda: load_board(tmp_path, "evk"))
    assert diag.code == "E319" and "no boards" in diag.hint


CCM_WITH_ARRAY = """\
[peripheral]
name = "CCM"
size = 0x100

[instances]
CCM = 0x2000

[registers.CCGR0]
offset = 0x0
[registers.CCGR0.fields]
CG = { bits = "1:0", count = 16 }
"""


def test_a_clock_gate_is_one_field_not_a_field_array(tmp_path: Path) -> None:
    text = P + '\n[clocks]\nP1 = "CCGR0.CG"\n'
    root = write_soc(tmp_path, {"ccm.toml": CCM_WITH_ARRAY, "p.toml": text})
    diag = diagnostic(lambda: load_soc(root, "t"))
    assert diag.code == "E334", diag.render()
    assert "field array" in diag.message and "clocks.P1" in diag.message, diag.render()
    assert diag.line == line_of(text, 'P1 = "CCGR0.CG"') and Path(diag.file).name == "p.toml"
