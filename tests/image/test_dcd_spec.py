"""The optional ``[dcd]`` board table: parsed in order, checked the way the boot ROM needs it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tamapy.specs import load_board

from ..specs.helpers import BOARD, diagnostic, line_of, write_board

ROOT = Path(__file__).resolve().parents[2]


def board_with(dcd: str) -> str:
    return BOARD + "\n[dcd]\n" + dcd


def test_board_without_dcd_has_none(tmp_path: Path) -> None:
    assert load_board(write_board(tmp_path, BOARD), "evk").dcd == ()


def test_dcd_writes_keep_their_order(tmp_path: Path) -> None:
    text = board_with("writes = [\n    [0x020C4080, 0xFFFFFFFF],  # CCGR6\n    [0x020C4068, 0],\n]\n")
    assert load_board(write_board(tmp_path, text), "evk").dcd == ((0x020C4080, 0xFFFFFFFF), (0x020C4068, 0))


def test_two_hundred_twenty_writes_are_allowed(tmp_path: Path) -> None:
    pairs = ", ".join(f"[{0x020C4000 + 4 * i:#x}, {i}]" for i in range(220))
    assert len(load_board(write_board(tmp_path, board_with(f"writes = [{pairs}]\n")), "evk").dcd) == 220


@pytest.mark.parametrize(
    ("dcd", "code", "words"),
    [
        ("writes = [[0x020C4069, 1]]\n", "E332", "`dcd.writes[0]` address 0x20c4069 is not a 4-byte aligned"),
        ("writes = [[0x1_0000_0000, 1]]\n", "E332", "address 0x100000000"),
        ("writes = [[-4, 1]]\n", "E332", "address -0x4"),
        ("writes = [[0x4, 0x1_0000_0000]]\n", "E332", "`dcd.writes[0]` value 0x100000000 does not fit in 32 bits"),
        ("writes = [[0x4, -1]]\n", "E332", "value -0x1"),
        ("writes = [[0x4, 1], [0x8]]\n", "E303", "`dcd.writes[1]` must be [address, value]"),
        ('writes = [[0x4, "1"]]\n', "E303", "must be [address, value]"),
        ("writes = [[0x4, true]]\n", "E303", "must be [address, value]"),
        ("writes = 5\n", "E303", "`dcd.writes` must be an array"),
        ("write = []\n", "E304", "unknown key `dcd.write`"),
        ("writes = [" + ", ".join(["[0x4, 0]"] * 221) + "]\n", "E332", "221 entries, more than the 220"),
    ],
    ids=["misaligned", "address-too-wide", "address-negative", "value-too-wide", "value-negative", "not-a-pair",
         "string-value", "bool-value", "not-an-array", "typo", "too-many"],
)
def test_bad_dcd_tables_are_located_errors(tmp_path: Path, dcd: str, code: str, words: str) -> None:
    text = board_with(dcd)
    root = write_board(tmp_path, text)
    diag = diagnostic(lambda: load_board(root, "evk"))
    assert diag.code == code, diag.render()
    assert words in diag.message, diag.render()
    assert diag.line == line_of(text, dcd.split(" ")[0]), diag.render()


@pytest.mark.parametrize("board", ["mcimx6ul-evk", "usbarmory-mk2"])
def test_shipped_boards_open_all_clock_gates(board: str) -> None:
    dcd = load_board(ROOT / "specs", board).dcd
    assert dcd[:7] == tuple((0x020C4068 + 4 * i, 0xFFFFFFFF) for i in range(7))


def test_usb_armory_sets_the_uart2_pads_to_alt0() -> None:
    dcd = load_board(ROOT / "specs", "usbarmory-mk2").dcd
    assert [(a, v) for a, v in dcd if 0x020E0000 <= a < 0x020E4000] == [
        (0x020E0094, 0), (0x020E0098, 0), (0x020E009C, 0), (0x020E00A0, 0)
    ]
