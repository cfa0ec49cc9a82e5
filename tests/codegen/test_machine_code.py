"""Properties of the generated ARM code that the hardware depends on."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from tamapy.codegen import assembly, lower_program
from tamapy.lang import load_program

ROOT = Path(__file__).resolve().parents[2]


def _asm(project: Path, body: str) -> str:
    app = project / "firmware" / "examples" / "probe"
    app.mkdir()
    (app / "main.py").write_text(body)
    program = load_program(app, "mcimx6ul-evk")
    return assembly(lower_program(program), "armv7a-none-eabi", "cortex-a7", "probe")


def test_no_floating_point_or_neon_even_when_loops_vectorise(project: Path) -> None:
    """The FPU is off at reset: a NEON instruction would be an undefined-instruction fault."""
    shutil.copy(Path(__file__).with_name("arith_main.py"), project / "arith_main.py")
    text = _asm(project, (project / "arith_main.py").read_text())
    assert not re.findall(r"^\s+v[a-z0-9.]+\s", text, re.MULTILINE)


def test_each_register_access_is_one_load_or_store_of_its_width(project: Path) -> None:
    body = (
        "from soc.imx6ul.regs import UART1\nfrom tamapy.fw import u32\n\n\n"
        "def main() -> None:\n"
        "    UART1.UTXD.write(TX_DATA=0x41)\n"
        "    x: u32 = UART1.USR2.read()\n"
        "    UART1.UTXD.write(TX_DATA=0x42)\n"
        "    UART1.ONEMS.write(ONEMS=x)\n"
    )
    text = _asm(project, body)
    main = text[text.index("examples.probe.main.main:") :]
    main = main[: main.index(".Lfunc_end")]
    accesses = re.findall(r"^\s+(ldr|str)(b|h)?\s+(r\d+), \[(r\d+)(?:, #(\d+))?\]", main, re.MULTILINE)
    kinds = [(op, width or "") for op, width, *_ in accesses]
    # program order, one word-sized access each: UTXD, USR2, UTXD, ONEMS
    assert kinds == [("str", ""), ("ldr", ""), ("str", ""), ("str", "")]
