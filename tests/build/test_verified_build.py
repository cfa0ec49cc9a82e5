"""`build` refuses unproven code unless told otherwise, and bounds the stack on the machine code."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tamapy.build import stub_files

APP_HEADER = "from tamapy.fw import Bytes, u8, u32\n\n\n"


def _app(project: Path, name: str, source: str) -> Path:
    app = project / "firmware" / "examples" / name
    app.mkdir()
    (app / "main.py").write_text(APP_HEADER + source)
    return app


def _build(project: Path, app: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tamapy", "build", str(app), "--board", "mcimx6ul-evk", "-o", str(project / "out"), *extra],
        capture_output=True, text=True, cwd=project,
    )


BUGGY = (
    "table: Bytes[4] = Bytes[4]()\n\n\n"
    "def pick(i: u32) -> u8:\n"
    "    return table[i]\n\n\n"
    "def main() -> None:\n"
    "    pick(7)\n"
)


def test_unproven_code_is_refused_with_the_failed_obligation(project: Path) -> None:
    proc = _build(project, _app(project, "buggy", BUGGY))
    assert proc.returncode == 1
    assert "firmware/examples/buggy/main.py:8:18: failed[index]: index may be out of bounds" in proc.stderr
    assert "arguments: i = " in proc.stderr  # the counterexample names the argument
    assert not (project / "out" / "buggy.elf").exists()


def test_unverified_build_is_marked_unverified(project: Path) -> None:
    proc = _build(project, _app(project, "buggy", BUGGY), "--unverified")
    assert proc.returncode == 0, proc.stderr
    facts = json.loads((project / "out" / "buggy.build.json").read_text())
    assert facts["verified"] is False
    assert facts["obligations"]["failed"] >= 1
    assert "UNVERIFIED" in proc.stdout


def test_proven_build_is_marked_verified_and_writes_the_stubs(project: Path) -> None:
    stubs = stub_files(project)
    for path in stubs:
        path.unlink(missing_ok=True)  # a fresh checkout: the stubs are generated, not committed
    source = "def main() -> None:\n    x: u32 = 3\n    y: u32 = x * 2\n    assert y == 6\n"
    proc = _build(project, _app(project, "fine", source))
    assert proc.returncode == 0, proc.stderr
    facts = json.loads((project / "out" / "fine.build.json").read_text())
    assert facts["verified"] is True and facts["obligations"]["failed"] == 0
    assert {path: path.read_bytes() for path in stubs} == {path: render() for path, render in stubs.items()}


def test_stack_bound_over_the_board_stack_is_refused(project: Path) -> None:
    """Two nested frames of 40 KiB each exceed the 64 KiB stack of the board."""
    source = (
        "def leaf(i: u32) -> u8:\n"
        "    big: Bytes[40000] = Bytes[40000]()\n"
        "    if i < 40000:\n"
        "        big[i] = 1\n"
        "        return big[(i * 7) % 40000]\n"
        "    return 0\n\n\n"
        "def middle(i: u32) -> u8:\n"
        "    big: Bytes[40000] = Bytes[40000]()\n"
        "    if i < 40000:\n"
        "        big[i] = leaf(i)\n"
        "        return big[(i * 3) % 40000]\n"
        "    return 0\n\n\n"
        "def main() -> None:\n"
        "    UART1.UTXD.write(TX_DATA=middle(UART1.URXD.RX_DATA))\n"
    )
    proc = _build(project, _app(project, "deep", "from soc.imx6ul.regs import UART1\n" + source))
    assert proc.returncode == 1
    assert "failed[stack]: the main stack needs at most" in proc.stderr
    assert "of 65536 bytes" in proc.stderr
