"""DMA buffers: placed in the board's DMA region, and only their addresses reach DMA registers."""

from __future__ import annotations

import io
from pathlib import Path

from elftools.elf.elffile import ELFFile

from tamapy.build import compile_app
from tamapy.verify import Status, verify_tree

ENGINE = '''[peripheral]
name = "TESTDMA"
description = "a test DMA engine: one address register"
size = 0x1000

[instances]
TESTDMA1 = 0x02300000

[registers.CMDPTR]
offset = 0x0
[registers.CMDPTR.fields]
ADDR = { bits = "31:0", dma = true }
'''

FIRMWARE = '''from soc.imx6ul.regs import TESTDMA1
from tamapy.fw import Array, Bytes, Dma, addr_of, u32

packet: Dma[Array[u32, 8]] = Dma[Array[u32, 8]]()
plain: Array[u32, 8] = Array[u32, 8]()


def start_good() -> None:
    packet[0] = 0x12345678
    TESTDMA1.CMDPTR.write(ADDR=addr_of(packet))


def start_plain() -> None:
    TESTDMA1.CMDPTR.write(ADDR=addr_of(plain))


def start_any(address: u32) -> None:
    TESTDMA1.CMDPTR.write(ADDR=address)


def main() -> None:
    start_good()
'''


def _setup(project: Path) -> Path:
    (project / "specs" / "soc" / "imx6ul" / "testdma.toml").write_text(ENGINE)
    app = project / "firmware" / "examples" / "dma"
    app.mkdir()
    (app / "main.py").write_text(FIRMWARE)
    return app


def test_only_dma_buffers_reach_dma_registers(project: Path) -> None:
    app = _setup(project)
    report = verify_tree([app / "main.py"], "mcimx6ul-evk", workers=1)
    outcome = {(o.function.rsplit(".", 1)[1], o.category.value): o.status for o in report.obligations}
    assert outcome[("start_good", "dma")] is Status.PROVED
    assert outcome[("start_plain", "dma")] is Status.FAILED
    assert outcome[("start_any", "dma")] is Status.FAILED


def test_dma_buffers_are_placed_in_the_dma_region_and_not_loaded(project: Path) -> None:
    app = _setup(project)
    result = compile_app(app, "mcimx6ul-evk", verify=False)
    ocram_base, ocram_size = 0x00900000, 0x20000
    elf = ELFFile(io.BytesIO(result.image.elf))
    symbols = {s.name: s["st_value"] for s in elf.get_section_by_name(".symtab").iter_symbols()}
    packet = symbols["examples.dma.main.packet"]
    assert ocram_base <= packet < ocram_base + ocram_size and packet % 4 == 0
    dma_segments = [s for s in elf.iter_segments() if s["p_type"] == "PT_LOAD" and s["p_vaddr"] == ocram_base]
    assert len(dma_segments) == 1 and dma_segments[0]["p_filesz"] == 0 and dma_segments[0]["p_memsz"] >= 32
    assert symbols["__dma_start"] <= packet < symbols["__dma_end"]
