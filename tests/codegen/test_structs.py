"""@struct layout in the image: members little-endian at their declared offsets, as
Python's ``struct`` module packs the same fields, and the host object agrees byte for byte."""

from __future__ import annotations

import io
import struct as pystruct
from pathlib import Path

from elftools.elf.elffile import ELFFile

from tamapy.build import compile_app
from tamapy.sim import Machine

STRUCTS = '''from tamapy.fw import Array, Bytes, Dma, i8, i16, i32, struct, u8, u16, u32, u64


@struct
class Desc:
    """Every member kind: widths 1 to 8, signed and unsigned, arrays of bytes and of words."""
    tag: u8
    small: i8
    half: u16
    word: u32
    key: Bytes[6]
    delta: i16
    words: Array[u32, 3]
    neg: i32
    wide: u64


shared: Dma[Desc] = Dma[Desc]()
"""In the DMA region: every access is volatile, so the image keeps each store for the test to read."""
echo: Dma[Bytes[8]] = Dma[Bytes[8]]()


def fill(d: Desc, seed: u32) -> None:
{FILL}'''
FILL = '''    d.tag = 0xA5
    d.small = -3
    d.half = 0xBEEF
    d.word = seed
    for i in range(0, 6):
        d.key[i] = u8(i * 17 + 1)
    d.delta = -2
    d.words[0] = 0xFFFFFFFF
    d.words[2] = seed ^ 0x0F0F0F0F
    d.wide = 0x1122334455667788
    d.neg = -0x12345678
    d.word += 1
'''
STRUCTS = STRUCTS.replace("{FILL}", FILL)
FIRMWARE = STRUCTS + '''

from runtime.system import finish


def fill_shared(d: Dma[Desc], seed: u32) -> None:
''' + FILL + '''

def main() -> None:
    fill_shared(shared, 0x01020304)
    local: Desc = Desc()
    fill(local, 0x01020304)
    echo[0] = u8(local.word & 0xFF)
    echo[1] = u8(local.key[5])
    echo[2] = u8(local.delta + 2)
    echo[3] = u8(local.small + 3)
    echo[4] = u8(local.words[2] >> 24)
    echo[5] = u8(local.wide >> 56)
    echo[6] = u8((local.neg >> 24) & 0xFF)
    echo[7] = local.tag
    finish(0)
'''

EXPECTED = pystruct.pack(
    "<BbHI6sh3IiQ", 0xA5, -3, 0xBEEF, 0x01020305, bytes(i * 17 + 1 for i in range(6)), -2,
    0xFFFFFFFF, 0, 0x01020304 ^ 0x0F0F0F0F, -0x12345678, 0x1122334455667788,
)


def _app(project: Path) -> Path:
    app = project / "firmware" / "examples" / "structs"
    app.mkdir()
    (app / "main.py").write_text(FIRMWARE)
    return app


def test_members_are_stored_where_the_layout_says(project: Path) -> None:
    result = compile_app(_app(project), "mcimx6ul-evk", verify=False)
    elf = ELFFile(io.BytesIO(result.image.elf))
    symbols = {s.name: s["st_value"] for s in elf.get_section_by_name(".symtab").iter_symbols()}
    shared, echo = symbols["examples.structs.main.shared"], symbols["examples.structs.main.echo"]
    assert shared % 8 == 0, "a struct with a u64 member is 8-aligned"
    assert symbols["__dma_start"] <= shared < symbols["__dma_end"]
    machine = Machine(result.image.elf, result.program.board, result.program.soc)
    outcome = machine.run(max_insns=2_000_000)
    assert outcome.fault is None and outcome.stop_reason == "halted", outcome
    assert bytes(machine.uc.mem_read(shared, len(EXPECTED))) == EXPECTED
    neg_top = ((-0x12345678) >> 24) & 0xFF
    assert bytes(machine.uc.mem_read(echo, 8)) == bytes([0x05, 86, 0, 0, 0x0E, 0x11, neg_top, 0xA5])


def test_the_host_struct_holds_the_same_bytes() -> None:
    namespace: dict[str, object] = {}
    exec(compile(STRUCTS, "structs.py", "exec", dont_inherit=True), namespace)
    desc = namespace["Desc"]()  # type: ignore[operator]
    namespace["fill"](desc, 0x01020304)  # type: ignore[operator]
    assert bytes(desc) == EXPECTED


def test_a_struct_parameter_is_described_member_by_member(project: Path) -> None:
    """gdb's `print d` shows the members: DWARF has the struct with each member at its offset."""
    result = compile_app(_app(project), "mcimx6ul-evk", verify=False)
    dwarf = ELFFile(io.BytesIO(result.image.elf)).get_dwarf_info()
    structs = [die for cu in dwarf.iter_CUs() for die in cu.iter_DIEs()
               if die.tag == "DW_TAG_structure_type" and die.attributes["DW_AT_name"].value == b"Desc"]
    assert structs, "the struct type of fill's parameter"
    desc = structs[0]
    members = {m.attributes["DW_AT_name"].value.decode(): m.attributes["DW_AT_data_member_location"].value
               for m in desc.iter_children() if m.tag == "DW_TAG_member"}
    assert members == {"tag": 0, "small": 1, "half": 2, "word": 4, "key": 8, "delta": 14, "words": 16,
                       "neg": 28, "wide": 32}
    assert desc.attributes["DW_AT_byte_size"].value == len(EXPECTED) == pystruct.calcsize("<BbHI6sh3IiQ")
