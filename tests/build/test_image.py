"""The hello image: reproducible bytes, board addresses, W^X segments, and a QEMU boot."""

from __future__ import annotations

import io
import itertools
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from elftools.elf.constants import P_FLAGS
from elftools.elf.elffile import ELFFile

from tamapy.build import build
from tamapy.qemu import QEMU, run_qemu
from tamapy.specs import load_board
from tests.tools import require_tool

ROOT = Path(__file__).resolve().parents[2]
BOARDS = ["mcimx6ul-evk", "usbarmory-mk2"]


@pytest.fixture(scope="module")
def hello_images(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("hello")
    return {b: build(ROOT / "firmware" / "examples" / "hello", b, out / b).elf_path for b in BOARDS}  # type: ignore[misc]


def test_builds_in_two_directories_are_byte_identical(tmp_path: Path) -> None:
    """Copies of the sources in two places, built from different working directories."""
    images = []
    for i, tz in enumerate(("UTC", "Asia/Kolkata")):
        copy = tmp_path / f"checkout{i}" / ("nested/" * i)
        shutil.copytree(ROOT / "firmware", copy / "firmware")
        shutil.copytree(ROOT / "specs", copy / "specs")
        env = {**os.environ, "TZ": tz}
        env.pop("SOURCE_DATE_EPOCH", None)
        subprocess.run(
            [sys.executable, "-m", "tamapy", "build", "firmware/examples/hello", "--board", "mcimx6ul-evk", "-o", "out"],
            cwd=copy, env=env, check=True, capture_output=True,
        )
        images.append((copy / "out" / "hello.elf").read_bytes())
    assert images[0] == images[1]


@pytest.mark.parametrize("board_name", BOARDS)
def test_elf_layout_matches_the_board(hello_images: dict[str, Path], board_name: str) -> None:
    board = load_board(ROOT / "specs", board_name)
    elf = ELFFile(io.BytesIO(hello_images[board_name].read_bytes()))
    assert elf["e_machine"] == "EM_ARM" and elf["e_type"] == "ET_EXEC"
    assert elf["e_entry"] == board.load_address
    loads = [s for s in elf.iter_segments() if s["p_type"] == "PT_LOAD"]
    assert [s["p_flags"] for s in loads] == [P_FLAGS.PF_R | P_FLAGS.PF_X, P_FLAGS.PF_R, P_FLAGS.PF_R | P_FLAGS.PF_W]
    assert loads[0]["p_vaddr"] == board.load_address
    ddr = board.region("ddr")
    assert ddr is not None
    for seg in loads:
        writable = seg["p_flags"] & P_FLAGS.PF_W
        executable = seg["p_flags"] & P_FLAGS.PF_X
        assert not (writable and executable), "no segment may be both writable and executable"
        assert ddr.contains(seg["p_vaddr"], seg["p_memsz"])
    spans = sorted((s["p_vaddr"], s["p_vaddr"] + s["p_memsz"]) for s in loads)
    assert all(a_end <= b_start for (_, a_end), (b_start, _) in itertools.pairwise(spans))
    symbols = {s.name: s["st_value"] for s in elf.get_section_by_name(".symtab").iter_symbols()}
    assert symbols["__tamapy_vectors"] == board.load_address
    stack_top = symbols["__stack_top"]
    assert stack_top % 8 == 0 and stack_top - symbols["__stack_bottom"] == board.stack_size


def test_vector_table_jumps_to_reset(hello_images: dict[str, Path]) -> None:
    elf = ELFFile(io.BytesIO(hello_images["mcimx6ul-evk"].read_bytes()))
    text = elf.get_section_by_name(".vectors").data()
    words = [int.from_bytes(text[i : i + 4], "little") for i in range(0, 64, 4)]
    assert words[:8] == [0xE59FF018] * 8  # ldr pc, [pc, #24]
    symbols = {s.name: s["st_value"] for s in elf.get_section_by_name(".symtab").iter_symbols()}
    assert words[8] == symbols["__tamapy_reset"]
    assert words[12] == symbols["__tamapy_fault_data"]


def test_hello_is_a_few_kilobytes(hello_images: dict[str, Path]) -> None:
    elf = ELFFile(io.BytesIO(hello_images["mcimx6ul-evk"].read_bytes()))
    loaded = sum(s["p_filesz"] for s in elf.iter_segments() if s["p_type"] == "PT_LOAD")
    assert loaded < 16 * 1024


def _qemu_available() -> None:
    require_tool(QEMU, "qemu-system-arm")


@pytest.mark.parametrize("board_name", BOARDS)
def test_hello_boots_in_qemu_and_prints_its_banner(hello_images: dict[str, Path], board_name: str) -> None:
    _qemu_available()
    board = load_board(ROOT / "specs", board_name)
    outcome = run_qemu(board, hello_images[board_name], timeout=5.0)
    text = outcome.output.decode()
    expected_name = "MCIMX6UL-EVK" if board_name == "mcimx6ul-evk" else "USB armory Mk II"
    assert f"Hello from tamapy on {expected_name}\r\n" in text or f"Hello from tamapy on {expected_name}\n" in text
    assert outcome.final == "exit" and outcome.code == 0
    assert outcome.status == 0
    assert outcome.seconds < 5.0


def test_run_qemu_times_out_with_status_1(tmp_path: Path) -> None:
    """An image that never prints the final line: the runner stops at the timeout."""
    _qemu_available()
    app = tmp_path / "proj" / "firmware" / "examples" / "spin"
    shutil.copytree(ROOT / "firmware", tmp_path / "proj" / "firmware")
    shutil.copytree(ROOT / "specs", tmp_path / "proj" / "specs")
    app.mkdir()
    (app / "main.py").write_text(
        "from tamapy.fw import forever, wfi\n\n\ndef main() -> None:\n    while forever():\n        wfi()\n"
    )
    proc = subprocess.run(
        [sys.executable, "-m", "tamapy", "run", str(app), "--board", "mcimx6ul-evk", "--qemu", "--timeout", "1"],
        capture_output=True, text=True,
    )
    assert proc.returncode == 1
    assert "timeout" in proc.stderr


def test_line_table_maps_code_back_to_source(hello_images: dict[str, Path]) -> None:
    """DWARF line tables are kept (not loaded) so faults can name the source line."""
    elf = ELFFile(io.BytesIO(hello_images["mcimx6ul-evk"].read_bytes()))
    assert all(not (s["sh_flags"] & 0x2) for s in elf.iter_sections() if s.name.startswith(".debug"))
    symbols = {s.name: s["st_value"] for s in elf.get_section_by_name(".symtab").iter_symbols()}
    dwarf = elf.get_dwarf_info()
    rows = []
    for cu in dwarf.iter_CUs():
        program = dwarf.line_program_for_CU(cu)
        names = [f.name.decode() for f in program["file_entry"]]
        rows += [(e.state.address, names[e.state.file - 1], e.state.line) for e in program.get_entries() if e.state]
    main = symbols["examples.hello.main.main"]
    first = min((r for r in rows if r[0] == main), key=lambda r: r[2])
    source = (ROOT / "firmware" / "examples" / "hello" / "main.py").read_text().splitlines()
    assert first[1] == "main.py"
    assert source[first[2] - 1].startswith("def main()")
